-- Redis's own clock, in milliseconds: every replica reads the same one, so they never disagree
-- about order or deadlines. int() writes a number without an exponent (Lua's default for large ones).
local function int(x) return string.format('%.0f', x) end
local function nowMs()
  local time = redis.call('TIME')
  return tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end
