// The writePump (LWS_CALLBACK_SERVER_WRITEABLE): one lws_write of the next
// bounded frame, then ask for another callback if more remain. A slow client
// costs no memory beyond its cursor: lws holds at most one partial frame and
// calls back only once that is flushed.
//
// The fan-out takes a shortcut (push_frame): a reader whose socket took its
// last frame whole is almost always writable, so its frame is written there
// and then, without a POLLOUT round trip (two epoll_ctl calls and a callback
// per frame). Closes, and frames lws still holds part of, wait for the
// callback as before. The poll() that lws_send_pipe_choked costs per push
// is a fifth of S2's CPU when profiled; writing blind (lws keeps what send()
// leaves) is the next saving, left until the fault harness has run it over
// many seeds.
#include <libwebsockets.h>

#include "relay/transport/pumps.hpp"

namespace hubchat::relay {
namespace {

enum class Sent { nothing, frame, close, failed };

Sent send_next_frame(PumpContext& ctx, lws* wsi, Session& session) {
  FrameBatcher& batcher = ctx.batcher;
  switch (ctx.hub.delivery().next_frame(batcher, session)) {
    case Outbound::nothing:
      return Sent::nothing;
    case Outbound::close:
      return Sent::close;
    case Outbound::frame:
      break;
  }
  const std::size_t size = batcher.frame().size();
  if (lws_write(wsi, reinterpret_cast<unsigned char*>(batcher.frame_data()), size, LWS_WRITE_TEXT) <
      static_cast<int>(size))
    return Sent::failed;
  ctx.metrics.messages_out += batcher.events();
  ++session.frames_out;
  ++ctx.metrics.frames_out;
  ctx.metrics.bytes_out += size;
  if (size > ctx.metrics.max_frame_bytes_out) ctx.metrics.max_frame_bytes_out = size;
  if (Delivery::has_more(session)) ctx.hub.request_write(session);
  return Sent::frame;
}

}  // namespace

int write_pump(PumpContext& ctx, lws* wsi, Session& session) {
  Delivery::writable(session);
  switch (send_next_frame(ctx, wsi, session)) {
    case Sent::nothing:
    case Sent::frame:
      return 0;
    case Sent::close:
      return close_now(wsi, session);
    case Sent::failed:
      return -1;
  }
  return -1;
}

bool push_frame(PumpContext& ctx, Session& session) {
  if (session.write_requested || session.close_code || session.peer_closing || ctx.shutting_down ||
      lws_send_pipe_choked(session.wsi))
    return false;
  switch (send_next_frame(ctx, session.wsi, session)) {
    case Sent::nothing:
    case Sent::frame:
      return true;
    case Sent::close:  // a slow consumer: closed from its callback
      return false;
    case Sent::failed:  // a dead socket: lws closes it at its next turn
      lws_set_timeout(session.wsi, PENDING_TIMEOUT_KILLED_BY_PARENT, LWS_TO_KILL_ASYNC);
      return true;
  }
  return false;
}

}  // namespace hubchat::relay
