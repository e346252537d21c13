--[[
Counts one request in a fixed window that starts with the window's first request.

KEYS[1]  the counter (rate-limit class, scope and user id or client IP)
ARGV[1]  window length in milliseconds
returns  { requests in the window including this one, milliseconds until the window ends }
]]
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return { count, ttl }
