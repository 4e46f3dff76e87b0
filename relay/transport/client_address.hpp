// Whose connection is it? Behind a reverse proxy every peer address is the
// proxy's, which makes the per-address cap and the logs useless. Only for
// peers named with --trusted-proxy, the client's address is taken from the
// headers the proxy sets; from anyone else those headers are ignored, so a
// client cannot pick its own address. No lws in here: unit-tested.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hubchat::relay {

// An address as the relay compares it: IPv4-mapped IPv6 ("::ffff:1.2.3.4")
// becomes the IPv4 address.
std::string normalized_address(std::string_view address);

// Only digits, hex letters, '.' and ':' (IPv4 or IPv6), 1-45 characters.
bool looks_like_address(std::string_view address);

// The client's address for a connection from `peer`:
//  - `peer` itself unless it is one of `trusted_proxies`;
//  - else the right-most X-Forwarded-For entry that is not a trusted proxy
//    (each proxy appends the address it saw; entries left of the first
//    untrusted one could be forged by the client);
//  - else X-Real-IP;
//  - else `peer`. Entries that are not addresses are not used.
std::string client_address(std::string_view peer, const std::vector<std::string>& trusted_proxies,
                           std::string_view x_forwarded_for, std::string_view x_real_ip);

}  // namespace hubchat::relay
