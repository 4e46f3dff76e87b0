-- Presence across relays: one relay's heartbeat (or join) for one room,
-- timed by Redis's own clock, so relays whose clocks disagree agree on
-- what has expired.
--
-- KEYS[1]  the room's member set (sorted set: member "<relay>\t<nick>",
--          score = when the entry expires, ms by Redis's clock)
-- ARGV[1]  the room's pub/sub channel
-- ARGV[2]  the time to live of an entry (ms)
-- ARGV[3]  this relay's id; ARGV[4..] its members' nicks in the room
--
-- Refreshes this relay's entries (announcing those that were missing: new,
-- or expired while this relay could not reach Redis), then removes every
-- expired entry and announces its leave (a relay that died stops
-- refreshing). Only the caller that removes an entry announces it.
-- Announcement payload: "p", relay, "j" or "l", nick (one a line).
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local expiry = now + tonumber(ARGV[2])
for i = 4, #ARGV do
  local member = ARGV[3] .. '\t' .. ARGV[i]
  if redis.call('ZADD', KEYS[1], expiry, member) == 1 then
    redis.call('PUBLISH', ARGV[1], 'p\n' .. ARGV[3] .. '\nj\n' .. ARGV[i])
  end
end
local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. now)
for _, member in ipairs(expired) do
  redis.call('ZREM', KEYS[1], member)
  local tab = string.find(member, '\t', 1, true)
  if tab then
    redis.call('PUBLISH', ARGV[1],
               'p\n' .. string.sub(member, 1, tab - 1) .. '\nl\n' .. string.sub(member, tab + 1))
  end
end
if redis.call('ZCARD', KEYS[1]) > 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return #expired
