-- Reads a room's epoch, top seq and history, for a relay filling its cache.
--
-- KEYS[1]  the room's meta hash   (fields: epoch, seq)
-- KEYS[2]  the room's Stream
-- KEYS[3]  the room's member set (presence across relays; see presence.lua)
-- KEYS[4]  the room's tomb hash (delete.lua): deleted messages, merged into
--          the entries as {t, ts, f, from, u, uid, d, by} so the history stays contiguous
-- ARGV[1]  the epoch to give the room if it has none yet (a new room, or
--          one whose data Redis lost: clients see the change as `missed`)
-- ARGV[2]  "latest": the newest ARGV[3] entries; else a seq: the entries
--          after it, at most ARGV[3]
-- ARGV[3]  how many entries at most
-- ARGV[4]  seconds an epoch of a room without messages is kept: a join
--          alone leaves no key behind for good (publish.lua persists it)
-- ARGV[5]  the run id of this Redis process, ARGV[6] "1" when it persists
--          every write: data from an earlier process that did not may have
--          been rolled back, so the room gets a new epoch (epoch_rule.lua)
--
-- Returns {epoch, top seq, entries oldest first, members}: each entry {id,
-- {t, ts, f, from, i, id, b, body}} as XRANGE gives it; members as
-- "<relay>\t<nick>", those not expired by Redis's own clock.
local meta = redis.call('HMGET', KEYS[1], 'epoch', 'run', 'dur')
local epoch = meta[1]
if not epoch then
  epoch = ARGV[1]
  redis.call('HSET', KEYS[1], 'epoch', epoch, 'run', ARGV[5], 'dur', ARGV[6])
elseif meta[2] ~= ARGV[5] then
  epoch = epoch_after_restart(KEYS[1], epoch, meta[3], ARGV[1], ARGV[5])  -- epoch_rule.lua
  redis.call('HSET', KEYS[1], 'dur', ARGV[6])
end
local top = tonumber(redis.call('HGET', KEYS[1], 'seq') or '0')
if top == 0 then
  redis.call('EXPIRE', KEYS[1], ARGV[4])
end
local entries
if ARGV[2] == 'latest' then
  entries = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', ARGV[3])
  local n = #entries
  for i = 1, math.floor(n / 2) do
    entries[i], entries[n - i + 1] = entries[n - i + 1], entries[i]
  end
else
  entries = redis.call('XRANGE', KEYS[2], (tonumber(ARGV[2]) + 1) .. '-0', '+', 'COUNT', ARGV[3])
end
-- Tombstones fill the holes XDEL left: from the first seq wanted (after
-- ARGV[2], or the first entry read) up to the last entry, and past it to top.
local merged = {}
local expected = nil
if ARGV[2] ~= 'latest' then expected = tonumber(ARGV[2]) + 1 end
local function tomb(seq)
  local t = redis.call('HMGET', KEYS[4], seq .. ':t', seq .. ':f', seq .. ':u', seq .. ':d')
  if not t[4] then return nil end
  return {seq .. '-0', {'t', t[1], 'f', t[2], 'u', t[3] or '', 'd', t[4]}}
end
local function fill(upto)
  while expected and expected < upto do
    local filled = tomb(expected)
    if not filled then break end
    merged[#merged + 1] = filled
    expected = expected + 1
  end
end
for _, entry in ipairs(entries) do
  local seq = tonumber(string.match(entry[1], '^(%d+)'))
  fill(seq)
  merged[#merged + 1] = entry
  expected = seq + 1
end
if expected == nil and ARGV[2] == 'latest' then expected = top + 1 end
fill(top + 1)
-- The newest entries: tombstones just before the first one read belong to
-- them too (up to the count asked for).
if ARGV[2] == 'latest' then
  local head = expected - #merged
  local before = {}
  while #before + #merged < tonumber(ARGV[3]) and head > 1 do
    local filled = tomb(head - 1)
    if not filled then break end
    table.insert(before, 1, filled)
    head = head - 1
  end
  for i = #before, 1, -1 do table.insert(merged, 1, before[i]) end
end
entries = merged
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local members = redis.call('ZRANGEBYSCORE', KEYS[3], now_ms, '+inf')
return {epoch, top, entries, members}
