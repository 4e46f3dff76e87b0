// The readPump (LWS_CALLBACK_RECEIVE): hands lws's piece of a message to the
// inbound logic and performs the close it asks for.
#include <libwebsockets.h>

#include "relay/transport/inbound.hpp"
#include "relay/transport/pumps.hpp"

namespace hubchat::relay {

int close_now(lws* wsi, const Session& session) {
  const char* reason = session.close_reason;
  lws_close_reason(wsi, static_cast<lws_close_status>(session.close_code),
                   reinterpret_cast<unsigned char*>(const_cast<char*>(reason)),
                   std::char_traits<char>::length(reason));
  return -1;
}

int read_pump(PumpContext& ctx, lws* wsi, Session& session, const char* data, std::size_t len) {
  Fragment fragment;
  fragment.data = std::string_view(data, len);
  fragment.binary = lws_frame_is_binary(wsi);
  // With a small rx buffer lws delivers a frame in pieces: the message is
  // whole at the final frame's last piece.
  fragment.last = lws_is_final_fragment(wsi) && lws_remaining_packet_payload(wsi) == 0;
  if (fragment.last) ++session.messages_in;
  CloseAction action = on_fragment(ctx.options, ctx.hub, session, fragment,
                                   std::chrono::steady_clock::now(), ctx.access);
  // Close from the write side, not here: closing while the peer still has
  // data in flight makes the kernel answer with a reset, which can destroy
  // the close frame (and its code) before the peer reads it. Until then the
  // rest of its input is ignored (on_fragment checks close_code).
  if (action) ctx.hub.close(session, action.code, action.reason, action.counted_as);
  return 0;
}

}  // namespace hubchat::relay
