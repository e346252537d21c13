--[[
  Enters the waiting room (mode "enter") or reads the fan's entry (mode "poll"), in one call:
  a status poll is exactly one EVALSHA. Every clock reading is Redis TIME, so replicas never
  disagree about order or deadlines.

  A waiting fan's poll also renews the fan's deadline (abandonment): the fan must poll again
  within pollAfterMs + grace. An admitted fan's first poll claims the slot: the active window
  starts then, and the caller signs an admission token for it (token returned empty).

  An access-code holder (laneWanted, checked by the caller) waits in the lane, ahead of the line and
  the pre-queue: presale holders by arrival, then priority holders by arrival. A holder already in
  the line or pre-queue moves to the lane. The line limit does not apply to the lane (codes bound it).

  KEYS[1] config       hash: capacity, admitPerMinute, state, opensAtMs, totalSeats, maxLine, drawSeed
  KEYS[2] stats        hash: admitRatePerMinute (measured), seatsTaken, odds (written by the tick)
  KEYS[3] runtime      hash: preEnd, preNext, openedAtMs
  KEYS[4] waiting      zset: userId → arrival sequence
  KEYS[5] preQueue     zset: userId → draw value
  KEYS[6] active       zset: userId → active-window end (ms)
  KEYS[7] admissions   hash: userId → admittedAtMs|claimedAtMs|tokenWindowEndMs|token
  KEYS[8] outcomes     hash: userId → ABANDONED | EXPIRED
  KEYS[9] sequence     string: arrival counter
  KEYS[10] deadlines   string of u32: arrival sequence → poll-again deadline (epoch seconds)
  KEYS[11] presence    zset: pre-queued userId → last entry or poll (ms)
  KEYS[12] lane        zset: userId → presale: arrival sequence; priority: 1e12 + arrival sequence

  ARGV[1] userId
  ARGV[2] mode: enter | poll
  ARGV[3] minPollMs
  ARGV[4] maxPollMs
  ARGV[5] pollBudgetPerSecond (sets how fast pollAfterMs grows with the people ahead)
  ARGV[6] graceMs
  ARGV[7] activeWindowMs
  ARGV[8] maxLineFactor (the default line limit is this × seats still available; 0 = none)
  ARGV[9] emailVerified: 1 when the caller's address is confirmed (checked only for new entries,
          and only when config.requireVerifiedEmail is 1)
  ARGV[10] presenceWindowMs: a pre-queued fan must enter or poll within this long before the open,
          or is dropped at the open (ABSENT); 0 = no such rule. Until the open, the line limit
          counts, once the window has begun, only the pre-queued fans who were present in it.
  ARGV[11] laneWanted: the lane to enter, PRESALE | PRIORITY | '' (the general line); mode enter only

  Returns {status, position, ahead, etaSeconds, pollAfterMs, windowEndMs|retryAfterSeconds, token, reason, opensAtMs,
           lane (PRESALE | PRIORITY | ''), odds (stats.odds while WAITING, else '')}
  status: WAITING | ADMITTED | EXPIRED | NOT_IN_QUEUE | NO_QUEUE | SOLD_OUT | QUEUE_CLOSED | QUEUE_FULL | EMAIL_NOT_VERIFIED
  reason: PRE_QUEUE (waiting for the draw) | ABANDONED | ABSENT | EXPIRED | SOLD_OUT | QUEUE_CLOSED | ''
]]
local userId, mode = ARGV[1], ARGV[2]
local minPoll, maxPoll = tonumber(ARGV[3]), tonumber(ARGV[4])
local budget, grace = tonumber(ARGV[5]), tonumber(ARGV[6])
local activeWindow, lineFactor = tonumber(ARGV[7]), tonumber(ARGV[8])
local emailVerified, presenceWindow = ARGV[9] == '1', tonumber(ARGV[10])
local laneWanted = ARGV[11] or ''
local PRIORITY = 1e12

--- @include "clock"
--- @include "admission-record"
--- @include "pre-queue-reservation"
local now = nowMs()

local cfg = redis.call('HMGET', KEYS[1], 'capacity', 'admitPerMinute', 'state', 'opensAtMs', 'totalSeats', 'maxLine', 'drawSeed', 'requireVerifiedEmail')
if not cfg[1] then return {'NO_QUEUE'} end
local state = cfg[3]
local opensAt = tonumber(cfg[4] or '0')

