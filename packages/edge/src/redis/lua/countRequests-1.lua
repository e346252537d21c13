--[[
Adds one replica's batch of requests to a fixed window's shared count.

KEYS[1]  counter   the window's counter (rate-limit class, scope, user id or client IP, window number)
ARGV[1]  requests  requests to add: those this replica counted since it last reported
ARGV[2]  keepMs    milliseconds to keep the counter (to the end of the window, plus a margin)
returns  the window's count so far, every replica's batches included
]]
local count = redis.call('INCRBY', KEYS[1], ARGV[1])
if count == tonumber(ARGV[1]) then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return count
