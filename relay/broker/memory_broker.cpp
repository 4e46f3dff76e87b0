#include "relay/broker/memory_broker.hpp"

#include <algorithm>
#include <utility>

namespace hubchat::relay {

std::string dedupe_identity(std::string_view sender_key, std::string_view id) {
  std::string identity = std::to_string(sender_key.size());
  identity.push_back(':');
  identity.append(sender_key).append(id);
  return identity;
}

MemoryBroker::MemoryBroker(std::uint64_t epoch, std::size_t dedupe_capacity)
    : epoch_(epoch), dedupe_capacity_(std::max<std::size_t>(dedupe_capacity, 1)) {}

std::optional<StreamStart> MemoryBroker::open_room(std::string_view room, std::uint64_t cache_epoch,
                                                   Seq cache_next) {
  auto [it, created] = rooms_.try_emplace(std::string(room));
  if (created) {
    // The relay's cache is this broker's history window: a room it still
    // holds goes on from there; any other starts above every seq given.
    it->second.next = cache_epoch == epoch_ && cache_next > 0 ? cache_next : highest_ + 1;
  }
  return StreamStart{epoch_, it->second.next};
}

void MemoryBroker::close_room(std::string_view room) {
  // Nothing to keep but the dedupe window: an idle room costs no entry here.
  const auto it = rooms_.find(std::string(room));
  if (it != rooms_.end() && !it->second.dedupe) rooms_.erase(it);
}

void MemoryBroker::forget_room(std::string_view room) {
  rooms_.erase(std::string(room));
}

void MemoryBroker::expire(Dedupe& dedupe, Clock::time_point now) {
  while (!dedupe.order.empty() && (now - dedupe.order.front().at >= kDedupeWindow ||
                                   dedupe.order.size() > dedupe_capacity_)) {
    dedupe.accepted.erase(dedupe.order.front().identity);
    dedupe.order.pop_front();
  }
}

void MemoryBroker::publish(Publication publication) {
  RoomOrder& order =
      rooms_.try_emplace(publication.room, RoomOrder{highest_ + 1, nullptr}).first->second;
  BrokerNews result;
  result.kind = BrokerNews::Kind::publish_result;
  result.room = publication.room;
  result.ticket = publication.ticket;
  if (publication.message.type == EventType::deleted) {
    // The relay's cache is the history: the hub swaps in the tombstone.
    result.seq = publication.message.seq;
    BrokerNews deleted;
    deleted.kind = BrokerNews::Kind::deleted;
    deleted.room = publication.room;
    publication.message.room = publication.room;
    deleted.messages.push_back(std::move(publication.message));
    news_.push_back(std::move(deleted));
    news_.push_back(std::move(result));
    return;
  }
  std::string identity;
  if (!publication.sender_key.empty() && !publication.message.id.empty()) {
    const auto now = Clock::now();
    if (!order.dedupe) order.dedupe = std::make_unique<Dedupe>();
    Dedupe& dedupe = *order.dedupe;
    expire(dedupe, now);
    identity = dedupe_identity(publication.sender_key, publication.message.id);
    if (const auto seen = dedupe.accepted.find(identity); seen != dedupe.accepted.end()) {
      result.status = PublishStatus::duplicate;
      result.seq = seen->second;
      news_.push_back(std::move(result));
      return;
    }
    dedupe.accepted.emplace(identity, order.next);
    dedupe.order.push_back({now, std::move(identity)});
    expire(dedupe, now);
  }
  const Seq seq = order.next++;
  highest_ = std::max(highest_, seq);
  BrokerNews message;
  message.kind = BrokerNews::Kind::message;
  message.room = publication.room;
  publication.message.seq = seq;
  publication.message.room = publication.room;
  message.messages.push_back(std::move(publication.message));
  news_.push_back(std::move(message));
  result.status = PublishStatus::accepted;
  result.seq = seq;
  news_.push_back(std::move(result));
}

void MemoryBroker::moderate(ModerationAction action) {
  BrokerNews news;
  news.kind = BrokerNews::Kind::moderation;
  news.moderation = std::move(action);
  news_.push_back(std::move(news));
}

void MemoryBroker::take_news(std::vector<BrokerNews>& news) {
  news.clear();
  news.swap(news_);
}

}  // namespace hubchat::relay
