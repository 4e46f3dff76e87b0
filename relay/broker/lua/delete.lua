-- Deletes one message of a room, atomically: its Stream entry goes (XDEL),
-- its tombstone (who wrote it, when, who deleted it) stays in the room's
-- tomb hash so reads stay contiguous (fetch.lua merges it), and every relay
-- with members in the room hears of it on the room's channel.
--
-- KEYS[1]  the room's meta hash, KEYS[2] its Stream, KEYS[3] its tomb hash
--          (fields "<seq>:t", "<seq>:f", "<seq>:u", "<seq>:d": ts, from,
--          uid, deleted by)
-- ARGV[1]  the room's pub/sub channel, ARGV[2] the seq, ARGV[3] who deletes
--
-- Returns {1, epoch} when deleted, {0, epoch} when the Stream does not hold
-- that seq (never posted, trimmed, or deleted already). Published payload:
-- "d", epoch, seq, by (one a line).
local epoch = redis.call('HGET', KEYS[1], 'epoch') or '0'
local id = ARGV[2] .. '-0'
local entry = redis.call('XRANGE', KEYS[2], id, id)
if #entry == 0 then
  return {0, epoch}
end
local fields = entry[1][2]
local ts, from, uid = '0', '', ''
for i = 1, #fields, 2 do
  if fields[i] == 't' then ts = fields[i + 1] end
  if fields[i] == 'f' then from = fields[i + 1] end
  if fields[i] == 'u' then uid = fields[i + 1] end
end
redis.call('HSET', KEYS[3], ARGV[2] .. ':t', ts, ARGV[2] .. ':f', from, ARGV[2] .. ':u', uid,
           ARGV[2] .. ':d', ARGV[3])
redis.call('XDEL', KEYS[2], id)
redis.call('PUBLISH', ARGV[1], 'd\n' .. epoch .. '\n' .. ARGV[2] .. '\n' .. ARGV[3])
return {1, epoch}
