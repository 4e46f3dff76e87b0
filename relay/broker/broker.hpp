// The broker seam: the owner of every room's order. The broker assigns seqs,
// keeps the history window, drops resends (dedupe) and names the epoch; the
// hub consumes what it reports, one ordered stream per room, and never
// second-guesses it. Both brokers behave the same behind this interface:
//
//   Hub::post -> Broker::publish ... (end of the loop turn) Broker::take_news
//     -> ready / message / publish_result -> room cache -> readers woken
//
//  - MemoryBroker (the default): this process is the order.
//  - RedisBroker (--redis): one Lua script in Redis assigns the seq, appends
//    to the room's Stream and publishes; every relay with members in the room
//    (this one included) learns of it through pub/sub and the Stream.
//
// Nothing here calls back into the hub: news waits in the broker until the
// hub takes it (once per loop turn), so publish() never re-enters its caller.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shared/event.hpp"

namespace hubchat::relay {

// One accepted message (or a deletion) on its way to the broker.
struct Publication {
  std::string room;
  // type msg: from, body, ts, id (no seq yet). A deletion: type deleted,
  // `seq` the message to delete, `by` who deletes it; it takes no seq of its
  // own and comes back as `deleted` news.
  Event message;
  std::string sender_key;  // with message.id: (room, key, id) is posted at most once
  std::uint64_t ticket;    // names the sender's request in its publish result
};

// A kick, mute or ban on its way through the broker (docs/PROTOCOL.md,
// "Moderation"). Every relay applies it when it comes back as `moderation`
// news: a kick closes the member's sessions in `room`; a mute or ban holds
// relay-wide for `duration_ms` against `uid` or `address` (one of them) and
// closes (ban) or warns (mute) the target's sessions connected now.
struct ModerationAction {
  enum class Kind : std::uint8_t { kick, mute, ban };
  Kind kind = Kind::kick;
  std::string room;               // kick: the member's room
  std::string nick;               // kick: the member's nick
  std::string uid;                // mute, ban: a verified user ...
  std::string address;            // ... or a client address
  std::uint64_t duration_ms = 0;  // mute, ban: how long from now
  std::string by;                 // who, as the target is told
  std::uint64_t ticket = 0;       // names the request in its verdict
};

inline const char* to_string(ModerationAction::Kind kind) {
  switch (kind) {
    case ModerationAction::Kind::kick:
      return "kick";
    case ModerationAction::Kind::mute:
      return "mute";
    case ModerationAction::Kind::ban:
      return "ban";
  }
  return "?";
}

enum class PublishStatus : std::uint8_t {
  accepted,     // it has a seq; its copy comes back as `message` news
  duplicate,    // the same (room, key, id) was accepted before, as `seq`
  unavailable,  // the broker cannot take it now (Redis unreachable): not posted
};

// What the broker reports. Per room, in order:
//  - ready: the room's epoch and history from first_seq (messages contiguous,
//    possibly none). The first after open_room; again whenever the stream
//    stops being "contiguous, same epoch" (a new epoch after Redis lost or
//    rolled back the room, or a gap the Stream no longer holds). If the
//    hub's cache has the same epoch and reaches into [first_seq, ...], it is
//    continued; otherwise it is replaced and the readers are told what they
//    missed.
//  - message: the next message (seq == the previous one's + 1).
//  - presence: a member on another relay joined or left.
//  - publish_result: the verdict on publish(ticket).
//  - deleted: messages[0] (type deleted: seq, by) was deleted; the cache
//    keeps its tombstone in its place.
//  - moderation: `moderation` was taken (this relay's request, status
//    accepted, or another relay's, or one held in Redis at (re)connect: ticket
//    0), or could not be (status unavailable: nothing was done).
struct BrokerNews {
  enum class Kind : std::uint8_t { ready, message, presence, publish_result, deleted, moderation };
  Kind kind = Kind::message;
  std::string room;
  std::uint64_t epoch = 0;      // ready
  Seq first_seq = 1;            // ready: seq of messages[0] (the next seq when empty)
  std::vector<Event> messages;  // ready: the history; message: exactly one
  std::string nick;             // presence
  bool joined = false;          // presence
  std::uint64_t ticket = 0;     // publish_result
  PublishStatus status = PublishStatus::accepted;
  Seq seq = 0;                  // publish_result: the message's seq (accepted, duplicate)
  ModerationAction moderation;  // moderation (its ticket: this relay's request)
};

// Where a room's stream starts, as `ready` would report it, when the broker
// knows it at once.
struct StreamStart {
  std::uint64_t epoch = 0;
  Seq first_seq = 1;  // the next seq (nothing to add to the cache)
};

class Broker {
 public:
  virtual ~Broker() = default;
  // The relay has local members in `room` now: keep its stream coming.
  // `cache_epoch`/`cache_next`: the relay's cache of the room, if it has one
  // (cache_next 0: none): its epoch and the first seq it does not hold.
  // Returns the room's state when the broker knows it at once (the
  // in-memory broker: it is the order); otherwise a `ready` follows.
  virtual std::optional<StreamStart> open_room(std::string_view room, std::uint64_t cache_epoch,
                                               Seq cache_next) = 0;
  // No local members any more.
  virtual void close_room(std::string_view room) = 0;
  // The relay dropped its cache of the room (memory bound).
  virtual void forget_room(std::string_view room) = 0;
  // Posts into an open room. The verdict comes back as publish_result news.
  virtual void publish(Publication publication) = 0;
  // A local member of an open room joined (or took a nick) / left (or gave it up).
  virtual void member_joined(std::string_view room, std::string_view nick) = 0;
  virtual void member_left(std::string_view room, std::string_view nick) = 0;
  // A kick, mute or ban, for every relay (with Redis: stored with its TTL and
  // announced). Comes back as `moderation` news, here too.
  virtual void moderate(ModerationAction action) = 0;
  // Moves what happened since the last call into `news` (cleared first).
  virtual void take_news(std::vector<BrokerNews>& news) = 0;
};

}  // namespace hubchat::relay
