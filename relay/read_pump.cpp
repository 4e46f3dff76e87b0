// The readPump: reassembles an incoming message up to --max-message-bytes,
// validates it, decodes it in the session's dialect and hands it to the hub
// (which logs it once and wakes the room).
#include <libwebsockets.h>

#include "relay/pumps.hpp"
#include "shared/legacy_codec.hpp"
#include "shared/lossless_codec.hpp"
#include "shared/utf8.hpp"

namespace hubchat::relay {
namespace {

void handle_lossless_event(Hub& hub, Session& session, std::string_view line) {
  Event event;
  lossless::DecodeError error;
  if (!lossless::decode(line, event, error)) {
    hub.reply_error(session, error.code, error.message);
    return;
  }
  switch (event.type) {
    case EventType::join:
      hub.join(session, event);
      break;
    case EventType::msg:
      hub.post(session, event.body);
      break;
    case EventType::nick:
      hub.rename(session, event.nick);
      break;
    default:
      hub.reply_error(session, "bad_event",
                      "\"" + std::string(to_string(event.type)) + "\" is not a client event");
  }
}

}  // namespace

int close_now(lws* wsi, Session& session, std::uint16_t code, const char* reason,
              CloseReason counted_as) {
  session.close_code = code;
  session.close_reason = reason;
  session.close_as = counted_as;
  lws_close_reason(wsi, static_cast<lws_close_status>(code),
                   reinterpret_cast<unsigned char*>(const_cast<char*>(reason)),
                   std::char_traits<char>::length(reason));
  return -1;
}

int read_pump(PumpContext& ctx, lws* wsi, Session& session, const char* data, std::size_t len) {
  if (session.close_code) return 0;  // closing: ignore what is still in flight
  if (lws_frame_is_binary(wsi))
    return close_now(wsi, session, LWS_CLOSE_STATUS_UNACCEPTABLE_OPCODE,
                     "binary frames are not accepted", CloseReason::binary_frame);
  if (session.inbox.size() + len > ctx.options.max_message_bytes) {
    session.inbox = std::string();
    return close_now(wsi, session, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE, "message too big",
                     CloseReason::message_too_big);
  }
  const bool complete = lws_is_final_fragment(wsi) && lws_remaining_packet_payload(wsi) == 0;
  std::string_view message;
  if (session.inbox.empty() && complete) {
    message = std::string_view(data, len);  // common case: whole message, no copy
  } else {
    session.inbox.append(data, len);
    if (!complete) return 0;
    message = session.inbox;
  }
  if (!is_valid_utf8(message)) {
    session.inbox = std::string();
    return close_now(wsi, session, LWS_CLOSE_STATUS_INVALID_PAYLOAD, "invalid UTF-8",
                     CloseReason::invalid_utf8);
  }
  if (session.dialect == Dialect::legacy) {
    std::string text = legacy::normalize_incoming(message);
    if (!text.empty()) ctx.hub.post(session, text);
  } else {
    for (std::string_view line : lossless::split_batch(message))
      handle_lossless_event(ctx.hub, session, line);
  }
  // Release a large reassembly buffer; keep a small one for the next message.
  if (session.inbox.capacity() > 4096) session.inbox = std::string();
  else session.inbox.clear();
  return 0;
}

}  // namespace hubchat::relay
