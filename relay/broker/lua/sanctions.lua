-- The sanctions in force (bans and mutes): one page of them, read by a relay
-- whose moderation channel subscription is (re)confirmed: SCAN, in pages, so
-- a big keyspace never blocks Redis for long.
--
-- ARGV[1]  the SCAN cursor ("0" to start), ARGV[2] the MATCH pattern
--          (<prefix>mod:*, glob characters of the prefix escaped),
-- ARGV[3]  the COUNT hint
--
-- Returns {next cursor, {key, by, ms left, key, by, ms left, ...}}; the
-- cursor "0" means done. An entry that expired meanwhile is left out.
local page = redis.call('SCAN', ARGV[1], 'MATCH', ARGV[2], 'COUNT', ARGV[3])
local found = {}
for _, key in ipairs(page[2]) do
  local left = redis.call('PTTL', key)
  local by = redis.call('GET', key)
  if left > 0 and by then
    found[#found + 1] = key
    found[#found + 1] = by
    found[#found + 1] = left
  end
end
return {page[1], found}
