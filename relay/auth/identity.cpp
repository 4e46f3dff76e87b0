#include "relay/auth/identity.hpp"

#include <iterator>

#include "shared/enum_names.hpp"

namespace hubchat::relay {

namespace {

constexpr EnumName<Role> kRoleNames[] = {
    {Role::member, "member"}, {Role::moderator, "moderator"}, {Role::admin, "admin"}};
static_assert(std::size(kRoleNames) == static_cast<std::size_t>(Role::admin) + 1);

}  // namespace

bool parse_role(std::string_view text, Role& out) {
  const std::optional<Role> role = value_in(kRoleNames, text);
  if (role) out = *role;
  return role.has_value();
}

const char* to_string(Role role) {
  return name_in(kRoleNames, role, "?");
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
