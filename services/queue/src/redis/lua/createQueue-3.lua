--[[
  Creates a performance's waiting room from performance.published, or updates its schedule when
  the event comes again. Idempotent: capacity, rate and state are set only on creation (later
  changes come from the admin or the operator and win); the open time moves only until the queue
  has opened; the draw seed is chosen once.

  KEYS[1] config    hash: capacity, admitPerMinute, state, opensAtMs, closesAtMs, totalSeats, maxSeatsPerOrder, drawSeed, drawCommitment, requireVerifiedEmail
  KEYS[2] runtime   hash: openedAtMs (present once the queue has opened)
  KEYS[3] stats     hash: the figures (initialised on creation)

  ARGV[1] capacity
  ARGV[2] admitPerMinute
  ARGV[3] opensAtMs (0: open at once)
  ARGV[4] closesAtMs (0: never closes by itself)
  ARGV[5] totalSeats (0: unknown, no default line limit)
  ARGV[6] drawSeed (hex, secret until the open)
  ARGV[7] drawCommitment (SHA-256 of the seed, published from the start)
  ARGV[8] requireVerifiedEmail (1: only confirmed addresses enter; follows the performance on every event)
  ARGV[9] maxSeatsPerOrder (0: unknown), the odds' assumption before the first order

  Returns 1 when the queue was created, 0 when it existed
]]
local created = 0
if redis.call('HEXISTS', KEYS[1], 'capacity') == 0 then
  redis.call('HSET', KEYS[1], 'capacity', ARGV[1], 'admitPerMinute', ARGV[2], 'state', 'OPEN')
  redis.call('HSET', KEYS[3], 'waiting', 0, 'active', 0, 'capacity', ARGV[1], 'admitPerMinute', ARGV[2], 'state', 'OPEN')
  created = 1
end
if redis.call('HEXISTS', KEYS[2], 'openedAtMs') == 0 then
  redis.call('HSET', KEYS[1], 'opensAtMs', ARGV[3])
end
redis.call('HSET', KEYS[1], 'closesAtMs', ARGV[4], 'totalSeats', ARGV[5], 'requireVerifiedEmail', ARGV[8])
if (tonumber(ARGV[9]) or 0) > 0 then redis.call('HSET', KEYS[1], 'maxSeatsPerOrder', ARGV[9]) end
if redis.call('HSETNX', KEYS[1], 'drawSeed', ARGV[6]) == 1 then
  redis.call('HSET', KEYS[1], 'drawCommitment', ARGV[7])
end
return created
