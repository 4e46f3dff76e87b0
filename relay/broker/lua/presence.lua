-- Presence across relays: one relay's heartbeat for one room.
--
-- KEYS[1]  the room's member set (sorted set: member "<relay>\t<nick>",
--          score = when the entry expires, ms)
-- ARGV[1]  the room's pub/sub channel
-- ARGV[2]  now (ms), ARGV[3] the new expiry (ms)
-- ARGV[4]  this relay's id; ARGV[5..] its members' nicks in the room
--
-- Refreshes this relay's entries (announcing those that were missing: they
-- had expired while this relay could not reach Redis), then removes every
-- expired entry and announces its leave (a relay that died stops
-- refreshing). Only the caller that removes an entry announces it.
-- Announcement payload: "p", relay, "j" or "l", nick (one a line).
for i = 5, #ARGV do
  local member = ARGV[4] .. '\t' .. ARGV[i]
  if redis.call('ZADD', KEYS[1], ARGV[3], member) == 1 then
    redis.call('PUBLISH', ARGV[1], 'p\n' .. ARGV[4] .. '\nj\n' .. ARGV[i])
  end
end
local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[2])
for _, member in ipairs(expired) do
  redis.call('ZREM', KEYS[1], member)
  local tab = string.find(member, '\t', 1, true)
  if tab then
    redis.call('PUBLISH', ARGV[1],
               'p\n' .. string.sub(member, 1, tab - 1) .. '\nl\n' .. string.sub(member, tab + 1))
  end
end
return #expired
