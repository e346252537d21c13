--[[
  The fan leaves: out of the line, the access-code lane or the pre-queue, or the active slot frees at once.
  Leaving twice is harmless.

  KEYS[1] waiting      zset: userId → arrival sequence
  KEYS[2] preQueue     zset: userId → draw value
  KEYS[3] active       zset: userId → active-window end (ms)
  KEYS[4] admissions   hash: userId → admission record
  KEYS[5] outcomes     hash: userId → ABANDONED | EXPIRED
  KEYS[6] presence     zset: pre-queued userId → last entry or poll (ms)
  KEYS[7] lane         zset: the access-code lane

  ARGV[1] userId

  Returns 'ACTIVE' (a slot was freed), 'WAITING', 'PRE_QUEUE', 'LANE' or 'NONE'
]]
local userId = ARGV[1]
redis.call('HDEL', KEYS[5], userId)
if redis.call('ZREM', KEYS[3], userId) == 1 then
  redis.call('HDEL', KEYS[4], userId)
  return 'ACTIVE'
end
if redis.call('ZREM', KEYS[1], userId) == 1 then return 'WAITING' end
if redis.call('ZREM', KEYS[2], userId) == 1 then
  redis.call('ZREM', KEYS[6], userId)
  return 'PRE_QUEUE'
end
if redis.call('ZREM', KEYS[7], userId) == 1 then return 'LANE' end
return 'NONE'
