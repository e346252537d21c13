--[[
Counts one login attempt in a fixed window that starts with the first attempt.

KEYS[1]  counter   the counter (per account or per client IP)
ARGV[1]  windowMs  window length in milliseconds
returns  { attempts in the window including this one, milliseconds until the window ends }
]]
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return { count, ttl }
