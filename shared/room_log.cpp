#include "shared/room_log.hpp"

#include "shared/heap_size.hpp"

namespace hubchat {

ResumePoint RoomLog::resume_after(Seq since) const {
  ResumePoint point;
  Seq wanted = since + 1;
  if (wanted < first_seq()) {
    point.missed_from = wanted;
    point.missed_to = first_seq() - 1;
    point.next = first_seq();
  } else {
    // A `since` beyond the end cannot come from this log; start at the live end.
    point.next = wanted > next_seq() ? next_seq() : wanted;
  }
  return point;
}

RingRoomLog::RingRoomLog(std::size_t max_events, std::size_t max_bytes, Seq first_seq)
    : max_events_(max_events ? max_events : 1), max_bytes_(max_bytes), first_(first_seq) {}

std::size_t RingRoomLog::cost(const StoredEvent& event) {
  // A deque block is 512 bytes of slots plus a 16-byte chunk header.
  constexpr std::size_t kSlot = sizeof(StoredEvent) + sizeof(StoredEvent) * 16 / 512;
  return kSlot + heap_bytes(event.lossless) + heap_bytes(event.legacy);
}

const StoredEvent* RingRoomLog::at(Seq seq) const {
  if (seq < first_ || seq >= next_seq()) return nullptr;
  return &events_[seq - first_];
}

Seq RingRoomLog::append(StoredEvent event) {
  Seq seq = next_seq();
  bytes_ += cost(event);
  events_.push_back(std::move(event));
  // Evict from the tail until both bounds hold; the newest event always stays,
  // so a single event larger than the byte bound is still delivered.
  while (events_.size() > 1 && (events_.size() > max_events_ || bytes_ > max_bytes_)) drop_oldest();
  return seq;
}

bool RingRoomLog::replace(Seq seq, StoredEvent event) {
  if (seq < first_ || seq >= next_seq()) return false;
  StoredEvent& held = events_[seq - first_];
  bytes_ = bytes_ - cost(held) + cost(event);
  held = std::move(event);
  // A tombstone is smaller than what it replaces, so the bounds still hold.
  return true;
}

bool RingRoomLog::drop_oldest() {
  if (events_.empty()) return false;
  bytes_ -= cost(events_.front());
  events_.pop_front();
  ++first_;
  return true;
}

}  // namespace hubchat
