#include "relay/auth/access_policy.hpp"

#include <utility>

#include "relay/hub/hub.hpp"
#include "relay/transport/session.hpp"

namespace hubchat::relay {
namespace {

const char* token_error_code(TokenStatus status) {
  return status == TokenStatus::expired ? "token_expired" : "bad_token";
}

}  // namespace

AccessPolicy::AccessPolicy(const Options& options, std::unique_ptr<TokenVerifier> verifier)
    : options_(options), verifier_(std::move(verifier)) {}

bool AccessPolicy::is_private(std::string_view room) const {
  return any_pattern_matches(options_.private_rooms, room);
}

std::optional<Identity> AccessPolicy::verify(std::string_view token, std::int64_t now,
                                             TokenCheck& check) const {
  if (!verifier_) {
    check.status = TokenStatus::invalid;
    check.why = "this relay does not take tokens (no --auth-key)";
    return std::nullopt;
  }
  check = verifier_->check(token, now);
  if (check.status != TokenStatus::ok) return std::nullopt;
  return std::move(check.identity);
}

void AccessPolicy::verify_session(Session& session, Identity identity) {
  drop_identity(session);
  session.identity = std::make_unique<Identity>(std::move(identity));
  Identity& who = *session.identity;
  ++reserved_[who.name];
  who.expiry_entry = expiries_.emplace(who.expires_at, &session);
  who.watched = true;
}

void AccessPolicy::drop_identity(Session& session) {
  if (!session.identity) return;
  Identity& who = *session.identity;
  if (who.watched) expiries_.erase(who.expiry_entry);
  const auto it = reserved_.find(who.name);
  if (it != reserved_.end() && --it->second == 0) reserved_.erase(it);
  session.identity.reset();
}

void AccessPolicy::steer_guest_nick(Hub& hub, std::string& nick) const {
  if (!nick.empty() && is_reserved(nick)) nick = hub.guest_nick();
}

bool AccessPolicy::admit_join(Hub& hub, Session& session, Event& request, std::int64_t now) {
  std::optional<Identity> presented;
  if (!request.token.empty()) {
    TokenCheck check;
    presented = verify(request.token, now, check);
    if (!presented) {
      hub.reply_error(session, token_error_code(check.status), check.why);
      return false;
    }
  }
  const Identity* who = presented ? &*presented : session.identity.get();
  if (!who && options_.anonymous == Anonymous::deny) {
    hub.close(session, kSignInRequiredCloseCode, "sign-in required", CloseReason::auth);
    return false;
  }
  if (is_private(request.room) && !(who && who->covers(request.room))) {
    hub.reply_error(session, "forbidden",
                    "room \"" + request.room + "\" is private: your token does not cover it");
    return false;
  }
  if (presented) verify_session(session, std::move(*presented));
  if (session.identity) {
    request.nick = session.identity->name;
  } else {
    if (request.nick.empty()) request.nick = session.nick;
    steer_guest_nick(hub, request.nick);
  }
  return true;
}

bool AccessPolicy::admit_legacy(Hub& hub, Session& session, std::string_view token,
                                std::string_view room, std::string& nick, std::int64_t now) {
  std::optional<Identity> presented;
  if (!token.empty()) {
    TokenCheck check;
    presented = verify(token, now, check);
    if (!presented) {
      if (check.status == TokenStatus::expired)
        hub.close(session, kTokenExpiredCloseCode, "token expired", CloseReason::auth);
      else
        hub.close(session, kBadTokenCloseCode, "invalid token", CloseReason::auth);
      return false;
    }
  }
  if (!presented && options_.anonymous == Anonymous::deny) {
    hub.close(session, kSignInRequiredCloseCode, "sign-in required", CloseReason::auth);
    return false;
  }
  if (is_private(room) && !(presented && presented->covers(room))) {
    hub.close(session, kForbiddenCloseCode, "room is private", CloseReason::auth);
    return false;
  }
  if (presented) {
    verify_session(session, std::move(*presented));
    nick = session.identity->name;
  } else {
    steer_guest_nick(hub, nick);
  }
  return true;
}

bool AccessPolicy::may_post(Hub& hub, Session& session) {
  if (session.identity || options_.anonymous == Anonymous::allow) return true;
  if (session.dialect == Dialect::legacy)
    hub.close(session, kForbiddenCloseCode, "read-only: sign in to post", CloseReason::auth);
  else
    hub.reply_error(session, "forbidden", "guests may only read here: sign in to post");
  return false;
}

bool AccessPolicy::admit_rename(Hub& hub, Session& session, std::string& nick) {
  if (session.identity) {
    if (nick == session.identity->name) return true;
    hub.reply_error(session, "forbidden", "a verified user's nick is its token's name");
    return false;
  }
  steer_guest_nick(hub, nick);
  return true;
}

void AccessPolicy::forget(Session& session) {
  drop_identity(session);
}

void AccessPolicy::expire(Hub& hub, std::int64_t now) {
  while (!expiries_.empty() && expiries_.begin()->first <= now) {
    Session& session = *expiries_.begin()->second;
    expiries_.erase(expiries_.begin());
    session.identity->watched = false;
    hub.close(session, kTokenExpiredCloseCode, "token expired", CloseReason::auth);
  }
}

}  // namespace hubchat::relay
