// The in-memory broker (the default, one relay): this process is each room's
// order. It assigns seqs in the order messages are accepted, never reusing
// one within its epoch (a room it has forgotten starts above every seq it
// ever gave), and recognizes resends within the dedupe window. Its history
// window is the relay's own cache of the room: nothing else holds messages.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "relay/broker/broker.hpp"

namespace hubchat::relay {

class MemoryBroker final : public Broker {
 public:
  using Clock = std::chrono::steady_clock;
  // A resend is recognized this long (the Redis broker keeps the same
  // window), and among a room's last `dedupe_capacity` keyed messages (the
  // memory bound of a busy room).
  static constexpr std::chrono::seconds kDedupeWindow{600};

  MemoryBroker(std::uint64_t epoch, std::size_t dedupe_capacity);

  std::optional<StreamStart> open_room(std::string_view room, std::uint64_t cache_epoch,
                                       Seq cache_next) override;
  void close_room(std::string_view room) override;
  void forget_room(std::string_view room) override;
  void publish(Publication publication) override;
  // One relay: the room's presence is all local.
  void member_joined(std::string_view, std::string_view) override {}
  void member_left(std::string_view, std::string_view) override {}
  // One relay: taken at once (the hub's book is the only table).
  void moderate(ModerationAction action) override;
  void take_news(std::vector<BrokerNews>& news) override;

 private:
  struct Accepted {
    Clock::time_point at;
    std::string identity;
  };
  struct Dedupe {
    std::unordered_map<std::string, Seq> accepted;  // dedupe identity -> seq
    std::deque<Accepted> order;                     // oldest first, for the window
  };
  struct RoomOrder {
    Seq next = 1;
    std::unique_ptr<Dedupe> dedupe;  // once the room had a keyed message: rooms stay small
  };
  void expire(Dedupe& dedupe, Clock::time_point now);

  std::uint64_t epoch_;
  std::size_t dedupe_capacity_;
  Seq highest_ = 0;  // the highest seq ever assigned, in any room
  std::unordered_map<std::string, RoomOrder> rooms_;
  std::vector<BrokerNews> news_;
};

// The dedupe identity of (key, id): length-prefixed, so no two pairs share it.
std::string dedupe_identity(std::string_view sender_key, std::string_view id);

}  // namespace hubchat::relay
