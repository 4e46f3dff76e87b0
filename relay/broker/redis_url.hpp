// The address of a Redis server, as --redis takes it: redis://HOST:PORT[/DB].
#pragma once

#include <string>
#include <string_view>

namespace hubchat::relay {

struct RedisAddress {
  std::string host = "127.0.0.1";
  int port = 6379;
  int db = 0;
};

// False (and `address` unchanged) if `url` is not of that form.
bool parse_redis_url(std::string_view url, RedisAddress& address);

}  // namespace hubchat::relay
