// The writePump: on each writable callback, packs what this client has not
// seen yet (its pending replies, then room events from its cursor) into one
// bounded frame, writes it with a single lws_write and asks for another
// callback if more remain. Per recipient this is a memcpy of already-encoded
// bytes into one shared scratch frame: no encoding, no allocation.
#include <libwebsockets.h>

#include "relay/pumps.hpp"

namespace hubchat::relay {
namespace {

// Moves whole reply lines into the batch while they fit.
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

int write_pump(PumpContext& ctx, lws* wsi, Session& session) {
  session.write_requested = false;
  if (session.close_code)
    return close_now(wsi, session, session.close_code, session.close_reason, session.close_as);
  Room* room = session.room;
  if (room && session.cursor < room->log->first_seq())
    return close_now(wsi, session, 4001, "slow consumer: fell behind the room history",
                     CloseReason::slow_consumer);

  FrameBatcher& batcher = ctx.batcher;
  batcher.clear();
  pack_replies(batcher, session);
  if (room) pack_room_events(batcher, session);
  if (batcher.empty()) return 0;

  const std::size_t size = batcher.frame().size();
  if (lws_write(wsi, reinterpret_cast<unsigned char*>(batcher.frame_data()), size,
                LWS_WRITE_TEXT) < static_cast<int>(size))
    return -1;
  ctx.metrics.messages_out += batcher.events();
  ++ctx.metrics.frames_out;
  ctx.metrics.bytes_out += size;
  if (size > ctx.metrics.max_frame_bytes_out) ctx.metrics.max_frame_bytes_out = size;

  if (session.has_pending_replies() || (room && session.cursor < room->log->next_seq()))
    ctx.hub.request_write(session);
  return 0;
}

}  // namespace hubchat::relay
