// One room as this relay holds it: its cache of the room's history (encoded
// once, in the broker's order), its presence and its local members. The
// room registry owns rooms; the fan-out scheduler owns the fan-out fields.
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <vector>

#include "relay/hub/presence.hpp"
#include "shared/room_log.hpp"

namespace hubchat::relay {

struct Session;

struct Room {
  std::string name;
  std::unique_ptr<RoomLog> log;  // chat messages only: the cache (from the first `ready`)
  RoomPresence presence;
  std::vector<Session*> members;
  std::list<Room*>::iterator idle_entry;  // in the registry's idle list while nobody is in it
  // The cache's epoch (the history's identity: the relay's run, or Redis's).
  std::uint64_t epoch = 0;
  // The broker reported the room ready: its cache is current, joins can be answered.
  bool ready = false;
  std::uint32_t joins_waiting = 0;  // members whose join waits for `ready`
  // Deleted messages still in the cache (seq, who deleted it), oldest
  // first: a resume past one is told of it (its reader may hold the body).
  struct Tombstone {
    Seq seq;
    std::string by;
  };
  std::vector<Tombstone> tombstones;
  bool presence_dirty = false;  // has presence changes not flushed yet

  // Fan-out (written by Fanout only).
  bool dirty = false;  // in the flush list: members to offer a write
  // While dirty: members[0, unoffered) have not been offered a write by this
  // flush yet (it works from the back, so swap-removal keeps it true).
  std::uint32_t unoffered = 0;
  // Something was added while a flush was under way: the members it already
  // passed get another pass when it ends (restarting it would starve the rest).
  bool offer_again = false;
  bool offer_again_soon = false;  // ...at the end of the turn, not after the interval
  Seq dirty_since = 0;            // first seq not yet announced to the readers
  double last_written = -1e9;     // when its last fan-out pass ended (loop clock, s)
  std::size_t pending_bytes = 0;  // encoded size of those messages
};

}  // namespace hubchat::relay
