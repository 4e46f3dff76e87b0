// The broker seam: where an accepted chat message gets its place in the
// room's one order. The hub hands every accepted message to a Broker; the
// broker hands it back, with its seq, through the BrokerSink (the hub), and
// only then is it cached in the room's local ring and the readers woken. One
// path for both brokers:
//
//   Hub::post -> Broker::publish -> ... -> BrokerSink::on_message -> ring -> readers
//
//  - MemoryBroker (the default): this process assigns seqs, at once.
//  - RedisBroker (--redis): one Lua script in Redis assigns the seq, appends
//    to the room's Stream and publishes to the room's channel; every relay
//    with members in the room (this one included) gets it from pub/sub.
//
// A room is "open" while the relay has local members in it: the broker then
// keeps its cache in step (Redis: subscribed). A room's cache is usable once
// the broker said on_room_ready (its epoch and where its history starts).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "shared/event.hpp"

namespace hubchat::relay {

struct Room;

// One accepted message on its way to the broker.
struct Publication {
  Event message;           // type msg: from, body, ts, id (no seq yet)
  std::string dedupe_key;  // "key\nid" when the sender gave both, else empty
  std::uint64_t ticket;    // names the sender's request in on_publish_result
};

enum class PublishStatus : std::uint8_t {
  accepted,     // it has a seq; its copy comes back through on_message
  duplicate,    // the same (room, key, id) was accepted before, as `seq`
  unavailable,  // the broker cannot take it now (Redis unreachable): not posted
};

// Messages of a room, oldest first, each with its seq (contiguous).
struct BrokerHistory {
  std::uint64_t epoch = 0;
  Seq first_seq = 1;  // seq of the first of `messages` (next seq when empty)
  std::vector<Event> messages;
};

// What the broker reports to the hub.
class BrokerSink {
 public:
  // The room's cache can be (re)built: its epoch and recent history. Also
  // after the room's epoch changed (its Redis data was lost).
  virtual void on_room_ready(std::string_view room, BrokerHistory history) = 0;
  // The next message of the room, with its seq: seq == the cache's next seq.
  virtual void on_message(std::string_view room, Event message, std::string dedupe_key) = 0;
  // Presence on other relays (Redis): `nick` joined or left the room there.
  virtual void on_presence(std::string_view room, std::string_view nick, bool joined) = 0;
  // The outcome of publish() for the request named by `ticket`.
  virtual void on_publish_result(std::uint64_t ticket, PublishStatus status, Seq seq) = 0;

 protected:
  ~BrokerSink() = default;
};

class Broker {
 public:
  virtual ~Broker() = default;
  // Called once, before anything else: where results go.
  virtual void attach(BrokerSink& sink) = 0;
  // The relay has local members in `room` now (open) / no more (close).
  // `next_seq`: the first seq the cache does not hold (0: no cache).
  virtual void open_room(Room& room) = 0;
  virtual void close_room(Room& room) = 0;
  // The relay forgets the room's cache.
  virtual void forget_room(Room& room) = 0;
  virtual void publish(Room& room, Publication publication) = 0;
  // A local member of an open room joined (or took a nick) / left (or gave it up).
  virtual void member_joined(Room& room, std::string_view nick) = 0;
  virtual void member_left(Room& room, std::string_view nick) = 0;
  // Whether rooms may become ready later than open_room() returns.
  virtual bool is_remote() const = 0;
};

}  // namespace hubchat::relay
