// WsUrl and split_url (see ws_url.hpp).
#include "client/transport/ws_url.hpp"

namespace hubchat::client {

UrlParts split_url(std::string_view url) {
  UrlParts parts;
  // The fragment is never sent to the server.
  if (const auto hash = url.find('#'); hash != std::string_view::npos) url = url.substr(0, hash);
  if (const auto sep = url.find("://"); sep != std::string_view::npos) {
    for (const char c : url.substr(0, sep))
      parts.scheme += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
    url.remove_prefix(sep + 3);
  }
  const auto path_start = url.find_first_of("/?");
  parts.authority = url.substr(0, path_start);
  const std::string_view rest =
      path_start == std::string_view::npos ? std::string_view{} : url.substr(path_start);
  const auto q = rest.find('?');
  parts.path = rest.substr(0, q);
  if (q != std::string_view::npos) {
    parts.has_query = true;
    parts.query = rest.substr(q + 1);
  }
  return parts;
}

std::optional<WsUrl> WsUrl::parse(std::string_view url) {
  if (url.find("://") == std::string_view::npos) return std::nullopt;
  const UrlParts parts = split_url(url);
  WsUrl result;
  if (parts.scheme == "ws") {
    result.tls = false;
  } else if (parts.scheme == "wss") {
    result.tls = true;
  } else {
    return std::nullopt;
  }
  const std::string_view authority = parts.authority;
  if (authority.find('@') != std::string_view::npos) return std::nullopt;  // no userinfo support

  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {  // IPv6 literal
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    result.host = std::string{authority.substr(1, close - 1)};
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return std::nullopt;
      port_text = after.substr(1);
    }
  } else {
    const auto colon = authority.rfind(':');
    result.host = std::string{authority.substr(0, colon)};
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (result.host.empty()) return std::nullopt;
  result.port = default_port(result.tls);
  if (!port_text.empty()) {
    int port = 0;
    for (const char c : port_text) {
      if (c < '0' || c > '9') return std::nullopt;
      port = port * 10 + (c - '0');
      if (port > 65535) return std::nullopt;
    }
    if (port == 0) return std::nullopt;
    result.port = port;
  }
  result.path = parts.path.empty() ? "/" : std::string{parts.path};
  if (parts.has_query) result.path += "?" + std::string{parts.query};
  return result;
}

}  // namespace hubchat::client
