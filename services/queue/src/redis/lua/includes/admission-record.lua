-- A fan's admission record in the admissions hash: admittedAtMs|claimedAtMs|tokenWindowEndMs|token
-- (claimedAtMs 0 until the first poll after admission; token '' until one is signed for the window).
local function readAdmission(record)
  return string.match(record or '', '^(%d+)|(%d+)|(%d+)|(.*)$')
end
local function admissionRecord(admittedAt, claimedAt, tokenFor, token)
  return admittedAt .. '|' .. claimedAt .. '|' .. tokenFor .. '|' .. token
end
