// `relay token`: mints a token for operators and tests, with the same key
// file format as --auth-key. HS256: the relay's secret file. RS256/ES256:
// the PRIVATE key (the relay keeps only the public one; mint where the
// private key lives, e.g. the site's backend or an operator's machine).
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace hubchat::relay {

// "90", "90s", "30m", "1h", "7d": a positive duration of at most a year.
std::optional<std::chrono::seconds> parse_ttl(std::string_view text);

// argv[0] is "token". Prints the token on stdout; returns the exit code.
int run_token_command(int argc, char** argv);

}  // namespace hubchat::relay