-- ETA from the measured admission rate; the configured rate only until there is something to measure
local figures = redis.call('HMGET', KEYS[2], 'admitRatePerMinute', 'odds')
local measured = tonumber(figures[1] or '0')
local odds = figures[2] or ''
local ratePerMinute = measured > 0 and measured or math.max(1, tonumber(cfg[2]))
local function eta(position) return math.ceil(position * 60 / ratePerMinute) end
-- poll less often the further back: about `budget` polls/s per band of people ahead, never
-- later than half the ETA, within [minPoll, maxPoll]
local function pollAfter(ahead, etaSeconds)
  local ms = math.min(ahead * 1000 / budget, etaSeconds * 500)
  return math.floor(math.max(minPoll, math.min(maxPoll, ms)))
end
local function entry(status, position, ahead, etaSeconds, pollMs, windowEnd, token, reason, lane)
  return {status, position, ahead, etaSeconds, pollMs, windowEnd, token, reason, opensAt, lane or '', status == 'WAITING' and odds or ''}
end

-- admitted: the first poll claims the slot and starts the active window
local windowEnd = tonumber(redis.call('ZSCORE', KEYS[6], userId) or '0')
if windowEnd > now then
  local admittedAt, claimedAt, tokenFor, token = readAdmission(redis.call('HGET', KEYS[7], userId))
  if not admittedAt then admittedAt, claimedAt, tokenFor, token = int(now), '0', '0', '' end
  if claimedAt == '0' then
    windowEnd = now + activeWindow
    redis.call('ZADD', KEYS[6], 'XX', int(windowEnd), userId)
    redis.call('HSET', KEYS[7], userId, admissionRecord(admittedAt, int(now), '0', ''))
    tokenFor, token = '0', ''
  end
  if tonumber(tokenFor) ~= windowEnd then token = '' end
  return entry('ADMITTED', 0, 0, 0, math.min(30000, windowEnd - now), windowEnd, token, '')
end

local closed = nil
if state == 'SOLD_OUT' then closed = 'SOLD_OUT' elseif state == 'CLOSED' then closed = 'QUEUE_CLOSED' end
local reserved = redis.call('HMGET', KEYS[3], 'openedAtMs', 'preEnd')
local preEnd = tonumber(reserved[2] or '0')
-- everyone in the lane goes before the line and the pre-queue
local laneSize = redis.call('ZCARD', KEYS[12])

local function waitingEntry(ahead, seq, lane, untilOpen)
  local etaSeconds = eta(ahead + 1)
  local pollMs = pollAfter(ahead, etaSeconds)
  if untilOpen then
    etaSeconds = etaSeconds + math.ceil((opensAt - now) / 1000)
    pollMs = math.min(maxPoll, opensAt - now + pollMs)
  end
  local deadline = math.ceil((now + pollMs + grace) / 1000)
  redis.call('BITFIELD', KEYS[10], 'SET', 'u32', '#' .. int(seq), deadline)
  return entry('WAITING', ahead + 1, ahead, etaSeconds, pollMs, 0, '', '', lane)
end

local function laneEntry(score)
  local ahead = redis.call('ZRANK', KEYS[12], userId)
  if score >= PRIORITY then
    -- priority holders are admitted from the open: before it they wait for it
    return waitingEntry(ahead, score - PRIORITY, 'PRIORITY', now < opensAt)
  end
  return waitingEntry(ahead, score, 'PRESALE', false)
end

local function joinLane(seq)
  local score = laneWanted == 'PRIORITY' and PRIORITY + seq or seq
  redis.call('ZADD', KEYS[12], int(score), userId)
  laneSize = laneSize + 1
  return laneEntry(score)
end

-- the presence window: from its start, only pre-queued fans seen in it are still to be admitted
local presenceFrom = (presenceWindow > 0 and opensAt > 0) and (opensAt - presenceWindow) or nil

