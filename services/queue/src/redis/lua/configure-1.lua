--[[
  Changes a queue's settings at runtime (admin PATCH, performance.sold-out, the operator's rate).
  Takes effect at the next admission tick. Validation happens before the call.

  KEYS[1] config   hash: capacity, admitPerMinute, state, maxLine, proofOfWorkMaxNumber,
                   operatorAdmitPerMinute, operatorRateUntilMs

  ARGV[1..n] changes: field, value pairs among those fields; an empty value removes the field
             (maxLine: back to the default limit,
             proofOfWorkMaxNumber: back to the default difficulty)

  Returns 1, or 0 when there is no such queue
]]
if redis.call('HEXISTS', KEYS[1], 'capacity') == 0 then return 0 end
for i = 1, #ARGV, 2 do
  if ARGV[i + 1] == '' then
    redis.call('HDEL', KEYS[1], ARGV[i])
  else
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
  end
end
return 1
