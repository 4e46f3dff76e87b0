// The hub: requests from clients (join, post, rename, members) and the
// broker's news, turned into each room's cache and presence. It owns the
// parts that do the rest and changes their state only through them:
//  - RoomRegistry: the rooms and what their caches cost;
//  - Delivery: each session's cursor, replies and close (the one writer);
//  - Fanout: which readers are offered a frame, and when.
// No lws in here: the server drives it through the narrow HubDriver, so the
// hub's rules are plain C++ and unit-tested.
//
// A chat message takes one path whichever broker orders it (broker.hpp):
// post() hands it to the Broker; at the end of the loop turn end_of_turn()
// takes the broker's news: the message, with its seq, is encoded once into
// the room's cache and the readers are offered it. Until the broker says a
// room is ready, joins to it wait (no welcome yet).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "relay/broker/broker.hpp"
#include "relay/hub/delivery.hpp"
#include "relay/hub/fanout.hpp"
#include "relay/hub/hub_driver.hpp"
#include "relay/hub/moderation_book.hpp"
#include "relay/hub/room.hpp"
#include "relay/hub/room_registry.hpp"
#include "relay/ops/metrics.hpp"
#include "relay/ops/options.hpp"
#include "relay/transport/session.hpp"

namespace hubchat::relay {

class Hub final {
 public:
  // Sender keys and message ids: 1-64 printable ASCII characters.
  static constexpr std::size_t kMaxIdBytes = 64;
  // Member pages: the welcome's first one, and each `members` reply.
  static constexpr std::size_t kWelcomeMembers = 200;
  static constexpr std::size_t kMembersPage = 500;
  static constexpr std::size_t kWritesPerTurn = Fanout::kWritesPerTurn;
  // Lines a legacy client may send before its room is ready (it is held meanwhile).
  static constexpr std::size_t kMaxPostsWaiting = 64;
  // Close codes: a legacy client's message the broker could not take (it has
  // no error channel), and a room whose history got a new epoch (a lossless
  // client rejoins and is told `missed`).
  static constexpr std::uint16_t kUnavailableCloseCode = 1013;
  static constexpr std::uint16_t kHistoryResetCloseCode = 1012;
  // Moderation (docs/PROTOCOL.md): kicked; banned (also a legacy entry refused).
  static constexpr std::uint16_t kKickedCloseCode = 4404;
  static constexpr std::uint16_t kBannedCloseCode = 4405;
  // A mute or ban lasts 1 s to a year.
  static constexpr std::uint64_t kMaxModerationSeconds = 31536000;

  // `epoch`: this run's (rooms of the in-memory broker). Without a broker
  // the hub uses its own MemoryBroker.
  Hub(const Options& options, Metrics& metrics, HubDriver& driver, std::uint64_t epoch,
      Broker* broker = nullptr);
  Hub(const Hub&) = delete;
  Hub& operator=(const Hub&) = delete;

  // The loop is about to wait: takes the broker's news into the rooms'
  // caches, then offers the readers of rooms with something new a frame.
  void end_of_turn();
  // The --flush-interval timer (when an extra delay is configured).
  void flush();
  // The presence timer: encodes each room's gathered presence changes once
  // and has them written to the room's members at the end of the turn.
  void flush_presence();

  std::uint64_t epoch() const { return epoch_; }
  std::size_t room_count() const { return rooms_.size(); }
  std::size_t history_bytes() const { return rooms_.history_bytes(); }
  static std::size_t room_overhead(const Room& room) { return RoomRegistry::room_overhead(room); }
  Delivery& delivery() { return delivery_; }

