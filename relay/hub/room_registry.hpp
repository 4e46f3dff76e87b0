// The rooms this relay holds, and what their caches cost: rooms are created
// on first use, kept while idle (nobody in them) for their history, and
// forgotten idle-longest first when all caches together pass
// --history-total-bytes. The one owner of the room map and of that figure.
#pragma once

#include <cstddef>
#include <list>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "relay/hub/room.hpp"
#include "relay/ops/options.hpp"

namespace hubchat::relay {

class RoomRegistry {
 public:
  explicit RoomRegistry(const Options& options) : options_(options) {}

  Room* find(std::string_view name);
  // The room, created (idle, not ready, empty cache) if it is new.
  Room& get(std::string_view name);
  void set_idle(Room& room, bool idle);
  // The room nobody has been in for the longest, or nullptr.
  Room* longest_idle() { return idle_rooms_.empty() ? nullptr : idle_rooms_.front(); }
  void erase(Room& room);

  // Gives the room a fresh cache whose first message will be `first_seq`.
  void replace_cache(Room& room, Seq first_seq);
  // Re-reads what the room's cache costs after it changed.
  void recount(Room& room, std::size_t bytes_before);

  std::size_t size() const { return rooms_.size(); }
  // Calls `visit(room)` for every room held (moderation: a ban finds its
  // target's sessions wherever they are; rare).
  template <class Visit>
  void for_each(Visit&& visit) {
    for (auto& [name, room] : rooms_) visit(*room);
  }
  // Rooms someone is in (presence: this relay's members and, with --redis,
  // other relays'), sorted by name.
  struct InUse {
    std::string name;
    std::uint64_t members = 0;
  };
  std::vector<InUse> in_use() const;
  // What all rooms' caches hold, heap included (bounded by --history-total-bytes).
  std::size_t history_bytes() const { return history_bytes_; }
  bool over_bound() const { return history_bytes_ > options_.history_total_bytes; }
  // What a room costs beyond its messages: map entry, Room, log, name.
  static std::size_t room_overhead(const Room& room);

 private:
  const Options& options_;
  std::unordered_map<std::string, std::unique_ptr<Room>> rooms_;
  std::list<Room*> idle_rooms_;  // nobody in them, longest idle first
  std::size_t history_bytes_ = 0;
};

}  // namespace hubchat::relay
