// Decides who may do what, at the few points where it matters: a join (the
// token, --anonymous, --private-room), a post (--anonymous read), a rename
// (reserved names), and the end of a token's life while connected. The hub
// and the pumps call it before acting; it refuses through the hub's own
// error and close calls, so the hub's rules stay as they are.
//
// Policy:
// - A valid token makes the connection verified: its nick is the token's
//   name, its events carry the token's sub (uid). A bad token is refused and
//   changes nothing (the session stays where it was).
// - A verified name is reserved while its user is connected to this relay: a
//   guest asking for it gets a guest-N nick instead.
// - A private room needs a token whose rooms cover it; guests never enter.
// - Tokens are checked once per join, never per message; expiry is watched
//   with one ordered map, checked by a timer.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "relay/auth/token_verifier.hpp"
#include "relay/ops/options.hpp"
#include "shared/event.hpp"

namespace hubchat::relay {

class Hub;
struct Session;

// Close codes (docs/PROTOCOL.md, "Signed identities").
inline constexpr std::uint16_t kBadTokenCloseCode = 4400;        // legacy ?token= refused
inline constexpr std::uint16_t kSignInRequiredCloseCode = 4401;  // --anonymous deny
inline constexpr std::uint16_t kTokenExpiredCloseCode = 4402;  // exp passed (also while connected)
inline constexpr std::uint16_t kForbiddenCloseCode = 4403;  // legacy: private room, read-only guest

class AccessPolicy {
 public:
  // `verifier`: null without --auth-key (then every client is a guest).
  AccessPolicy(const Options& options, std::unique_ptr<TokenVerifier> verifier);
  AccessPolicy(const AccessPolicy&) = delete;
  AccessPolicy& operator=(const AccessPolicy&) = delete;

  // A lossless join. True: go ahead (request.nick may have been rewritten).
  // False: refused, already answered with an error event or a close.
  bool admit_join(Hub& hub, Session& session, Event& request, std::int64_t now);
  // A legacy connection's entry (?token=, ?room=, ?nick=). False: closed.
  bool admit_legacy(Hub& hub, Session& session, std::string_view token, std::string_view room,
                    std::string& nick, std::int64_t now);
  // A post. False: refused (error event, or close for legacy clients).
  bool may_post(Hub& hub, Session& session);
  // A rename. False: refused with an error event; else `nick` may be rewritten.
  bool admit_rename(Hub& hub, Session& session, std::string& nick);
  // The connection is gone.
  void forget(Session& session);
  // Closes every session whose token ran out by `now`.
  void expire(Hub& hub, std::int64_t now);

  bool is_private(std::string_view room) const;
  bool is_reserved(std::string_view name) const { return reserved_.contains(std::string(name)); }
  std::size_t watched() const { return expiries_.size(); }

 private:
  // Verifies a token; on failure reports through `refuse` and returns nullopt.
  std::optional<Identity> verify(std::string_view token, std::int64_t now, TokenCheck& check) const;
  // Makes `identity` the session's (replacing an earlier one).
  void verify_session(Session& session, Identity identity);
  void drop_identity(Session& session);
  // A guest asking for a reserved nick gets a guest nick instead.
  void steer_guest_nick(Hub& hub, std::string& nick) const;

  const Options& options_;
  std::unique_ptr<TokenVerifier> verifier_;
  std::unordered_map<std::string, std::uint32_t>
      reserved_;                                    // verified names, by sessions holding them
  std::multimap<std::int64_t, Session*> expiries_;  // verified sessions by exp
};

}  // namespace hubchat::relay
