// What the kick/mute/ban tests (moderation_actions_test, and its Redis
// twin) share: tokens minted with the test's secret, clients joining as a
// verified user or a guest from a chosen loopback address (all tests connect
// from 127.0.0.x: an address ban must not hit the moderator on 127.0.0.1),
// the kick/mute/ban requests, and waits for an error code or a close.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "tests/support/lossless_client.hpp"
#include "tests/support/test_tokens.hpp"

namespace hubchat::test {

struct ModerationPeers {
  std::string secret;  // the relay's --auth-key contents

  // A token for `name` (sub "id-<name>"), valid for an hour.
  std::string token(const std::string& name, relay::Role role) const {
    return mint_test_token(signing_key(secret), name, 3600, std::nullopt, role);
  }

  // Connects from `source` (empty: 127.0.0.1) and sends a join of `room` as
  // `name`, verified with `role` or a guest. The welcome is not waited for.
  bool send_join(LosslessClient& client, std::uint16_t port, const std::string& room,
                 const std::string& name, std::optional<relay::Role> role,
                 const std::string& source = {}) const {
    ConnectOptions options;
    options.source_address = source;
    if (!client.connect(port, options).upgraded()) return false;
    Event join;
    join.type = EventType::join;
    join.room = room;
    join.nick = name;
    if (role) join.token = token(name, *role);
    return client.send_event(join);
  }

  // The same, waiting for the welcome.
  bool join(LosslessClient& client, std::uint16_t port, const std::string& room,
            const std::string& name, std::optional<relay::Role> role,
            const std::string& source = {}) const {
    return send_join(client, port, room, name, role, source) &&
           client.wait_for([](const Event& e) { return e.type == EventType::welcome; },
                           deadline_in(std::chrono::seconds(5)));
  }
};

// {"type":"kick"|"mute"|"ban", ...}: one target field set, seconds if not 0.
inline bool send_action(LosslessClient& client, EventType type, const std::string& nick,
                        std::uint64_t seconds = 0, const std::string& uid = {},
                        const std::string& address = {}) {
  Event request;
  request.type = type;
  request.nick = nick;
  request.uid = uid;
  request.address = address;
  request.seconds = seconds;
  return client.send_event(request);
}

inline std::optional<Event> error_coded(
    LosslessClient& client, const std::string& code,
    std::chrono::milliseconds within = std::chrono::seconds(5)) {
  return client.wait_for(
      [&](const Event& e) { return e.type == EventType::error && e.code == code; },
      deadline_in(within));
}

// Reads until the connection ends; its close code (0: it did not end in time).
inline int closed_with(LosslessClient& client) {
  client.wait_for([](const Event&) { return false; }, deadline_in(std::chrono::seconds(5)));
  return client.end().kind == Received::Kind::close ? client.end().close_code : 0;
}

inline int closed_with(LegacyClient& client) {
  const Deadline deadline = deadline_in(std::chrono::seconds(5));
  while (client.next(deadline)) {
  }
  return client.end().kind == Received::Kind::close ? client.end().close_code : 0;
}

// A legacy client with ?room=&nick=(&token=), from `source`.
inline bool legacy_connect_from(LegacyClient& client, std::uint16_t port, const std::string& room,
                                const std::string& nick, const std::string& token,
                                const std::string& source) {
  ConnectOptions options;
  options.source_address = source;
  options.path = "/ws?room=" + url_encode(room) + "&nick=" + url_encode(nick) +
                 (token.empty() ? "" : "&token=" + url_encode(token));
  return client.ws().connect(port, options).upgraded();
}

}  // namespace hubchat::test
