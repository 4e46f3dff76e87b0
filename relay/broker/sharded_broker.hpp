// Rooms spread over several brokers (--redis given more than once): each
// room lives on exactly one shard, chosen by the jump hash of its name
// (jump_hash.hpp), so each room still has one order, kept by one Redis.
// Each shard is a whole broker of its own (its connections, health probe,
// reconnect and backoff): a shard that is down makes only its rooms
// unavailable. take_news merges the shards' news; a room's news comes from
// one shard, so its order is that shard's.
//
// Every relay must list the shards in the same order: the order is the
// mapping (docs/redis.md, "Sharding").
#pragma once

#include <memory>
#include <vector>

#include "relay/broker/broker.hpp"

namespace hubchat::relay {

class ShardedBroker final : public Broker {
 public:
  // `shards` must not be empty; shard i gets the rooms with shard_of(room) == i.
  explicit ShardedBroker(std::vector<std::unique_ptr<Broker>> shards);

  std::optional<StreamStart> open_room(std::string_view room, std::uint64_t cache_epoch,
                                       Seq cache_next) override;
  void close_room(std::string_view room) override;
  void forget_room(std::string_view room) override;
  void publish(Publication publication) override;
  void member_joined(std::string_view room, std::string_view nick) override;
  void member_left(std::string_view room, std::string_view nick) override;
  // Moderation state (bans, mutes, their channel) lives on shard 0 alone:
  // relay-wide, not per room (docs/redis.md, "Moderation").
  void moderate(ModerationAction action) override;
  void take_news(std::vector<BrokerNews>& news) override;

  std::size_t shard_count() const { return shards_.size(); }

 private:
  Broker& shard(std::string_view room);

  std::vector<std::unique_ptr<Broker>> shards_;
  std::vector<BrokerNews> taken_;  // one shard's news, reused every turn
};

}  // namespace hubchat::relay
