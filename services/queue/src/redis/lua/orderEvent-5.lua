--[[
  Applies a booking order event to the waiting room. Safe to apply twice, and an event only ever
  touches the admission that was current when it happened (a late or replayed event from an
  earlier admission is ignored):
  - created: the fan is booking, so the active window extends to occurredAt + activeWindow, but
    never past claimedAt + maxActive; the order's seats count as taken
  - confirmed / cancelled: the slot frees at once (confirmed seats stay taken, cancelled are given back)
  - expired / refunded: the seats are given back

  KEYS[1] config       hash: capacity (the queue exists)
  KEYS[2] stats        hash: seatsTaken; ordersTotal and orderSeatsTotal (orders seen, for the odds' seats per order)
  KEYS[3] active       zset: userId → active-window end (ms)
  KEYS[4] admissions   hash: userId → admittedAtMs|claimedAtMs|tokenWindowEndMs|token
  KEYS[5] orders       hash: orderId → seats

  ARGV[1] kind: created | confirmed | cancelled | expired | refunded
  ARGV[2] userId
  ARGV[3] orderId
  ARGV[4] seats in the order
  ARGV[5] occurredAtMs
  ARGV[6] activeWindowMs
  ARGV[7] maxActiveMs

  Returns 'NO_QUEUE', 'EXTENDED', 'FREED' or 'UNCHANGED'
]]
local kind, userId, orderId = ARGV[1], ARGV[2], ARGV[3]
local seats, occurredAt = tonumber(ARGV[4]), tonumber(ARGV[5])
local activeWindow, maxActive = tonumber(ARGV[6]), tonumber(ARGV[7])
if redis.call('HEXISTS', KEYS[1], 'capacity') == 0 then return 'NO_QUEUE' end

--- @include "clock"
--- @include "admission-record"

if kind == 'created' or kind == 'confirmed' then
  if redis.call('HSETNX', KEYS[5], orderId, seats) == 1 then
    redis.call('HINCRBY', KEYS[2], 'seatsTaken', seats)
    redis.call('HINCRBY', KEYS[2], 'ordersTotal', 1)
    redis.call('HINCRBY', KEYS[2], 'orderSeatsTotal', seats)
  end
else
  local held = redis.call('HGET', KEYS[5], orderId)
  if held then
    redis.call('HDEL', KEYS[5], orderId)
    redis.call('HINCRBY', KEYS[2], 'seatsTaken', -tonumber(held))
  end
end

local record = redis.call('HGET', KEYS[4], userId)
if not record then return 'UNCHANGED' end
local admittedAt, claimedAt = readAdmission(record)
if not admittedAt or tonumber(admittedAt) > occurredAt then return 'UNCHANGED' end

if kind == 'created' then
  local now = nowMs()
  local windowEnd = tonumber(redis.call('ZSCORE', KEYS[3], userId) or '0')
  if windowEnd <= now or claimedAt == '0' then return 'UNCHANGED' end
  local extended = math.min(math.max(windowEnd, occurredAt + activeWindow), tonumber(claimedAt) + maxActive)
  if extended <= windowEnd then return 'UNCHANGED' end
  redis.call('ZADD', KEYS[3], 'XX', int(extended), userId)
  return 'EXTENDED'
end
if kind == 'confirmed' or kind == 'cancelled' then
  redis.call('ZREM', KEYS[3], userId)
  redis.call('HDEL', KEYS[4], userId)
  return 'FREED'
end
return 'UNCHANGED'
