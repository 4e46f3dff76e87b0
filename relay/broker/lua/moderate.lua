-- A kick, mute or ban for every relay, in one step: a mute or ban is stored
-- with its duration as TTL (so a relay that starts or reconnects later loads
-- it, sanctions.lua), then announced on the moderation channel that
-- every relay subscribes to. A newer entry for the same target replaces the
-- older one (the latest word counts).
--
-- KEYS[1]  (mute, ban only) the entry: <prefix>mod:<ban|mute>:<uid|addr>:<hex>
-- ARGV[1]  the moderation channel, ARGV[2] the announcement,
-- ARGV[3]  who (the entry's value), ARGV[4] the duration in ms
--
-- Returns how many subscribers heard the announcement.
if #KEYS == 1 then
  redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[4])
end
return redis.call('PUBLISH', ARGV[1], ARGV[2])
