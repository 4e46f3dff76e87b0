#include "relay/broker/memory_broker.hpp"

#include "relay/hub/hub.hpp"

namespace hubchat::relay {

void MemoryBroker::publish(Room& room, Publication publication) {
  const RoomLog& log = *room.log;
  if (!publication.dedupe_key.empty()) {
    if (const Seq seq = log.find_accepted(publication.dedupe_key)) {
      sink_->on_publish_result(publication.ticket, PublishStatus::duplicate, seq);
      return;
    }
  }
  const Seq seq = log.next_seq();
  publication.message.seq = seq;
  sink_->on_message(room.name, std::move(publication.message), std::move(publication.dedupe_key));
  sink_->on_publish_result(publication.ticket, PublishStatus::accepted, seq);
}

}  // namespace hubchat::relay