local function preQueueEntry()
  if presenceFrom then redis.call('ZADD', KEYS[11], int(now), userId) end
  local ahead = redis.call('ZRANK', KEYS[5], userId) + laneSize
  -- once the draw has started, fans already moved into the line are ahead too
  if preEnd > 0 then ahead = ahead + redis.call('ZCOUNT', KEYS[4], '-inf', int(preEnd)) end
  local etaSeconds = eta(ahead + 1)
  local pollMs = pollAfter(ahead, etaSeconds)
  if now < opensAt then
    etaSeconds = etaSeconds + math.ceil((opensAt - now) / 1000)
    if presenceFrom and now < presenceFrom then
      -- come back inside the presence window (halfway into it), or the place is lost at the open
      pollMs = math.max(minPoll, math.min(maxPoll, presenceFrom + math.floor(presenceWindow / 2) - now))
    else
      pollMs = math.min(maxPoll, opensAt - now + pollMs)
    end
  end
  return entry('WAITING', ahead + 1, ahead, etaSeconds, pollMs, 0, '', 'PRE_QUEUE')
end

local laneScore = tonumber(redis.call('ZSCORE', KEYS[12], userId) or '')
local seq = (not laneScore) and redis.call('ZSCORE', KEYS[4], userId)
local inPreQueue = (not laneScore) and (not seq) and redis.call('ZSCORE', KEYS[5], userId)
if laneScore or seq or inPreQueue then
  if closed then
    if mode == 'enter' then return {closed} end
    return entry('EXPIRED', 0, 0, 0, maxPoll, 0, '', closed)
  end
  if laneScore then return laneEntry(laneScore) end
  if mode == 'enter' and laneWanted ~= '' then
    -- a code holder already waiting moves to the lane, keeping the arrival sequence of the line
    if inPreQueue then
      redis.call('ZREM', KEYS[5], userId)
      redis.call('ZREM', KEYS[11], userId)
      return joinLane(redis.call('INCR', KEYS[9]))
    end
    redis.call('ZREM', KEYS[4], userId)
    return joinLane(tonumber(seq))
  end
  if inPreQueue then return preQueueEntry() end
  seq = tonumber(seq)
  local ahead = redis.call('ZRANK', KEYS[4], userId) + laneSize
  -- pre-queued fans not yet moved into the line all go before later arrivals
  if seq > preEnd then ahead = ahead + redis.call('ZCARD', KEYS[5]) end
  return waitingEntry(ahead, seq, '', false)
end

local outcome = redis.call('HGET', KEYS[8], userId)
if mode ~= 'enter' then
  if outcome then return entry('EXPIRED', 0, 0, 0, maxPoll, 0, '', outcome) end
  return {'NOT_IN_QUEUE'}
end

-- a new entry
if closed then return {closed} end
if cfg[8] == '1' and not emailVerified then return {'EMAIL_NOT_VERIFIED'} end
if laneWanted ~= '' then
  if outcome then redis.call('HDEL', KEYS[8], userId) end
  return joinLane(redis.call('INCR', KEYS[9]))
end
local preQueued
if presenceFrom and now >= presenceFrom then
  -- fans who stayed silent through the window are dropped at the open: they hold no place
  preQueued = redis.call('ZCOUNT', KEYS[11], int(presenceFrom), '+inf')
else
  preQueued = redis.call('ZCARD', KEYS[5])
end
local line = redis.call('ZCARD', KEYS[4]) + preQueued
local limit = tonumber(cfg[6] or '')
local totalSeats = tonumber(cfg[5] or '0')
if not limit and lineFactor > 0 and totalSeats > 0 then
  local taken = tonumber(redis.call('HGET', KEYS[2], 'seatsTaken') or '0')
  limit = lineFactor * math.max(0, totalSeats - taken)
end
if limit and line >= limit then
  local retryAfter = math.min(300, math.max(5, math.ceil((line - limit + 1) * 60 / ratePerMinute)))
  return {'QUEUE_FULL', 0, 0, 0, 0, retryAfter}
end
if outcome then redis.call('HDEL', KEYS[8], userId) end

if now < opensAt then
  -- before a scheduled open: the pre-queue, ordered by a draw nobody can predict before the seed is published
  local draw = tonumber(string.sub(redis.sha1hex(cfg[7] .. ':' .. userId), 1, 13), 16)
  redis.call('ZADD', KEYS[5], int(draw), userId)
  return preQueueEntry()
end

if not reserved[1] then reservePreQueue(KEYS[5], KEYS[9], KEYS[3], now) end
seq = redis.call('INCR', KEYS[9])
redis.call('ZADD', KEYS[4], seq, userId)
local ahead = redis.call('ZCARD', KEYS[4]) - 1 + redis.call('ZCARD', KEYS[5]) + laneSize
return waitingEntry(ahead, seq, '', false)