  // A legacy client enters at the live end of `room` (no replay).
  void join_live(Session& session, std::string_view room, std::string_view nick);
  // A lossless `join` request: validates, moves the session, queues the
  // welcome (+ missed notice) and sets the cursor for the replay.
  void join(Session& session, const Event& request);
  // The session leaves its room (a room switch, or the connection closing).
  void leave(Session& session);
  // The connection is gone: leaves, and forgets its requests in flight.
  void closed(Session& session);
  // A message; with an `id` (and the session's sender key) it is posted at
  // most once, and the sender gets an `ack` naming its seq.
  void post(Session& session, std::string_view body, std::string_view id = {});
  void rename(Session& session, std::string_view nick);
  // A `delete` request: its author (verified, same uid) or a moderator may
  // delete a message of the current room the cache holds; else `forbidden`.
  void delete_message(Session& session, Seq seq);
  // An operator's delete (POST /api/delete), by `by`; false if `room` has no
  // such message held here. The verdict is reported like publish_as's.
  std::optional<std::uint64_t> delete_as(std::string_view room, Seq seq, std::string_view by);
  // An operator's post (POST /api/publish): `from` speaks in `room` as a
  // bot, with no session behind it. Returns the ticket its verdict is
  // reported under (HubDriver::api_published). Names are checked by the caller.
  std::uint64_t publish_as(std::string_view room, std::string_view from, std::string_view body);
  // A kick, mute or ban: what a moderator (a `kick`/`mute`/`ban` request) or
  // the operator (POST /api/kick|mute|ban) asks for. Exactly one target:
  // `nick` (kick: a member of `room`; mute, ban: a member of `room` connected
  // here, meaning its uid if verified, else its address), `uid` or `address`.
  struct ModerationRequest {
    ModerationAction::Kind kind = ModerationAction::Kind::kick;
    std::string room, nick, uid, address, by;
    std::uint64_t seconds = 0;
  };
  // Empty `code`: handed to the broker under `ticket` (its verdict is reported
  // like publish_as's). Else an error code (bad_event, not_found) and why.
  struct ModerationVerdict {
    std::string code, message;
    std::uint64_t ticket = 0;
  };
  // A moderator's request (lossless kick/mute/ban); refusals are answered.
  void moderate(Session& session, const Event& request);
  // The operator's (moderation.cpp); logged by the caller.
  ModerationVerdict moderate_as(const ModerationRequest& request);
  // Rooms with members here, and how many each has (with --redis, on every relay).
  std::vector<RoomRegistry::InUse> rooms_in_use() const { return rooms_.in_use(); }
  // A `members` request: the page of nicks sorted after `after`.
  void members_page(Session& session, std::string_view after);

  void reply_error(Session& session, std::string_view code, std::string_view message) {
    delivery_.reply_error(session, code, message);
  }
  void close(Session& session, std::uint16_t code, const char* reason, CloseReason counted_as) {
    delivery_.close(session, code, reason, counted_as);
  }
  void request_write(Session& session) { delivery_.request_write(session); }
  std::string guest_nick();

 private:
  std::string unique_nick(const Room& room, std::string_view wanted) const;
  void enter(Session& session, Room& room, std::string nick);
  // Sends the welcome (+ missed) and sets the cursor, in a ready room.
  void finish_join(Session& session, bool has_since, Seq since, std::uint64_t epoch);
  void finish_waiting_joins(Room& room);
  // The broker's news.
  void apply(BrokerNews& news);
  void on_ready(Room& room, std::uint64_t epoch, Seq first_seq, std::vector<Event>& messages);
  void on_publish_result(const BrokerNews& news);
  void on_presence(Room& room, std::string_view nick, bool joined);
  // A message was deleted: its tombstone replaces it in the cache, and the
  // room's readers are told through the presence ring (encoded once).
  void on_deleted(Room& room, const Event& deleted);
  // Moderation (moderation.cpp): checks a request and hands it to the broker;
  // applies the broker's `moderation` news (the book, then local sessions);
  // refuses a banned join / a muted post (true: refused and answered).
  ModerationVerdict start_moderation(const ModerationRequest& request, Session* sender);
  void on_moderation(const BrokerNews& news);
  bool refuse_banned(Session& session);
  bool refuse_muted(Session& session);
  // The held message `seq` of `room`, decoded; nullopt if not held.
  std::optional<Event> held_message(const Room& room, Seq seq) const;
  std::uint64_t publish_deletion(std::string_view room, Seq seq, std::string_view by,
                                 Session* sender);
  void presence_changed(Room& room);
  // Encodes once per dialect, appends at the cache's next seq, schedules the readers.
  void append(Room& room, Event event);
  // Keeps all rooms' history under Options::history_total_bytes: forgets
  // rooms nobody is in first, then trims the room that just grew.
  void enforce_total_history_bound(Room& grown);
  void forget(Room& room);

  const Options& options_;
  Metrics& metrics_;
  HubDriver& driver_;
  std::uint64_t epoch_;
  std::unique_ptr<Broker> own_broker_;  // the MemoryBroker, when none was given
  Broker& broker_;
  RoomRegistry rooms_;
  ModerationBook moderation_;  // changed only by on_moderation (broker news)
  Delivery delivery_;
  Fanout fanout_;
  // Requests at the broker, by ticket: whom to tell the verdict.
  struct InFlight {
    Session* sender;  // null: an operator's post (publish_as)
    std::string id;   // for the `ack`
  };
  std::unordered_map<std::uint64_t, InFlight> publishing_;
  std::uint64_t next_ticket_ = 1;
  std::vector<BrokerNews> news_;  // end_of_turn()'s scratch list, kept for its capacity
  std::vector<Room*> presence_dirty_rooms_;
  std::uint64_t guests_ = 0;
};

}  // namespace hubchat::relay
