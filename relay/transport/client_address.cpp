#include "relay/transport/client_address.hpp"

#include <algorithm>

namespace hubchat::relay {
namespace {

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool is_trusted(const std::string& address, const std::vector<std::string>& trusted) {
  return std::any_of(trusted.begin(), trusted.end(),
                     [&](const std::string& t) { return normalized_address(t) == address; });
}

}  // namespace

std::string normalized_address(std::string_view address) {
  constexpr std::string_view kMapped = "::ffff:";
  if (address.size() > kMapped.size() && address.substr(0, kMapped.size()) == kMapped &&
      address.find('.') != std::string_view::npos)
    address.remove_prefix(kMapped.size());
  return std::string(address);
}

bool looks_like_address(std::string_view address) {
  if (address.empty() || address.size() > 45) return false;
  return std::all_of(address.begin(), address.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '.' ||
           c == ':';
  });
}

std::string client_address(std::string_view peer, const std::vector<std::string>& trusted_proxies,
                           std::string_view x_forwarded_for, std::string_view x_real_ip) {
  const std::string from = normalized_address(peer);
  if (!is_trusted(from, trusted_proxies)) return from;
  std::string_view rest = x_forwarded_for;
  while (!rest.empty()) {
    const std::size_t comma = rest.rfind(',');
    const std::string_view entry =
        trimmed(comma == std::string_view::npos ? rest : rest.substr(comma + 1));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(0, comma);
    if (!looks_like_address(entry)) return from;  // a hop we cannot read: trust nothing left of it
    const std::string address = normalized_address(entry);
    if (!is_trusted(address, trusted_proxies)) return address;
  }
  const std::string_view real = trimmed(x_real_ip);
  if (looks_like_address(real)) return normalized_address(real);
  return from;
}

}  // namespace hubchat::relay
