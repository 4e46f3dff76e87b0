#include "relay/hub/delivery.hpp"

#include "relay/hub/room.hpp"
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

void Delivery::reply(Session& session, const Event& event) {
  if (session.dialect != Dialect::lossless || session.close_code) return;
  SessionBuffers& buffers = session.buffers_in_use();
  if (buffers.replies.size() - buffers.replies_sent > options_.max_pending_reply_bytes) {
    close(session, 1008, "too many pending replies", CloseReason::too_many_replies);
    return;
  }
  lossless::encode_to(event, buffers.replies);
  buffers.replies.push_back('\n');
  request_write(session);
}

void Delivery::reply_error(Session& session, std::string_view code, std::string_view message) {
  Event error;
  error.type = EventType::error;
  error.code = std::string(code);
  error.message = std::string(message);
  reply(session, error);
}

void Delivery::close(Session& session, std::uint16_t code, std::string reason,
                     CloseReason counted_as) {
  if (session.close_code) return;
  const auto kept = reasons_.size() < kMaxReasons ? reasons_.insert(std::move(reason)).first
                                                  : reasons_.find(reason);
  // Past the bound a new text is not kept: the code still says what happened.
  close(session, code, kept == reasons_.end() ? "" : kept->c_str(), counted_as);
}

void Delivery::close(Session& session, std::uint16_t code, const char* reason,
                     CloseReason counted_as) {
  if (session.close_code) return;
  session.close_code = code;
  session.close_reason = reason;
  session.close_as = counted_as;
  request_write(session);
}

void Delivery::request_write(Session& session) {
  if (session.write_requested) return;
  session.write_requested = true;
  driver_.wake(session);
}

void Delivery::read_from(Session& session, Seq cursor, bool replay) {
  session.cursor = cursor;
  session.replay_unstarted = replay;
}

void Delivery::queue_missed(Session& session, Seq from, Seq to) {
  Event missed;
  missed.type = EventType::missed;
  missed.room = session.room->name;
  missed.reason = "evicted";
  missed.missed_from = from;
  missed.missed_to = to;
  reply(session, missed);
}

void Delivery::skip_gap(Session& session, Seq first) {
  if (session.cursor >= first) return;
  // Legacy readers cannot be told; they go on from what is held.
  if (session.dialect == Dialect::lossless) queue_missed(session, session.cursor, first - 1);
  session.cursor = first;
  request_write(session);
}

Outbound Delivery::next_frame(FrameBatcher& batcher, Session& session) {
  if (session.close_code) return Outbound::close;
  // A join waiting for its room's cache: only its own replies so far.
  const Room* room = session.join_waiting() ? nullptr : session.room;
  if (room && session.cursor < room->log->first_seq()) {
    if (session.replay_unstarted) {
      // Evicted between the join and the first write (a busy room with a
      // full ring): the client did nothing wrong, so it is told what is gone
      // and starts from the oldest event held.
      const Seq first = room->log->first_seq();
      if (session.dialect == Dialect::lossless) {
        Event missed;
        missed.type = EventType::missed;
        missed.room = room->name;
        missed.reason = "evicted";
        missed.missed_from = session.cursor;
        missed.missed_to = first - 1;
        std::string& replies = session.buffers_in_use().replies;
        lossless::encode_to(missed, replies);  // past the reply bound: it replaces history
        replies.push_back('\n');
      }
      session.cursor = first;
    } else {
      // Once writing has begun, falling behind the cache makes it a slow consumer.
      session.close_code = 4001;
      session.close_reason = "slow consumer: fell behind the room history";
      session.close_as = CloseReason::slow_consumer;
      return Outbound::close;
    }
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

bool Delivery::has_more(const Session& session) {
  return session.has_pending_replies() ||
         (session.room && !session.join_waiting() &&
          (session.cursor < session.room->log->next_seq() || presence_pending(session)));
}

}  // namespace hubchat::relay
