-- Gives a room a new epoch when Redis holds less of it than a relay has
-- seen in the same epoch: Redis came back from an older snapshot (RDB, AOF
-- everysec, a failover to a lagging replica). Seqs the clients have seen
-- then never name a second message: they belonged to the old epoch, and
-- the new epoch's seqs continue above them.
--
-- KEYS[1]  the room's meta hash (fields: epoch, seq)
-- ARGV[1]  the epoch and ARGV[2] the highest seq the relay has seen
-- ARGV[3]  the new epoch (the relay's clock; kept above the old one)
--
-- Returns the room's epoch afterwards.
local epoch = redis.call('HGET', KEYS[1], 'epoch')
local top = tonumber(redis.call('HGET', KEYS[1], 'seq') or '0')
local seen = tonumber(ARGV[2])
if epoch == ARGV[1] and top < seen then
  local new_epoch = tonumber(ARGV[3])
  if new_epoch <= tonumber(epoch) then
    new_epoch = tonumber(epoch) + 1
  end
  epoch = string.format('%d', new_epoch)
  redis.call('HSET', KEYS[1], 'epoch', epoch, 'seq', seen)
  redis.call('PERSIST', KEYS[1])
end
return epoch
