// The writePump (LWS_CALLBACK_SERVER_WRITEABLE): one lws_write of the next
// bounded frame, then ask for another callback if more remain. A slow client
// costs no memory beyond its cursor: lws holds at most one partial frame and
// calls back only once that is flushed.
#include <libwebsockets.h>

#include "relay/outbound.hpp"
#include "relay/pumps.hpp"

namespace hubchat::relay {

int write_pump(PumpContext& ctx, lws* wsi, Session& session) {
  session.write_requested = false;
  FrameBatcher& batcher = ctx.batcher;
  switch (next_frame(batcher, session)) {
    case Outbound::nothing:
      return 0;
    case Outbound::close:
      return close_now(wsi, session, session.close_code, session.close_reason, session.close_as);
    case Outbound::frame:
      break;
  }
  const std::size_t size = batcher.frame().size();
  if (lws_write(wsi, reinterpret_cast<unsigned char*>(batcher.frame_data()), size, LWS_WRITE_TEXT) <
      static_cast<int>(size))
    return -1;
  ctx.metrics.messages_out += batcher.events();
  ++ctx.metrics.frames_out;
  ctx.metrics.bytes_out += size;
  if (size > ctx.metrics.max_frame_bytes_out) ctx.metrics.max_frame_bytes_out = size;
  if (has_more(session)) ctx.hub.request_write(session);
  return 0;
}

}  // namespace hubchat::relay
