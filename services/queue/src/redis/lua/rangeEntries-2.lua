--[[
  Counts one entry attempt (a proof-of-work challenge issued) from an address range and returns
  the range's recent rate: the current fixed window plus the previous one weighted by how much of
  it still lies inside a sliding window (the usual two-bucket estimate). Shared by every queue
  replica, so a script spread over replicas is counted once.

  KEYS[1] current    string: attempts in the current fixed window (expires after two windows)
  KEYS[2] previous   string: attempts in the window before

  ARGV[1] windowMs
  ARGV[2] elapsedMs  how far into the current window now is (0 ≤ elapsed < windowMs)

  Returns the estimated attempts over the last window, this one included (rounded)
]]
local windowMs, elapsed = tonumber(ARGV[1]), tonumber(ARGV[2])
local current = redis.call('INCR', KEYS[1])
if current == 1 then redis.call('PEXPIRE', KEYS[1], windowMs * 2) end
local previous = tonumber(redis.call('GET', KEYS[2]) or '0')
return math.floor(current + previous * (windowMs - elapsed) / windowMs + 0.5)
