// The hub: rooms, their members and their logs. It turns client requests into
// logged events (encoded once, for both dialects) and wakes the members whose
// write pump has something new to send. No lws in here: the server supplies
// the wake-up function, so the hub's rules are plain C++.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "relay/metrics.hpp"
#include "relay/options.hpp"
#include "relay/session.hpp"
#include "shared/room_log.hpp"

namespace hubchat::relay {

struct Room {
  std::string name;
  std::unique_ptr<RoomLog> log;
  std::vector<Session*> members;
  bool dirty = false;             // has events its readers were not woken for yet
  Seq dirty_since = 0;            // first seq not yet announced to the readers
  std::size_t pending_bytes = 0;  // encoded size of those events
};

class Hub {
 public:
  // Asks the transport to call the session's write pump soon.
  using Wake = std::function<void(Session&)>;
  // With --flush-interval: asks for flush() to be called after the interval.
  using ArmFlush = std::function<void()>;
  // From flush(): sends the session's next frame right away if the transport
  // can; false when it has to wait for a writable callback instead.
  using Push = std::function<bool(Session&)>;

  Hub(const Options& options, Metrics& metrics, Wake wake, std::uint64_t epoch,
      ArmFlush arm_flush = {}, Push push = {});

  // With --flush-interval, a room's readers are woken by flush() (the timer)
  // unless half a frame of events or half the ring is pending, which wakes
  // them at once. flush() offers every reader of a room that logged events
  // since then to `push`, and wakes the ones it declines.
  void flush();

  std::uint64_t epoch() const { return epoch_; }
  std::size_t room_count() const { return rooms_.size(); }
  std::size_t history_bytes() const { return history_bytes_; }

  // A legacy client enters at the live end of `room` (no replay).
  void join_live(Session& session, std::string_view room, std::string_view nick);
  // A lossless `join` request: validates, moves the session, queues the
  // welcome (+ missed notice) and sets the cursor for the replay.
  void join(Session& session, const Event& request);
  // The session leaves its room (connection closing).
  void leave(Session& session);
  void post(Session& session, std::string_view body);
  void rename(Session& session, std::string_view nick);

  // Per-client replies; closes the session (1008) when it lets them pile up.
  void reply(Session& session, const Event& event);
  void reply_error(Session& session, std::string_view code, std::string_view message);

  // Marks the session for closing with `code` at its next writable callback.
  void close(Session& session, std::uint16_t code, const char* reason, CloseReason counted_as);
  void request_write(Session& session);
  std::string guest_nick();

 private:
  Room& room_named(std::string_view name);
  std::string unique_nick(const Room& room, std::string_view wanted) const;
  void enter(Session& session, Room& room, std::string nick);
  // Stamps seq/ts, encodes once per dialect, appends, wakes the members.
  void append(Room& room, Event event);
  void wake_members(Room& room);
  // Keeps all rooms' history under Options::history_total_bytes: forgets
  // rooms nobody is in first, then trims the room that just grew.
  void enforce_total_history_bound(Room& grown);

  const Options& options_;
  Metrics& metrics_;
  Wake wake_;
  Push push_;
  ArmFlush arm_flush_;
  std::uint64_t epoch_;
  std::vector<Room*> dirty_rooms_;
  std::uint64_t guests_ = 0;
  std::size_t history_bytes_ = 0;  // all rooms' logs + per-room overhead
  std::size_t empty_rooms_ = 0;    // rooms without members (forgettable)
  Seq highest_seq_ = 0;            // new rooms start above it: seqs never repeat
  std::unordered_map<std::string, std::unique_ptr<Room>> rooms_;
};

}  // namespace hubchat::relay
