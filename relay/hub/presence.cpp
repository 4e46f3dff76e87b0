#include "relay/hub/presence.hpp"

#include "shared/event.hpp"
#include "shared/lossless_codec.hpp"

namespace hubchat::relay {

void RoomPresence::remove(std::string_view nick) {
  if (auto it = nicks_.find(nick); it != nicks_.end()) nicks_.erase(it);
}

std::vector<std::string> RoomPresence::page(std::string_view after, std::size_t limit,
                                            bool& more) const {
  std::vector<std::string> nicks;
  auto it = after.empty() ? nicks_.begin() : nicks_.upper_bound(after);
  for (; it != nicks_.end() && nicks.size() < limit; ++it) nicks.push_back(*it);
  more = it != nicks_.end();
  return nicks;
}

void RoomPresence::record(Change change) {
  // Past the itemizing limit only the count matters: memory stays bounded
  // however large the burst.
  if (++pending_count_ <= kItemizedPerFlush) pending_.push_back(std::move(change));
}

void RoomPresence::joined(std::string_view nick) {
  record({Change::Kind::join, std::string(nick), {}});
}

void RoomPresence::left(std::string_view nick) {
  record({Change::Kind::leave, std::string(nick), {}});
}

void RoomPresence::renamed(std::string_view from, std::string_view to) {
  record({Change::Kind::rename, std::string(to), std::string(from)});
}

void RoomPresence::append(std::string line) {
  if (ring_.size() < kRingEvents)
    ring_.push_back(std::move(line));
  else
    ring_[(next_ - base_) % kRingEvents] = std::move(line);
  ++next_;
}

bool RoomPresence::flush(std::string_view room, std::int64_t ts) {
  if (!has_pending()) return false;
  Event event;
  event.room = std::string(room);
  event.ts = ts;
  event.count = count();
  event.type = EventType::presence;
  summary_.clear();
  lossless::encode_to(event, summary_);
  if (pending_count_ > kItemizedPerFlush) {
    append(summary_);
  } else {
    for (Change& change : pending_) {
      event.type = change.kind == Change::Kind::join    ? EventType::join
                   : change.kind == Change::Kind::leave ? EventType::leave
                                                        : EventType::nick;
      event.nick = std::move(change.nick);
      event.from = std::move(change.from);
      std::string line;
      lossless::encode_to(event, line);
      append(std::move(line));
    }
  }
  pending_.clear();
  pending_count_ = 0;
  return true;
}

void RoomPresence::clear_ring() {
  std::vector<std::string>().swap(ring_);
  std::vector<Change>().swap(pending_);
  pending_count_ = 0;
  std::string().swap(summary_);
  base_ = next_;
}

}  // namespace hubchat::relay
