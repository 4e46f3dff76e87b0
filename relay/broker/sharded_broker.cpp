#include "relay/broker/sharded_broker.hpp"

#include <iterator>
#include <stdexcept>
#include <utility>

#include "relay/broker/jump_hash.hpp"

namespace hubchat::relay {

ShardedBroker::ShardedBroker(std::vector<std::unique_ptr<Broker>> shards)
    : shards_(std::move(shards)) {
  if (shards_.empty()) throw std::invalid_argument("ShardedBroker needs at least one shard");
}

Broker& ShardedBroker::shard(std::string_view room) {
  return *shards_[shard_of(room, static_cast<std::uint32_t>(shards_.size()))];
}

std::optional<StreamStart> ShardedBroker::open_room(std::string_view room,
                                                    std::uint64_t cache_epoch, Seq cache_next) {
  return shard(room).open_room(room, cache_epoch, cache_next);
}

void ShardedBroker::close_room(std::string_view room) {
  shard(room).close_room(room);
}

void ShardedBroker::forget_room(std::string_view room) {
  shard(room).forget_room(room);
}

void ShardedBroker::publish(Publication publication) {
  Broker& target = shard(publication.room);
  target.publish(std::move(publication));
}

void ShardedBroker::member_joined(std::string_view room, std::string_view nick) {
  shard(room).member_joined(room, nick);
}

void ShardedBroker::member_left(std::string_view room, std::string_view nick) {
  shard(room).member_left(room, nick);
}

void ShardedBroker::moderate(ModerationAction action) {
  shards_.front()->moderate(std::move(action));
}

void ShardedBroker::take_news(std::vector<BrokerNews>& news) {
  news.clear();
  for (const auto& broker : shards_) {
    broker->take_news(taken_);
    if (news.empty()) {
      news.swap(taken_);  // the common case (one busy shard): no moves
      continue;
    }
    news.insert(news.end(), std::make_move_iterator(taken_.begin()),
                std::make_move_iterator(taken_.end()));
  }
  taken_.clear();
}

}  // namespace hubchat::relay
