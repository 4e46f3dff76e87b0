-- The run-id epoch rule, written once: relay/CMakeLists.txt puts this file in
-- front of fetch.lua and publish.lua, the two scripts that read a room's meta
-- hash first (so it is a library, never run alone).
--
-- A room's data written by an earlier Redis process that did not persist
-- every write (dur ~= "1") may have been rolled back: the room gets a new
-- epoch, `fresh` or one above the old epoch, so that no seq a client saw names
-- a second message (the seqs of the new epoch go on from the stored top).
-- Either way the meta hash now names this process (`run`). Returns the
-- room's epoch. Called only when the stored run id is not this one.
local function epoch_after_restart(meta_key, epoch, dur, fresh, run)
  if dur ~= '1' then
    local next_epoch = tonumber(fresh)
    if next_epoch <= tonumber(epoch) then next_epoch = tonumber(epoch) + 1 end
    epoch = string.format('%d', next_epoch)
    redis.call('HSET', meta_key, 'epoch', epoch)
  end
  redis.call('HSET', meta_key, 'run', run)
  return epoch
end
