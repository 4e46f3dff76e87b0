#include "relay/auth/identity.hpp"

namespace hubchat::relay {

bool parse_role(std::string_view text, Role& out) {
  if (text == "member")
    out = Role::member;
  else if (text == "moderator")
    out = Role::moderator;
  else if (text == "admin")
    out = Role::admin;
  else
    return false;
  return true;
}

const char* to_string(Role role) {
  switch (role) {
    case Role::member:
      return "member";
    case Role::moderator:
      return "moderator";
    case Role::admin:
      return "admin";
  }
  return "?";
}

bool room_pattern_matches(std::string_view pattern, std::string_view room) {
  if (!pattern.empty() && pattern.back() == '*')
    return room.starts_with(pattern.substr(0, pattern.size() - 1));
  return pattern == room;
}

bool any_pattern_matches(const std::vector<std::string>& patterns, std::string_view room) {
  for (const std::string& pattern : patterns)
    if (room_pattern_matches(pattern, room)) return true;
  return false;
}

}  // namespace hubchat::relay
