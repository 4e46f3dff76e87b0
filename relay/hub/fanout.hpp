// The fan-out scheduler: which members of which rooms are offered a write,
// and when. A room that got something new is marked; at the end of the loop
// turn its members are offered a frame each, at most kWritesPerTurn per
// turn, so that what arrived in one turn shares one frame per reader and a
// 10,000-member room does not hold the loop for its whole fan-out.
//
// Two things can make a room wait instead: --flush-interval (a fixed extra
// delay, off by default), and a busy relay (--coalesce-above deliveries/s),
// where a room written less than --coalesce-ms ago gathers its next events
// until then. A quiet room is never made to wait: its first event after a
// pause goes out in the turn it arrived.
#pragma once

#include <cstddef>
#include <vector>

#include "relay/hub/delivery.hpp"
#include "relay/hub/delivery_rate.hpp"
#include "relay/hub/hub_driver.hpp"
#include "relay/hub/room.hpp"
#include "relay/ops/options.hpp"

namespace hubchat::relay {

class Fanout {
 public:
  // Writes one flush makes before it yields to the loop (~20 ms per
  // thousand sends would otherwise hold everyone's input and timers).
  static constexpr std::size_t kWritesPerTurn = 128;

  Fanout(const Options& options, HubDriver& driver, Delivery& delivery)
      : options_(options), driver_(driver), delivery_(delivery) {}

  // A message of `encoded_bytes` was appended to the room's cache as `seq`.
  void appended(Room& room, Seq seq, std::size_t encoded_bytes);
  // Something other than chat is new (presence, a reset): offer soon.
  void changed(Room& room) { schedule(room, true, 0); }
  // The end of a loop turn: offers writes to the rooms that want them now.
  void end_of_turn() {
    if (soon_) flush();
  }
  // The --flush-interval timer (and end_of_turn): offers writes.
  void flush();
  // The room is about to go away.
  void forget(Room& room);
  bool idle() const { return dirty_rooms_.empty(); }

 private:
  // How long the room's new events may wait (ms; 0: the end of the turn).
  unsigned gathering_ms(const Room& room);
  void schedule(Room& room, bool soon, unsigned delay_ms);

  const Options& options_;
  HubDriver& driver_;
  Delivery& delivery_;
  std::vector<Room*> dirty_rooms_;
  std::vector<Room*> rooms_to_offer_again_;  // flush()'s scratch list, kept for its capacity
  bool soon_ = false;  // some dirty room wants the end of this turn, not the timer
  DeliveryRate rate_;
};

}  // namespace hubchat::relay
