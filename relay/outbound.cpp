#include "relay/outbound.hpp"

#include "relay/hub.hpp"

namespace hubchat::relay {
namespace {

// Moves whole reply lines into the frame while they fit.
void pack_replies(FrameBatcher& batcher, Session& session) {
  while (session.has_pending_replies()) {
    std::size_t end = session.replies.find('\n', session.replies_sent);
    std::string_view line(session.replies.data() + session.replies_sent,
                          end - session.replies_sent);
    if (!batcher.add(line)) return;
    session.replies_sent = end + 1;
  }
  session.replies = std::string();  // all sent: free the buffer
  session.replies_sent = 0;
}

void pack_room_events(FrameBatcher& batcher, Session& session) {
  const RoomLog& log = *session.room->log;
  const Seq end = log.next_seq();
  const bool legacy = session.dialect == Dialect::legacy;
  while (session.cursor < end) {
    const StoredEvent& event = *log.at(session.cursor);
    if (legacy) {
      if (event.for_legacy && !batcher.add(event.legacy)) return;
    } else if (!batcher.add(event.lossless)) {
      return;
    }
    ++session.cursor;
  }
}

}  // namespace

Outbound next_frame(FrameBatcher& batcher, Session& session) {
  if (session.close_code) return Outbound::close;
  const Room* room = session.room;
  if (room && session.cursor < room->log->first_seq()) {
    session.close_code = 4001;
    session.close_reason = "slow consumer: fell behind the room history";
    session.close_as = CloseReason::slow_consumer;
    return Outbound::close;
  }
  batcher.clear();
  pack_replies(batcher, session);
  if (room) pack_room_events(batcher, session);
  return batcher.empty() ? Outbound::nothing : Outbound::frame;
}

bool has_more(const Session& session) {
  return session.has_pending_replies() ||
         (session.room && session.cursor < session.room->log->next_seq());
}

}  // namespace hubchat::relay
