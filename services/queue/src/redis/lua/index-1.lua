--[[
  Adds a performance to, or removes it from, the index of waiting rooms (the admission loop and
  the operator list queues from it). It has no hash tag, so it is always changed on its own.

  KEYS[1] index   set: performance ids (tp:queues)

  ARGV[1] action: add | remove
  ARGV[2] performanceId

  Returns 1 when the set changed, else 0
]]
if ARGV[1] == 'add' then return redis.call('SADD', KEYS[1], ARGV[2]) end
return redis.call('SREM', KEYS[1], ARGV[2])
