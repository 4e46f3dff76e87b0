// The hub: rooms, their members, their chat history and their presence. It
// turns client requests into events (encoded once, for both dialects) and
// wakes the members whose write pump has something new to send. No lws in
// here: the server drives it through the narrow HubDriver interface, so the
// hub's rules are plain C++ and unit-tested.
//
// A chat message takes one path whichever broker orders it (broker.hpp):
// post() hands it to the Broker; the broker gives it back with its seq
// through on_message(), which caches it in the room's ring (encoded once)
// and wakes the readers. A room's ring is this relay's cache of its history;
// until the broker says the room is ready, joins to it wait (no welcome yet).
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "relay/broker/broker.hpp"
#include "relay/ops/metrics.hpp"
#include "relay/ops/options.hpp"
#include "relay/hub/presence.hpp"
#include "relay/transport/session.hpp"
#include "shared/room_log.hpp"

namespace hubchat::relay {

struct Room {
  std::string name;
  std::unique_ptr<RoomLog> log;  // chat messages only
  RoomPresence presence;
  std::vector<Session*> members;
  std::list<Room*>::iterator idle_entry;  // in the hub's idle list while nobody is in it
  bool dirty = false;                     // in the hub's flush list: members to offer a write
  // While dirty: members[0, unoffered) have not been offered a write by
  // this flush yet (flush() works from the back, so swap-removal keeps it true).
  std::uint32_t unoffered = 0;
  // Something was added while a flush was under way: the members it already
  // passed get another pass when it ends (restarting it would starve the rest).
  bool offer_again = false;
  bool offer_again_soon = false;  // ...at the loop's next turn, not after the interval
  bool presence_dirty = false;    // has presence changes not flushed yet
  Seq dirty_since = 0;            // first seq not yet announced to the readers
  std::size_t pending_bytes = 0;  // encoded size of those messages
  // The room's epoch (its history's identity: the relay's run, or Redis's).
  std::uint64_t epoch = 0;
  // The broker has filled the cache: joins can be answered.
  bool ready = false;
  std::uint32_t joins_waiting = 0;  // members whose join waits for `ready`
};

// What the hub needs from the transport (the server, or a test).
class HubDriver {
 public:
  // Asks for the session's write pump to run soon.
  virtual void wake(Session& session) = 0;
  // Writes the session's next frame now if the transport can; false when
  // it has to wait for the write pump instead.
  virtual bool push(Session& session) = 0;
  // Asks for Hub::flush() after --flush-interval.
  virtual void arm_flush() = 0;
  // Asks for Hub::flush() at the loop's next turn, after it has looked at
  // its sockets (a flush that stopped at its budget goes on there).
  virtual void flush_next_turn() = 0;
  // Asks for Hub::flush_presence() after --presence-interval.
  virtual void arm_presence_flush() = 0;

 protected:
  ~HubDriver() = default;
};

class Hub final : private BrokerSink {
 public:
  // Sender keys and message ids: 1-64 printable ASCII characters.
  static constexpr std::size_t kMaxIdBytes = 64;
  // Member pages: the welcome's first one, and each `members` reply.
  static constexpr std::size_t kWelcomeMembers = 200;
  static constexpr std::size_t kMembersPage = 500;
  // Writes one flush() makes before it yields to the loop: a message to a
  // 10,000-member room would otherwise hold the loop for its whole fan-out
  // (~20 ms per thousand sends), and everyone's input and timers with it.
  static constexpr std::size_t kWritesPerTurn = 128;
  // Close codes: a legacy client's message the broker could not take (it has
  // no error channel), and a room whose history the message store lost (a
  // lossless client rejoins and is told `missed`).
  static constexpr std::uint16_t kUnavailableCloseCode = 1013;
  static constexpr std::uint16_t kHistoryResetCloseCode = 1012;

  // `epoch`: this run's (rooms of the in-memory broker). Without a broker
  // the hub uses its own MemoryBroker.
  Hub(const Options& options, Metrics& metrics, HubDriver& driver, std::uint64_t epoch,
      Broker* broker = nullptr);
  Hub(const Hub&) = delete;
  Hub& operator=(const Hub&) = delete;

