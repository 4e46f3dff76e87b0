#include "relay/broker/redis_url.hpp"

#include <charconv>

namespace hubchat::relay {
namespace {

bool parse_int(std::string_view text, int& value) {
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size();
}

}  // namespace

bool parse_redis_url(std::string_view url, RedisAddress& address) {
  constexpr std::string_view kScheme = "redis://";
  if (url.substr(0, kScheme.size()) != kScheme) return false;
  url.remove_prefix(kScheme.size());
  RedisAddress parsed;
  if (const auto slash = url.find('/'); slash != std::string_view::npos) {
    if (!parse_int(url.substr(slash + 1), parsed.db) || parsed.db < 0) return false;
    url = url.substr(0, slash);
  }
  if (const auto colon = url.rfind(':'); colon != std::string_view::npos) {
    if (!parse_int(url.substr(colon + 1), parsed.port) || parsed.port < 1 || parsed.port > 65535)
      return false;
    url = url.substr(0, colon);
  }
  if (url.empty()) return false;
  parsed.host = std::string(url);
  address = std::move(parsed);
  return true;
}

}  // namespace hubchat::relay
