#include "relay/auth/token_verifier.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <memory>
#include <vector>

#include "relay/auth/jwt_support.hpp"
#include "shared/json.hpp"
#include "shared/names.hpp"

namespace hubchat::relay {
namespace {

using jwt_support::jwt_alg;
using jwt_support::JwtFree;
using jwt_support::StrFree;

bool is_printable_ascii(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c > ' ' && c < 0x7f; });
}

bool is_room_pattern(std::string_view pattern, std::size_t max_room_bytes) {
  if (pattern == "*") return true;
  if (!pattern.empty() && pattern.back() == '*') pattern.remove_suffix(1);
  return is_valid_name(pattern, max_room_bytes);
}

TokenCheck refuse(TokenStatus status, std::string why) {
  TokenCheck check;
  check.status = status;
  check.why = std::move(why);
  return check;
}

}  // namespace

TokenVerifier::TokenVerifier(AuthKey key, std::size_t max_nick_bytes, std::size_t max_room_bytes)
    : key_(std::move(key)), max_nick_bytes_(max_nick_bytes), max_room_bytes_(max_room_bytes) {}

TokenCheck TokenVerifier::check(std::string_view token, std::int64_t now) const {
  if (token.size() > kMaxTokenBytes)
    return refuse(TokenStatus::invalid,
                  "token longer than " + std::to_string(kMaxTokenBytes) + " bytes");
  if (token.empty() || token.find('\0') != std::string_view::npos)
    return refuse(TokenStatus::invalid, "not a token");
  const std::string text(token);  // libjwt wants a C string
  jwt_t* raw = nullptr;
  const int failed =
      jwt_decode(&raw, text.c_str(), reinterpret_cast<const unsigned char*>(key_.bytes.data()),
                 static_cast<int>(key_.bytes.size()));
  std::unique_ptr<jwt_t, JwtFree> jwt(raw);
  if (failed || !jwt) return refuse(TokenStatus::invalid, "token malformed or signature invalid");
  // libjwt verified with the algorithm the token names; only the key's counts.
  if (jwt_get_alg(jwt.get()) != jwt_alg(key_.alg))
    return refuse(TokenStatus::invalid,
                  std::string("token algorithm is not the relay's (") + to_string(key_.alg) + ")");

  TokenCheck check;
  Identity& who = check.identity;
  errno = 0;
  const long exp = jwt_get_grant_int(jwt.get(), "exp");
  if (errno != 0 || exp <= 0) return refuse(TokenStatus::invalid, "token has no exp");
  const char* sub = jwt_get_grant(jwt.get(), "sub");
  if (!sub || !*sub || std::string_view(sub).size() > kMaxUidBytes || !is_printable_ascii(sub))
    return refuse(TokenStatus::invalid, "token sub is missing or not 1-128 printable ASCII");
  const char* name = jwt_get_grant(jwt.get(), "name");
  if (!name || !is_valid_name(name, max_nick_bytes_))
    return refuse(TokenStatus::invalid, "token name is missing or not a valid nick");
  who.uid = sub;
  who.name = name;
  who.expires_at = exp;
  if (const char* role = jwt_get_grant(jwt.get(), "role")) {
    if (!parse_role(role, who.role))
      return refuse(TokenStatus::invalid, "token role is not member, moderator or admin");
  } else if (std::unique_ptr<char, StrFree> other(jwt_get_grants_json(jwt.get(), "role")); other) {
    return refuse(TokenStatus::invalid, "token role is not a string");
  }
  if (std::unique_ptr<char, StrFree> rooms(jwt_get_grants_json(jwt.get(), "rooms")); rooms) {
    // libjwt hands nested values back as JSON text: read it as an array of strings.
    std::vector<json::Field> fields;
    std::string error;
    const std::string wrapped = std::string("{\"rooms\":") + rooms.get() + "}";
    if (!json::parse_object(wrapped, fields, error) || fields.size() != 1 ||
        fields[0].kind != json::Kind::string_array || fields[0].items.size() > kMaxRooms)
      return refuse(TokenStatus::invalid, "token rooms is not a list of at most 64 room names");
    for (const std::string& pattern : fields[0].items)
      if (!is_room_pattern(pattern, max_room_bytes_))
        return refuse(TokenStatus::invalid, "token rooms holds an invalid room name or pattern");
    who.has_rooms = true;
    who.rooms = std::move(fields[0].items);
  }
  if (exp <= now) return refuse(TokenStatus::expired, "token expired");
  check.status = TokenStatus::ok;
  return check;
}

}  // namespace hubchat::relay
