-- Posts one chat message to a room, atomically: the room's one order.
--
-- KEYS[1]  the room's meta hash   (fields: epoch, seq)
-- KEYS[2]  the room's Stream      (entry id "<seq>-0"; fields t, f, i, u, b)
-- KEYS[3]  optional: the message's dedupe key (sender key + id), a string
--          holding the seq it was accepted as, expiring after ARGV[8] s
-- ARGV[1]  the room's pub/sub channel
-- ARGV[2]  MAXLEN of the Stream (--history-events)
-- ARGV[3]  the epoch to give the room if it has none yet
-- ARGV[4]  ts (ms), ARGV[5] from, ARGV[6] id, ARGV[7] body
-- ARGV[8]  seconds a dedupe key is kept
-- ARGV[9]  the epoch and ARGV[10] the highest seq the calling relay has
--          seen of this room ("0" "0": none)
-- ARGV[11] the run id of this Redis process, ARGV[12] "1" when it persists
--          every write (appendonly yes, appendfsync always); the meta hash
--          keeps both (fields run, dur) to judge the data after a restart
-- ARGV[13] the verified sender's user id (uid; "" for guests and bots)
--
-- Returns {1, epoch, seq} when posted, {0, epoch, seq} when the dedupe key
-- says it was posted before (as seq), {2, epoch, seq} when the room's data is
-- older than what the relay has seen (Redis came back from an older
-- snapshot): nothing is posted, the relay gives the room a new epoch first
-- (rollback.lua). Published payload, one field a line (the body last, it may
-- hold newlines): epoch, seq, ts, from, id, uid, body.
local meta = redis.call('HMGET', KEYS[1], 'epoch', 'seq', 'run', 'dur')
local epoch = meta[1]
local top = tonumber(meta[2] or '0')
-- Data from an earlier Redis process may have been rolled back (epoch_rule.lua).
if epoch and meta[3] ~= ARGV[11] then
  epoch = epoch_after_restart(KEYS[1], epoch, meta[4], ARGV[3], ARGV[11])
end
if epoch and epoch == ARGV[9] and top < tonumber(ARGV[10]) then
  return {2, epoch, top}
end
if #KEYS == 3 then
  local earlier = redis.call('GET', KEYS[3])
  if earlier then
    return {0, epoch or ARGV[3], tonumber(earlier)}
  end
end
if not epoch then
  epoch = ARGV[3]
  redis.call('HSET', KEYS[1], 'epoch', epoch, 'run', ARGV[11])
end
if meta[4] ~= ARGV[12] then
  redis.call('HSET', KEYS[1], 'dur', ARGV[12])  -- how this process keeps the writes
end
-- A room with messages is kept (fetch.lua gave an empty one a time to live).
redis.call('PERSIST', KEYS[1])
local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
redis.call('XADD', KEYS[2], 'MAXLEN', ARGV[2], seq .. '-0',
           't', ARGV[4], 'f', ARGV[5], 'i', ARGV[6], 'u', ARGV[13], 'b', ARGV[7])
if #KEYS == 3 then
  redis.call('SET', KEYS[3], seq, 'EX', ARGV[8])
end
redis.call('PUBLISH', ARGV[1],
           epoch .. '\n' .. seq .. '\n' .. ARGV[4] .. '\n' .. ARGV[5] .. '\n' .. ARGV[6] .. '\n' .. ARGV[13] .. '\n' .. ARGV[7])
return {1, epoch, seq}
