#include "relay/inbound.hpp"

#include "shared/legacy_codec.hpp"
#include "shared/lossless_codec.hpp"
#include "shared/utf8.hpp"

namespace hubchat::relay {
namespace {

constexpr CloseAction kBinary{1003, "binary frames are not accepted", CloseReason::binary_frame};
constexpr CloseAction kTooBig{1009, "message too big", CloseReason::message_too_big};
constexpr CloseAction kBadUtf8{1007, "invalid UTF-8", CloseReason::invalid_utf8};
constexpr CloseAction kRateLimited{1008, "rate limit exceeded", CloseReason::rate_limited};

// Token bucket: `rate_limit` messages per second sustained, `rate_burst` at once.
bool take_token(const Options& options, Session& session,
                std::chrono::steady_clock::time_point now) {
  if (options.rate_limit == 0) return true;
  using Seconds = std::chrono::duration<double>;
  const double burst = static_cast<double>(options.rate_burst);
  if (session.tokens_at.time_since_epoch().count() == 0)
    session.tokens = burst;
  else
    session.tokens += Seconds(now - session.tokens_at).count() * options.rate_limit;
  if (session.tokens > burst) session.tokens = burst;
  session.tokens_at = now;
  if (session.tokens < 1.0) return false;
  session.tokens -= 1.0;
  return true;
}

void handle_lossless_event(const Options& options, Hub& hub, Session& session,
                           std::string_view line, std::chrono::steady_clock::time_point now) {
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
      if (!take_token(options, session, now)) {
        hub.reply_error(session, "rate_limited", "too many messages; this one was not sent");
        return;
      }
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

CloseAction on_fragment(const Options& options, Hub& hub, Session& session, Fragment fragment,
                        std::chrono::steady_clock::time_point now) {
  if (session.close_code) return {};  // closing already: ignore what is in flight
  if (fragment.binary) return kBinary;
  const std::size_t buffered = session.buffers ? session.buffers->inbox.size() : 0;
  if (buffered + fragment.data.size() > options.max_message_bytes) {
    if (session.buffers) session.buffers->inbox = std::string();
    session.release_idle_buffers();
    return kTooBig;
  }
  std::string_view message;
  if (buffered == 0 && fragment.last) {
    message = fragment.data;  // the common case: a whole message, no copy
  } else {
    std::string& inbox = session.buffers_in_use().inbox;
    inbox.append(fragment.data);
    if (!fragment.last) return {};
    message = inbox;
  }
  CloseAction action;
  if (!is_valid_utf8(message)) {
    action = kBadUtf8;
  } else if (session.dialect == Dialect::legacy) {
    std::string text = legacy::normalize_incoming(message);
    if (!text.empty()) {
      // A legacy client has no error channel: flooding closes the connection.
      if (take_token(options, session, now))
        hub.post(session, text);
      else
        action = kRateLimited;
    }
  } else {
    for (std::string_view line : lossless::split_batch(message))
      handle_lossless_event(options, hub, session, line, now);
  }
  if (session.buffers) {
    session.buffers->inbox = std::string();
    session.release_idle_buffers();
  }
  return action;
}

}  // namespace hubchat::relay
