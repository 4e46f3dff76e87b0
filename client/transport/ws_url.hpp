// WsUrl: the one reading of a WebSocket server URL in the client. The session
// uses split() to build the URL it dials (a pasted page address mapped to the
// socket's scheme, room and nick added); the native transport uses parse() to
// get host, port and path for lws. Pure C++: built natively and with em++.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hubchat::client {

// A URL cut into its parts, fragment dropped. Nothing is checked here.
struct UrlParts {
  std::string scheme;  // lowercased; "" when the text has no "://"
  std::string_view authority;
  std::string_view path;   // "" or starting with '/'
  std::string_view query;  // without the '?'
  bool has_query = false;
};
UrlParts split_url(std::string_view url);

// A URL the client can dial: ws:// or wss://, a host, a port.
struct WsUrl {
  bool tls = false;
  std::string host;  // without brackets for IPv6
  int port = 0;
  std::string path;  // path + "?query", at least "/"

  // ws://host[:port][/path][?query] or wss://...; IPv6 literals in brackets;
  // no user info. nullopt for anything else.
  static std::optional<WsUrl> parse(std::string_view url);
};

constexpr int default_port(bool tls) {
  return tls ? 443 : 80;
}

}  // namespace hubchat::client
