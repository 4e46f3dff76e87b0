// The in-memory broker (the default, one relay): this process assigns the
// seqs, in the order messages are accepted, and hands each back at once. The
// room's ring is the whole history, so resends are recognized by the dedupe
// keys it holds (RoomLog::find_accepted).
#pragma once

#include "relay/broker/broker.hpp"

namespace hubchat::relay {

class MemoryBroker final : public Broker {
 public:
  void attach(BrokerSink& sink) override { sink_ = &sink; }
  // Rooms are ready from the start: nothing to subscribe to or fetch.
  void open_room(Room&) override {}
  void close_room(Room&) override {}
  void forget_room(Room&) override {}
  void publish(Room& room, Publication publication) override;
  // One relay: the room's presence is all local.
  void member_joined(Room&, std::string_view) override {}
  void member_left(Room&, std::string_view) override {}
  bool is_remote() const override { return false; }

 private:
  BrokerSink* sink_ = nullptr;
};

}  // namespace hubchat::relay
