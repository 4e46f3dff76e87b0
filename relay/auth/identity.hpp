// A verified user, as its token says: who (sub), under which nick (name), in
// what role, which rooms it may enter, and until when. Allocated only for
// connections that presented a valid token (Session::identity), so guests
// cost nothing.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace hubchat::relay {

struct Session;

enum class Role : std::uint8_t { member, moderator, admin };

// "member" | "moderator" | "admin"; false for anything else.
bool parse_role(std::string_view text, Role& out);
const char* to_string(Role role);

// A room name, or a prefix followed by '*' ("team-*"; "*" alone is every room).
bool room_pattern_matches(std::string_view pattern, std::string_view room);
bool any_pattern_matches(const std::vector<std::string>& patterns, std::string_view room);

struct Identity {
  std::string uid;   // the token's sub
  std::string name;  // the token's name: the nick, reserved while connected
  Role role = Role::member;
  bool has_rooms = false;          // the token lists rooms (else: no private room)
  std::vector<std::string> rooms;  // names or prefix* patterns
  std::int64_t expires_at = 0;     // exp, seconds since the Unix epoch
  // The session's entry in the access policy's expiry watch, while it is
  // there (its expiry not yet acted on).
  bool watched = false;
  std::multimap<std::int64_t, Session*>::iterator expiry_entry{};

  // Private rooms need the token to list them.
  bool covers(std::string_view room) const { return any_pattern_matches(rooms, room); }
};

}  // namespace hubchat::relay
