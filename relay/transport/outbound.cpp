#include "relay/transport/outbound.hpp"

#include "relay/hub/hub.hpp"
#include "shared/lossless_codec.hpp"

namespace hubchat::relay {
namespace {

// Moves whole reply lines into the frame while they fit.
void pack_replies(FrameBatcher& batcher, Session& session) {
  if (!session.has_pending_replies()) return;
  SessionBuffers& b = *session.buffers;
  while (b.replies_sent < b.replies.size()) {
    std::size_t end = b.replies.find('\n', b.replies_sent);
    std::string_view line(b.replies.data() + b.replies_sent, end - b.replies_sent);
    if (!batcher.add(line)) return;
    b.replies_sent = end + 1;
  }
  b.replies = std::string();  // all sent: free the buffer
  b.replies_sent = 0;
  session.release_idle_buffers();
}

void pack_room_events(FrameBatcher& batcher, Session& session) {
  const RoomLog& log = *session.room->log;
  const Seq end = log.next_seq();
  const bool legacy = session.dialect == Dialect::legacy;
  while (session.cursor < end) {
    const StoredEvent& event = *log.at(session.cursor);
    if (!batcher.add(legacy ? event.legacy : event.lossless)) return;
    ++session.cursor;
  }
}

// Presence after chat, from the reader's own cursor. A reader the presence
// ring has left behind gets the room's summary in place of what it missed:
// presence alone never makes it a slow consumer.
void pack_presence(FrameBatcher& batcher, Session& session) {
  const RoomPresence& presence = session.room->presence;
  const auto end = presence.next_version();
  if (session.presence_cursor < presence.first_version()) {
    if (!batcher.add(presence.summary())) return;
    session.presence_cursor = end;
  }
  while (session.presence_cursor < end) {
    if (!batcher.add(presence.at(session.presence_cursor))) return;
    ++session.presence_cursor;
  }
}

bool presence_pending(const Session& session) {
  return session.dialect == Dialect::lossless &&
         session.presence_cursor < session.room->presence.next_version();
}

}  // namespace

// Events were evicted between a client's join and the relay's first write to
// it (a busy room with a full ring): that client did nothing wrong, so tell
// it what is gone and start from the oldest event held. Once writing has
// begun, falling behind the ring makes it a slow consumer.
void skip_evicted_history(Session& session) {
  const RoomLog& log = *session.room->log;
  Event missed;
  missed.type = EventType::missed;
  missed.room = session.room->name;
  missed.reason = "evicted";
  missed.missed_from = session.cursor;
  missed.missed_to = log.first_seq() - 1;
  std::string& replies = session.buffers_in_use().replies;
  lossless::encode_to(missed, replies);
  replies.push_back('\n');
  session.cursor = log.first_seq();
}

Outbound next_frame(FrameBatcher& batcher, Session& session) {
  if (session.close_code) return Outbound::close;
  // A join waiting for its room's cache: only its own replies so far.
  const Room* room = session.join_waiting() ? nullptr : session.room;
  if (room && session.replay_unstarted && session.cursor < room->log->first_seq())
    skip_evicted_history(session);
  if (room && session.cursor < room->log->first_seq()) {
    session.close_code = 4001;
    session.close_reason = "slow consumer: fell behind the room history";
    session.close_as = CloseReason::slow_consumer;
    return Outbound::close;
  }
  batcher.clear();
  pack_replies(batcher, session);
  if (room) {
    pack_room_events(batcher, session);
    session.replay_unstarted = false;
    if (session.dialect == Dialect::lossless && session.cursor == room->log->next_seq())
      pack_presence(batcher, session);
  }
  return batcher.empty() ? Outbound::nothing : Outbound::frame;
}

bool has_more(const Session& session) {
  return session.has_pending_replies() ||
         (session.room && !session.join_waiting() &&
          (session.cursor < session.room->log->next_seq() || presence_pending(session)));
}

}  // namespace hubchat::relay
