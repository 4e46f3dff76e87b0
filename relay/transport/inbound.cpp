#include "relay/transport/inbound.hpp"

#include "shared/legacy_codec.hpp"
#include "shared/lossless_codec.hpp"
#include "shared/utf8.hpp"

namespace hubchat::relay {
namespace {

constexpr CloseAction kBinary{1003, "binary frames are not accepted", CloseReason::binary_frame};
constexpr CloseAction kTooBig{1009, "message too big", CloseReason::message_too_big};
constexpr CloseAction kBadUtf8{1007, "invalid UTF-8", CloseReason::invalid_utf8};
constexpr CloseAction kRateLimited{1008, "rate limit exceeded", CloseReason::rate_limited};
constexpr CloseAction kTooManyRequests{1008, "too many requests in one frame",
                                       CloseReason::too_many_requests};

// The request budget (docs/PROTOCOL.md): every request spends one token of a
// bucket of `rate_burst`, refilled at `rate_limit` per second.
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

std::int64_t unix_seconds() {
  using namespace std::chrono;
  return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

void handle_lossless_request(const Options& options, Hub& hub, Session& session,
                             std::string_view line, std::chrono::steady_clock::time_point now,
                             AccessPolicy* access) {
  if (!take_token(options, session, now)) {
    hub.reply_error(session, "rate_limited", "too many requests; this one was not carried out");
    return;
  }
  Event event;
  lossless::DecodeError error;
  if (!lossless::decode(line, event, error)) {
    hub.reply_error(session, error.code, error.message);
    return;
  }
  switch (event.type) {
    case EventType::join:
      if (access && !access->admit_join(hub, session, event, unix_seconds())) break;
      hub.join(session, event);
      break;
    case EventType::msg:
      if (access && session.room && !access->may_post(hub, session)) break;
      hub.post(session, event.body, event.id);
      break;
    case EventType::nick:
      if (access && !access->admit_rename(hub, session, event.nick)) break;
      hub.rename(session, event.nick);
      break;
    case EventType::members:
      hub.members_page(session, event.after);
      break;
    case EventType::delete_msg:
      hub.delete_message(session, event.seq);
      break;
    case EventType::kick:
    case EventType::mute:
    case EventType::ban:
      hub.moderate(session, event);
      break;
    default:
      hub.reply_error(session, "bad_event",
                      "\"" + std::string(to_string(event.type)) + "\" is not a client event");
  }
}

}  // namespace

CloseAction on_fragment(const Options& options, Hub& hub, Session& session, Fragment fragment,
                        std::chrono::steady_clock::time_point now, AccessPolicy* access) {
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
      if (!take_token(options, session, now))
        action = kRateLimited;
      else if (!access || access->may_post(hub, session))
        hub.post(session, text);
    }
  } else {
    const std::vector<std::string_view> requests = lossless::split_batch(message);
    // More than a whole burst in one frame is a flood, not a client ahead of
    // its budget: none of it is carried out.
    if (options.rate_limit != 0 && requests.size() > options.rate_burst) {
      action = kTooManyRequests;
    } else {
      for (std::string_view line : requests) {
        handle_lossless_request(options, hub, session, line, now, access);
        if (session.close_code) break;  // that request closed the connection
      }
    }
  }
  if (session.buffers) {
    session.buffers->inbox = std::string();
    session.release_idle_buffers();
  }
  return action;
}

}  // namespace hubchat::relay
