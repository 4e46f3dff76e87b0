// A room's presence: who is in it, and how its readers hear of changes.
//
// Presence is kept apart from the chat history on purpose: join/leave churn
// (a reconnect storm, a flood of renames) must neither push chat messages out
// of the room's ring nor overtake a reader and close it as a slow consumer.
//
//  - The member set is sorted, for O(log n) nick uniqueness checks and for
//    member pages (`welcome`, `members`): nothing scans the members.
//  - Changes are gathered until flush() (the hub's presence timer), then
//    become one encoded event each, or a single `presence` summary when there
//    were too many to itemize. Either way they are encoded once per room.
//  - The encoded events sit in a short ring that readers follow with a
//    cursor, as they follow the chat ring. A reader the ring has left behind
//    is sent the summary instead, and is not closed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace hubchat::relay {

class RoomPresence {
 public:
  using Version = std::uint64_t;  // position in the ring of presence events

  static constexpr std::size_t kRingEvents = 256;
  // More changes than this in one flush are summarized, not itemized.
  static constexpr std::size_t kItemizedPerFlush = 16;

  // ---- the member set ----
  std::size_t count() const { return nicks_.size(); }
  bool contains(std::string_view nick) const { return nicks_.find(nick) != nicks_.end(); }
  // add/remove change the set only; joined/left/renamed record the change.
  void add(std::string_view nick) { nicks_.emplace(nick); }
  void remove(std::string_view nick);
  // Forgets every member (a room that was left by all local members: what
  // other relays have in it is refilled from Redis at the next open).
  void clear_members() { nicks_.clear(); }
  // Up to `limit` nicks sorted after `after` ("": from the first). `more`:
  // whether others follow the last one returned.
  std::vector<std::string> page(std::string_view after, std::size_t limit, bool& more) const;

  // ---- changes, sent at the next flush() ----
  void joined(std::string_view nick);
  void left(std::string_view nick);
  void renamed(std::string_view from, std::string_view to);
  bool has_pending() const { return pending_count_ > 0; }
  // Encodes the pending changes of `room` into the ring; false if there were none.
  bool flush(std::string_view room, std::int64_t ts);
  // A room-wide notice that is not presence (a message's `deleted` event),
  // already encoded: its readers get it through the same ring, encoded once.
  void notice(std::string line) { append(std::move(line)); }
  // Nobody is left to read the ring: frees it (an empty room is cheap to keep).
  void clear_ring();

  // ---- the ring readers follow ----
  Version first_version() const { return next_ - ring_.size(); }
  Version next_version() const { return next_; }
  const std::string& at(Version version) const { return ring_[(version - base_) % kRingEvents]; }
  // {"type":"presence",...} with the count as of the last flush: what a
  // reader the ring has left behind gets instead of the events it missed.
  const std::string& summary() const { return summary_; }

 private:
  struct Change {
    enum class Kind : std::uint8_t { join, leave, rename } kind;
    std::string nick, from;
  };
  void record(Change change);
  void append(std::string line);

  std::set<std::string, std::less<>> nicks_;
  // Kept only while they could still be itemized; pending_count_ counts all.
  std::vector<Change> pending_;
  std::size_t pending_count_ = 0;
  std::vector<std::string> ring_;  // version v at ring_[(v - base_) % kRingEvents]
  Version base_ = 0;               // the version ring_[0] was first filled with
  Version next_ = 0;
  std::string summary_;
};

}  // namespace hubchat::relay
