// The room log: an append-only ring of already-encoded chat messages, bounded both in
// event count and in bytes. An event is stored once however many readers the
// room has; its sequence number is its position. Readers hold only a cursor
// (the next seq they want), so memory is O(ring) per room + O(1) per reader.
#pragma once

#include <cstddef>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>

#include "shared/event.hpp"

namespace hubchat {

// One chat message, encoded once for each dialect.
struct StoredEvent {
  std::string lossless;  // the JSON line
  std::string legacy;    // the legacy body
};

// Where a reader that already has everything up to `since` should continue.
struct ResumePoint {
  Seq next = 0;         // first seq to send
  Seq missed_from = 0;  // inclusive range no longer held; empty when missed_to < missed_from
  Seq missed_to = 0;
  bool missed() const { return missed_to >= missed_from && missed_from != 0; }
};

// The interface the hub uses; RingRoomLog is the embedded in-memory default.
class RoomLog {
 public:
  virtual ~RoomLog() = default;
  virtual Seq first_seq() const = 0;  // oldest held; == next_seq() when empty
  virtual Seq next_seq() const = 0;   // what append() assigns next
  // nullptr if `seq` is not held (evicted or not yet written).
  virtual const StoredEvent* at(Seq seq) const = 0;
  virtual Seq append(StoredEvent event) = 0;
  // Swaps the stored encodings of a held `seq` (a deleted message becomes
  // its tombstone); false if `seq` is not held.
  virtual bool replace(Seq seq, StoredEvent event) = 0;
  // Evicts the oldest event (for a relay-wide memory bound); false if empty.
  virtual bool drop_oldest() = 0;
  virtual std::size_t bytes() const = 0;
  virtual std::size_t size() const = 0;

  bool holds(Seq seq) const { return seq >= first_seq() && seq < next_seq(); }
  // `since` = last seq the reader has (0 = none).
  ResumePoint resume_after(Seq since) const;
};

class RingRoomLog final : public RoomLog {
 public:
  // `first_seq` is the seq of the first event appended.
  RingRoomLog(std::size_t max_events, std::size_t max_bytes, Seq first_seq = 1);

  Seq first_seq() const override { return first_; }
  Seq next_seq() const override { return first_ + events_.size(); }
  const StoredEvent* at(Seq seq) const override;
  Seq append(StoredEvent event) override;
  bool replace(Seq seq, StoredEvent event) override;
  bool drop_oldest() override;
  std::size_t bytes() const override { return bytes_; }
  std::size_t size() const override { return events_.size(); }

  // Bytes an event takes from the heap (its slot in the deque and its
  // strings' buffers), charged against the byte bound.
  static std::size_t cost(const StoredEvent& event);
  // What an empty log takes from the heap (the deque's first block and map).
  static constexpr std::size_t kEmptyHeapBytes = 512 + 16 + 64 + 16;

 private:
  std::size_t max_events_;
  std::size_t max_bytes_;
  std::deque<StoredEvent> events_;
  Seq first_ = 1;
  std::size_t bytes_ = 0;
};

}  // namespace hubchat
