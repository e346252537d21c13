--[[
  Keeps the admission token signed for the fan's current active window, so later polls return
  it without signing again. Ignored when the window changed meanwhile (extended, freed, expired):
  the next poll signs for the new one.

  KEYS[1] active       zset: userId → active-window end (ms)
  KEYS[2] admissions   hash: userId → admittedAtMs|claimedAtMs|tokenWindowEndMs|token

  ARGV[1] userId
  ARGV[2] windowEndMs the token was signed for
  ARGV[3] token

  Returns 1 when stored, 0 when the window no longer matches
]]
--- @include "admission-record"
local userId, windowEnd, token = ARGV[1], ARGV[2], ARGV[3]
if tonumber(redis.call('ZSCORE', KEYS[1], userId) or '0') ~= tonumber(windowEnd) then return 0 end
local admittedAt, claimedAt = readAdmission(redis.call('HGET', KEYS[2], userId))
if not admittedAt then return 0 end
redis.call('HSET', KEYS[2], userId, admissionRecord(admittedAt, claimedAt, windowEnd, token))
return 1
