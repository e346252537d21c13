--[[
  Reads a queue's settings and live figures in one call (GET /api/v1/queues/{id}). Read-only.

  KEYS[1] config      hash: the settings
  KEYS[2] stats       hash: admitRatePerMinute, etaSeconds, seatsTaken
  KEYS[3] runtime     hash: openedAtMs, preCount
  KEYS[4] waiting     zset: the line
  KEYS[5] preQueue    zset: the pre-queue
  KEYS[6] active      zset: userId → active-window end (ms)
  KEYS[7] lane        zset: the access-code lane

  Returns {capacity, admitPerMinute, state, opensAtMs, closesAtMs, totalSeats, maxLine, drawSeed
           (only once opened), drawCommitment, openedAtMs, preCount, waiting, active,
           admitRatePerMinute, etaSeconds, seatsTaken, requireVerifiedEmail}, or {} when there is no such queue
]]
local cfg = redis.call('HMGET', KEYS[1], 'capacity', 'admitPerMinute', 'state', 'opensAtMs', 'closesAtMs', 'totalSeats', 'maxLine', 'drawSeed', 'drawCommitment', 'requireVerifiedEmail')
if not cfg[1] then return {} end
local run = redis.call('HMGET', KEYS[3], 'openedAtMs', 'preCount')
local stats = redis.call('HMGET', KEYS[2], 'admitRatePerMinute', 'etaSeconds', 'seatsTaken')
--- @include "clock"
local now = int(nowMs())
local seed = run[1] and cfg[8] or ''
return {
  cfg[1], cfg[2], cfg[3], cfg[4] or '0', cfg[5] or '0', cfg[6] or '0', cfg[7] or '', seed, cfg[9] or '',
  run[1] or '', run[2] or '0',
  redis.call('ZCARD', KEYS[4]) + redis.call('ZCARD', KEYS[5]) + redis.call('ZCARD', KEYS[7]),
  redis.call('ZCOUNT', KEYS[6], '(' .. now, '+inf'),
  stats[1] or '0', stats[2] or '0', stats[3] or '0', cfg[10] or '0',
}
