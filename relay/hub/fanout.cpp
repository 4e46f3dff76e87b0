#include "relay/hub/fanout.hpp"

#include <algorithm>
#include <utility>

namespace hubchat::relay {

unsigned Fanout::gathering_ms(const Room& room) {
  if (options_.flush_interval_ms > 0) return options_.flush_interval_ms;
  if (options_.coalesce_ms == 0 || options_.coalesce_above == 0) return 0;
  const double now = driver_.now();
  const double since_written_ms = (now - room.last_written) * 1000.0;
  if (since_written_ms >= options_.coalesce_ms) return 0;  // quiet: at once
  if (rate_.per_second(now) <= options_.coalesce_above) return 0;
  return std::max(1u, options_.coalesce_ms - static_cast<unsigned>(since_written_ms));
}

void Fanout::appended(Room& room, Seq seq, std::size_t encoded_bytes) {
  rate_.add(driver_.now(), room.members.size());
  const unsigned delay_ms = gathering_ms(room);
  if (delay_ms == 0) {
    schedule(room, true, 0);
    return;
  }
  if (!room.dirty) {
    room.dirty_since = seq;
    room.pending_bytes = 0;
  }
  room.pending_bytes += encoded_bytes;
  // While gathering, write before the delay when waiting cannot help: half a
  // frame is pending (frames would not grow much, only arrive later), or a
  // burst is filling the ring (it could overtake readers who did nothing wrong).
  const bool soon = room.pending_bytes >= options_.max_frame_bytes / 2 ||
                    seq - room.dirty_since >= options_.history_events / 2;
  if (soon) {
    room.dirty_since = seq + 1;
    room.pending_bytes = 0;
  }
  schedule(room, soon, delay_ms);
}

void Fanout::schedule(Room& room, bool soon, unsigned delay_ms) {
  if (room.dirty && room.unoffered < room.members.size()) {
    // A flush is under way in this room. The members it has not reached get
    // what was just added in this pass; the ones it passed, in another pass
    // once it ends. Starting over here would offer the same members again
    // and again while new messages arrive, and never reach the others.
    room.offer_again = true;
    room.offer_again_soon = room.offer_again_soon || soon;
    return;
  }
  room.unoffered = static_cast<std::uint32_t>(room.members.size());
  if (!room.dirty) {
    room.dirty = true;
    dirty_rooms_.push_back(&room);
    if (dirty_rooms_.size() == 1 && !soon) driver_.arm_flush(delay_ms);
  }
  soon_ = soon_ || soon;
}

void Fanout::flush() {
  std::size_t budget = kWritesPerTurn;
  std::size_t finished = 0;
  for (Room* room : dirty_rooms_) {
    while (room->unoffered > 0 && budget > 0) {
      Session& member = *room->members[--room->unoffered];
      if (!driver_.push(member)) delivery_.request_write(member);
      --budget;
    }
    if (room->unoffered > 0) break;
    room->dirty = false;
    room->last_written = driver_.now();
    if (room->offer_again) rooms_to_offer_again_.push_back(room);
    ++finished;
  }
  dirty_rooms_.erase(dirty_rooms_.begin(),
                     dirty_rooms_.begin() + static_cast<std::ptrdiff_t>(finished));
  soon_ = !dirty_rooms_.empty();  // the rest at the end of the next turn
  for (Room* room : rooms_to_offer_again_) {
    room->offer_again = false;
    const bool soon = std::exchange(room->offer_again_soon, false);
    schedule(*room, soon, soon ? 0 : gathering_ms(*room));
  }
  rooms_to_offer_again_.clear();
  if (soon_) driver_.flush_next_turn();
}

void Fanout::forget(Room& room) {
  if (room.dirty) std::erase(dirty_rooms_, &room);
  room.dirty = false;
}

}  // namespace hubchat::relay
