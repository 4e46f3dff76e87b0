#include "relay/hub/room_registry.hpp"

#include <algorithm>

#include "shared/heap_size.hpp"

namespace hubchat::relay {

std::size_t RoomRegistry::room_overhead(const Room& room) {
  // The map node holds the key, the pointer, the cached hash and a link; the
  // bucket array adds about one pointer per room.
  constexpr std::size_t kMapEntry =
      heap_chunk_bytes(sizeof(std::pair<const std::string, std::unique_ptr<Room>>) + 16) +
      sizeof(void*);
  constexpr std::size_t kIdleEntry = heap_chunk_bytes(3 * sizeof(void*));
  constexpr std::size_t kFixed = kMapEntry + kIdleEntry + heap_chunk_bytes(sizeof(Room)) +
                                 heap_chunk_bytes(sizeof(RingRoomLog)) +
                                 RingRoomLog::kEmptyHeapBytes;
  // The broker's state of an open room (its seq counter and window, keyed by
  // name again) is charged with the room it belongs to.
  constexpr std::size_t kBrokerEntry =
      heap_chunk_bytes(sizeof(std::string) + 4 * sizeof(void*)) + sizeof(void*);
  return kFixed + kBrokerEntry + 2 * heap_bytes(room.name);  // the name is the map's key too
}

std::vector<RoomRegistry::InUse> RoomRegistry::in_use() const {
  std::vector<InUse> rooms;
  for (const auto& [name, room] : rooms_)
    if (!room->members.empty()) rooms.push_back({name, room->presence.count()});
  std::ranges::sort(rooms, {}, &InUse::name);
  return rooms;
}

Room* RoomRegistry::find(std::string_view name) {
  const auto it = rooms_.find(std::string(name));
  return it == rooms_.end() ? nullptr : it->second.get();
}

Room& RoomRegistry::get(std::string_view name) {
  if (Room* found = find(name)) return *found;
  auto room = std::make_unique<Room>();
  room->name = std::string(name);
  history_bytes_ += room_overhead(*room);  // the cache comes with the room's first `ready`
  Room& created = *rooms_.emplace(room->name, std::move(room)).first->second;
  set_idle(created, true);
  return created;
}

void RoomRegistry::set_idle(Room& room, bool idle) {
  if (idle)
    room.idle_entry = idle_rooms_.insert(idle_rooms_.end(), &room);
  else
    idle_rooms_.erase(room.idle_entry);
}

void RoomRegistry::erase(Room& room) {
  history_bytes_ -= (room.log ? room.log->bytes() : 0) + room_overhead(room);
  if (room.members.empty()) idle_rooms_.erase(room.idle_entry);
  rooms_.erase(rooms_.find(room.name));
}

void RoomRegistry::replace_cache(Room& room, Seq first_seq) {
  if (room.log) history_bytes_ -= room.log->bytes();
  room.tombstones.clear();  // seqs of the old cache
  room.log.reset();         // before the new one: the old one's memory can serve it
  room.log =
      std::make_unique<RingRoomLog>(options_.history_events, options_.history_bytes, first_seq);
  history_bytes_ += room.log->bytes();
}

void RoomRegistry::recount(Room& room, std::size_t bytes_before) {
  history_bytes_ = history_bytes_ - bytes_before + room.log->bytes();
}

}  // namespace hubchat::relay