  // With --flush-interval, a room's readers are written to by flush() (the
  // timer), or at the loop's next turn when half a frame of messages or half
  // the ring is pending. flush() offers each member of the rooms in its list
  // to the driver's push (a writable callback for those it declines), at most
  // kWritesPerTurn per call, and asks for the next turn while any are left.
  void flush();
  // The presence timer: encodes each room's gathered presence changes once
  // and has flush() write them to the room's members at the next turn.
  void flush_presence();

  std::uint64_t epoch() const { return epoch_; }
  std::size_t room_count() const { return rooms_.size(); }
  // What all rooms' history holds in memory, heap included (the figure
  // --history-total-bytes bounds).
  std::size_t history_bytes() const { return history_bytes_; }
  // What a room costs beyond its messages: map entry, Room, log, name.
  static std::size_t room_overhead(const Room& room);

  // A legacy client enters at the live end of `room` (no replay).
  void join_live(Session& session, std::string_view room, std::string_view nick);
  // A lossless `join` request: validates, moves the session, queues the
  // welcome (+ missed notice) and sets the cursor for the replay.
  void join(Session& session, const Event& request);
  // The session leaves its room (a room switch, or the connection closing).
  void leave(Session& session);
  // The connection is gone: leaves, and forgets its requests in flight.
  void closed(Session& session);
  // A message; with an `id` (and the session's sender key) a resend of one
  // already accepted is answered with an `ack` instead of being posted again.
  void post(Session& session, std::string_view body, std::string_view id = {});
  void rename(Session& session, std::string_view nick);
  // A `members` request: the page of nicks sorted after `after`.
  void members_page(Session& session, std::string_view after);

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
  // Sends the welcome (+ missed) and sets the cursor, in a ready room.
  void finish_join(Session& session, bool has_since, Seq since, std::uint64_t epoch);
  void finish_waiting_joins(Room& room);
  Room* find_room(std::string_view name);
  // BrokerSink: what the broker reports.
  void on_room_ready(std::string_view room, BrokerHistory history) override;
  void on_message(std::string_view room, Event message, std::string dedupe_key) override;
  void on_publish_result(std::uint64_t ticket, PublishStatus status, Seq seq) override;
  void on_presence(std::string_view room, std::string_view nick, bool joined) override;
  void presence_changed(Room& room);
  // Encodes once per dialect, appends (event.seq is the log's next), wakes the members.
  void append(Room& room, Event event, std::string dedupe_key);
  void wake_members(Room& room);
  // Puts the room in the flush list with every member to be offered a write,
  // at the timer or (soon) at the next turn.
  void schedule_flush(Room& room, bool soon);
  // Keeps all rooms' history under Options::history_total_bytes: forgets
  // rooms nobody is in first, then trims the room that just grew.
  void enforce_total_history_bound(Room& grown);
  void forget(Room& room);
  void set_idle(Room& room, bool idle);

  const Options& options_;
  Metrics& metrics_;
  HubDriver& driver_;
  std::uint64_t epoch_;
  std::unique_ptr<Broker> own_broker_;  // the MemoryBroker, when none was given
  Broker& broker_;
  // Requests at the broker, by ticket: whom to tell a duplicate or a failure.
  struct InFlight {
    Session* sender;
    std::string id;  // for the `ack` of a duplicate
  };
  std::unordered_map<std::uint64_t, InFlight> publishing_;
  std::uint64_t next_ticket_ = 1;
  std::vector<Room*> dirty_rooms_;
  std::vector<Room*> rooms_to_offer_again_;  // flush()'s scratch list, kept for its capacity
  std::vector<Room*> presence_dirty_rooms_;
  std::uint64_t guests_ = 0;
  std::size_t history_bytes_ = 0;  // all rooms' logs + room_overhead()
  Seq highest_seq_ = 0;            // new rooms start above it: seqs never repeat
  std::unordered_map<std::string, std::unique_ptr<Room>> rooms_;
  std::list<Room*> idle_rooms_;  // rooms nobody is in, longest idle first (forgotten first)
};

}  // namespace hubchat::relay
