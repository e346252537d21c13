--[[
Gives back one counted login attempt, if its window is still open (a DECR on a missing key would
leave a counter without expiry behind).

KEYS[1]  counter  the counter
returns  the count after the refund, or -1 when the window had already ended
]]
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
return redis.call('DECR', KEYS[1])
