--[[
  One admission tick for one performance. Safe to run from any number of replicas at once: each
  run sees the state the previous one left, so concurrent ticks can never admit past a limit or
  admit a fan twice.

  In order: ends active windows that ran out (claimed: EXPIRED, never claimed: ABANDONED); at a
  scheduled open, moves a chunk of the pre-queue into the line in draw order (dropping those who
  showed no presence in the window before the open); admits from the access-code lane first
  (presale holders whenever the queue is OPEN, even before the open; priority holders from the
  open), then from the head of the line, while capacity (the live active set's size, never a counter) and the rate allow (at most
  admitPerMinute in any sliding minute and ceil(admitPerMinute / 60) in any sliding second);
  drops fans at the head or under the sweep cursor who missed their poll deadline; refreshes the
  figures in stats, with the figures the fans' odds are estimated from (`odds`). After closesAt the queue closes; retainMs later its keys are dropped.

  KEYS[1] config       hash: capacity, admitPerMinute, state, opensAtMs, closesAtMs,
                       operatorAdmitPerMinute, operatorRateUntilMs, totalSeats, maxSeatsPerOrder
  KEYS[2] stats        hash: the figures (written here); seatsTaken, ordersTotal, orderSeatsTotal (read)
  KEYS[3] runtime      hash: openedAtMs, preNext, preEnd, preCount, sweepCursor
  KEYS[4] waiting      zset: userId → arrival sequence
  KEYS[5] preQueue     zset: userId → draw value
  KEYS[6] active       zset: userId → active-window end (ms)
  KEYS[7] admissions   hash: userId → admittedAtMs|claimedAtMs|tokenWindowEndMs|token
  KEYS[8] outcomes     hash: userId → ABANDONED | EXPIRED
  KEYS[9] sequence     string: arrival counter
  KEYS[10] deadlines   string of u32: arrival sequence → poll-again deadline (epoch seconds)
  KEYS[11] admittedRecently  zset: userId:ms → admission time (ms), the last minute
  KEYS[12] orders      hash: orderId → seats (only dropped here, with the rest)
  KEYS[13] presence    zset: pre-queued userId → last entry or poll (ms)
  KEYS[14] lane        zset: userId → presale: arrival sequence; priority: 1e12 + arrival sequence

  ARGV[1] maxAdmitPerTick
  ARGV[2] sweepBatch (waiting fans checked for abandonment per tick)
  ARGV[3] preQueueChunk (pre-queued fans moved into the line per tick)
  ARGV[4] minPollMs
  ARGV[5] maxPollMs
  ARGV[6] graceMs
  ARGV[7] outcomeTtlMs
  ARGV[8] retainMs (how long after closesAt the keys are kept)
  ARGV[9] presenceWindowMs: pre-queued fans not seen within this long before the open are dropped
          as they come up (outcome ABSENT) instead of joining the line; 0 = everyone joins

  The rate admitted at is min(admitPerMinute, operatorAdmitPerMinute): the admin's setting is a
  ceiling the operator's rate never lifts. The operator's rate counts only until
  operatorRateUntilMs, so an operator that stops renewing it hands the queue back to the ceiling.

  Returns {nowMs, state, admitted, expired, abandoned, waiting, active, capacity, admitPerMinute
           (the admin's ceiling), measuredAdmitsPerMinute (string), etaSecondsOfLast,
           operatorAdmitPerMinute (0: none in force), effectiveAdmitPerMinute, userId...} (the admitted fans),
          or {nowMs, 'NO_QUEUE'} / {nowMs, 'RETIRED'}
]]
local maxAdmit, sweepBatch, preChunk = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local minPoll, maxPoll, grace = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local outcomeTtl, retain = tonumber(ARGV[7]), tonumber(ARGV[8])
local presenceWindow = tonumber(ARGV[9])

--- @include "clock"
--- @include "admission-record"
--- @include "pre-queue-reservation"
local now = nowMs()
local nowSec = math.floor(now / 1000)

local PRIORITY = 1e12
local cfg = redis.call('HMGET', KEYS[1], 'capacity', 'admitPerMinute', 'state', 'opensAtMs', 'closesAtMs',
  'operatorAdmitPerMinute', 'operatorRateUntilMs', 'totalSeats', 'maxSeatsPerOrder')
if not cfg[1] then return {now, 'NO_QUEUE'} end
local capacity, ceiling, state = tonumber(cfg[1]), tonumber(cfg[2]), cfg[3]
local opensAt, closesAt = tonumber(cfg[4] or '0'), tonumber(cfg[5] or '0')
local operatorRate = 0
if cfg[6] and tonumber(cfg[7] or '0') > now then operatorRate = tonumber(cfg[6]) end
local admitPerMinute = ceiling
if operatorRate > 0 then admitPerMinute = math.min(ceiling, operatorRate) end

if closesAt > 0 and now >= closesAt + retain then
  redis.call('DEL', unpack(KEYS))
  return {now, 'RETIRED'}
end
if closesAt > 0 and now >= closesAt and state ~= 'CLOSED' and state ~= 'SOLD_OUT' then
  state = 'CLOSED'
  redis.call('HSET', KEYS[1], 'state', state)
end

-- Redis Lua's unpack is bounded by the C stack, so long argument lists go in slices
local function callInSlices(command, key, args, width)
  for first = 1, #args, width do
    redis.call(command, key, unpack(args, first, math.min(first + width - 1, #args)))
  end
end
-- a lane score is the arrival sequence, plus PRIORITY in the priority lane
local function seqOf(score) score = tonumber(score); return score >= PRIORITY and score - PRIORITY or score end
local function deadlinesOf(pairsWithScores)
  local fields = {}
  for i = 2, #pairsWithScores, 2 do
    fields[#fields + 1] = 'GET'; fields[#fields + 1] = 'u32'; fields[#fields + 1] = '#' .. int(seqOf(pairsWithScores[i]))
  end
  return redis.call('BITFIELD', KEYS[10], unpack(fields))
end

local expired, abandoned, admitted = 0, 0, {}
local outcomeWritten = false
local function recordOutcome(userId, outcome)
  redis.call('HSET', KEYS[8], userId, outcome)
  outcomeWritten = true
end

-- 1. active windows that ran out free their slots
local ended = redis.call('ZRANGEBYSCORE', KEYS[6], '-inf', int(now))
for _, userId in ipairs(ended) do
  local _, claimed = readAdmission(redis.call('HGET', KEYS[7], userId))
  if claimed and claimed ~= '0' then
    expired = expired + 1
    recordOutcome(userId, 'EXPIRED')
  else
    abandoned = abandoned + 1
    recordOutcome(userId, 'ABANDONED')
  end
  redis.call('HDEL', KEYS[7], userId)
end
if #ended > 0 then redis.call('ZREMRANGEBYSCORE', KEYS[6], '-inf', int(now)) end
redis.call('ZREMRANGEBYSCORE', KEYS[11], '-inf', int(now - 60000))

-- 2. the scheduled open: reserve the pre-queue's sequence range once, then move it chunk by chunk
local opened = now >= opensAt
local run = redis.call('HMGET', KEYS[3], 'openedAtMs', 'preNext', 'preEnd')
if opened and not run[1] then
  local first, last = reservePreQueue(KEYS[5], KEYS[9], KEYS[3], now)
  run = {int(now), first, last}
end
local preEnd = tonumber(run[3] or '0')
local preLeft = 0
if opened then
  local moved = redis.call('ZPOPMIN', KEYS[5], preChunk)
  if #moved > 0 then
    local nextSeq = tonumber(run[2])
    -- moved fans were told to come back after the open: they get the longest interval to do so
    local deadline = math.ceil((now + maxPoll + grace) / 1000)
    local presentFrom = (presenceWindow > 0 and opensAt > 0) and (opensAt - presenceWindow) or nil
    local lineArgs, deadlineArgs, movedIds = {}, {}, {}
    for i = 1, #moved, 2 do
      local userId = moved[i]
      movedIds[#movedIds + 1] = userId
      local seen = presentFrom and tonumber(redis.call('ZSCORE', KEYS[13], userId) or '0')
      if presentFrom and seen < presentFrom then
        -- silent through the whole window: a script's idle account, not a fan at a screen.
        -- Its sequence number stays unused, so nobody's order changes.
        abandoned = abandoned + 1
        recordOutcome(userId, 'ABSENT')
      else
        lineArgs[#lineArgs + 1] = int(nextSeq); lineArgs[#lineArgs + 1] = userId
        deadlineArgs[#deadlineArgs + 1] = 'SET'; deadlineArgs[#deadlineArgs + 1] = 'u32'
        deadlineArgs[#deadlineArgs + 1] = '#' .. int(nextSeq); deadlineArgs[#deadlineArgs + 1] = deadline
      end
      nextSeq = nextSeq + 1
    end
    if #lineArgs > 0 then
      callInSlices('ZADD', KEYS[4], lineArgs, 1000)
      callInSlices('BITFIELD', KEYS[10], deadlineArgs, 2000)
    end
    callInSlices('ZREM', KEYS[13], movedIds, 1000)
    redis.call('HSET', KEYS[3], 'preNext', int(nextSeq))
  end
  preLeft = redis.call('ZCARD', KEYS[5])
end

-- 3. admission: the access-code lane first, then the head of the line
if state == 'OPEN' then
  local perSecond = math.max(1, math.ceil(admitPerMinute / 60))
  local allowance = math.min(
    maxAdmit,
    capacity - redis.call('ZCARD', KEYS[6]),
    admitPerMinute - redis.call('ZCARD', KEYS[11]),
    perSecond - redis.call('ZCOUNT', KEYS[11], '(' .. int(now - 1000), '+inf'))
  local examined, examineLimit = 0, maxAdmit + sweepBatch
  local function take(key, userId, deadline)
    examined = examined + 1
    redis.call('ZREM', key, userId)
    if deadline < nowSec then
      abandoned = abandoned + 1
      recordOutcome(userId, 'ABANDONED')
    else
      -- unclaimed, the slot is held only as long as the fan was told it may take to poll again
      local claimBy = math.max(now + minPoll + grace, deadline * 1000)
      redis.call('ZADD', KEYS[6], int(claimBy), userId)
      redis.call('HSET', KEYS[7], userId, admissionRecord(int(now), '0', '0', ''))
      redis.call('ZADD', KEYS[11], int(now), userId .. ':' .. int(now))
      admitted[#admitted + 1] = userId
      allowance = allowance - 1
    end
  end
  -- presale holders are let in before the open too; priority holders wait for it
  local laneMax = opened and '+inf' or '(' .. int(PRIORITY)
  while allowance > 0 and examined < examineLimit do
    local head = redis.call('ZRANGEBYSCORE', KEYS[14], '-inf', laneMax, 'WITHSCORES', 'LIMIT', 0, allowance)
    if #head == 0 then break end
    local deadlines = deadlinesOf(head)
    for i = 1, #head, 2 do take(KEYS[14], head[i], deadlines[(i + 1) / 2]) end
  end
  while opened and allowance > 0 and examined < examineLimit do
    local head = redis.call('ZRANGE', KEYS[4], 0, allowance - 1, 'WITHSCORES')
    if #head == 0 then break end
    local deadlines = deadlinesOf(head)
    local blocked = false
    for i = 1, #head, 2 do
      -- never let a later arrival in while pre-queued fans are still being moved ahead of them
      if preLeft > 0 and tonumber(head[i + 1]) > preEnd then blocked = true; break end
      take(KEYS[4], head[i], deadlines[(i + 1) / 2])
    end
    if blocked then break end
  end
end

-- 4. the sweep: a slice of the line per tick, so abandoned fans leave the figures within one pass
local cursor = redis.call('HGET', KEYS[3], 'sweepCursor') or '0'
local slice = redis.call('ZRANGEBYSCORE', KEYS[4], '(' .. cursor, '+inf', 'WITHSCORES', 'LIMIT', 0, sweepBatch)
if #slice > 0 then
  local deadlines = deadlinesOf(slice)
  for i = 1, #slice, 2 do
    if deadlines[(i + 1) / 2] < nowSec then
      redis.call('ZREM', KEYS[4], slice[i])
      abandoned = abandoned + 1
      recordOutcome(slice[i], 'ABANDONED')
    end
  end
end
if #slice / 2 < sweepBatch then cursor = '0' else cursor = slice[#slice] end
redis.call('HSET', KEYS[3], 'sweepCursor', cursor)
if outcomeWritten then redis.call('PEXPIRE', KEYS[8], outcomeTtl) end

-- 5. the figures, in one hash the operator reads with one HGETALL
local waiting = redis.call('ZCARD', KEYS[4]) + redis.call('ZCARD', KEYS[5]) + redis.call('ZCARD', KEYS[14])
local active = redis.call('ZCARD', KEYS[6])
local openedAt = tonumber(redis.call('HGET', KEYS[3], 'openedAtMs') or int(now))
local span = math.min(60000, math.max(1000, now - openedAt))
local measured = redis.call('ZCARD', KEYS[11]) * 60000 / span
local etaLast = math.ceil(waiting * 60 / (measured > 0 and measured or math.max(1, admitPerMinute)))
local measuredText = string.format('%.2f', measured)
redis.call('HSET', KEYS[2], 'waiting', waiting, 'active', active, 'capacity', capacity,
  'admitPerMinute', ceiling, 'operatorAdmitPerMinute', operatorRate, 'effectiveAdmitPerMinute', admitPerMinute,
  'admitRatePerMinute', measuredText, 'etaSeconds', etaLast, 'state', state, 'updatedAtMs', int(now))
if #admitted > 0 then redis.call('HINCRBY', KEYS[2], 'admittedTotal', #admitted) end

-- 6. what a waiting fan's odds are estimated from (the poll reads this one string, never Postgres):
-- seatsLeft|seatsPerOrder|measured (1/0)|orderShare|choosingNow|asOfMs; '' when the seats are unknown
local totalSeats = tonumber(cfg[8] or '0')
local odds = ''
if totalSeats > 0 then
  local sales = redis.call('HMGET', KEYS[2], 'seatsTaken', 'ordersTotal', 'orderSeatsTotal', 'admittedTotal')
  local taken, orders, orderSeats, admittedSoFar = tonumber(sales[1] or '0'), tonumber(sales[2] or '0'), tonumber(sales[3] or '0'), tonumber(sales[4] or '0')
  -- before the first order the worst case: every order as large as allowed
  local perOrder, measuredPerOrder = math.max(1, tonumber(cfg[9] or '1')), 0
  if orders > 0 then perOrder, measuredPerOrder = orderSeats / orders, 1 end
  -- until 20 fans were admitted, assume every admitted fan buys
  local share = 1
  if admittedSoFar >= 20 then share = math.min(1, orders / admittedSoFar) end
  odds = string.format('%d|%.2f|%d|%.2f|%d|%s', math.max(0, totalSeats - taken), perOrder, measuredPerOrder, share, active, int(now))
end
redis.call('HSET', KEYS[2], 'odds', odds)
if expired > 0 then redis.call('HINCRBY', KEYS[2], 'expiredTotal', expired) end
if abandoned > 0 then redis.call('HINCRBY', KEYS[2], 'abandonedTotal', abandoned) end

return {now, state, #admitted, expired, abandoned, waiting, active, capacity, ceiling, measuredText, etaLast,
  operatorRate, admitPerMinute, unpack(admitted)}
