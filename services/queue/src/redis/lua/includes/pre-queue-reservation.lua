--- @include "clock"
-- At the open, the first script to see it (an entry or the admission tick) reserves arrival
-- sequence numbers for the whole pre-queue, so every pre-queued fan stays ahead of later arrivals
-- however slowly the tick moves them into the line. Returns the range's first and last number.
local function reservePreQueue(preQueueKey, sequenceKey, runtimeKey, now)
  local count = redis.call('ZCARD', preQueueKey)
  local last = redis.call('INCRBY', sequenceKey, count)
  redis.call('HSET', runtimeKey, 'preNext', last - count + 1, 'preEnd', last, 'preCount', count, 'openedAtMs', int(now))
  return last - count + 1, last
end
