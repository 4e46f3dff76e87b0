#include "relay/auth/token_command.hpp"

#include <CLI/CLI.hpp>
#include <charconv>
#include <cstdio>
#include <string>
#include <vector>

#include "relay/auth/token_minter.hpp"

namespace hubchat::relay {

std::optional<std::chrono::seconds> parse_ttl(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::int64_t unit = 1;
  switch (text.back()) {
    case 's':
      text.remove_suffix(1);
      break;
    case 'm':
      unit = 60;
      text.remove_suffix(1);
      break;
    case 'h':
      unit = 3600;
      text.remove_suffix(1);
      break;
    case 'd':
      unit = 86400;
      text.remove_suffix(1);
      break;
    default:
      break;
  }
  std::int64_t count = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), count);
  if (error != std::errc() || end != text.data() + text.size() || count <= 0 ||
      count > 366 * 86400 / unit)
    return std::nullopt;
  return std::chrono::seconds(count * unit);
}

int run_token_command(int argc, char** argv) {
  CLI::App app{"mint a token (JWT) for a user: prints it on stdout", "relay token"};
  std::string key_file, ttl_text = "1h", role_text;
  TokenClaims claims;
  std::string rooms_text;
  app.add_option("--auth-key", key_file,
                 "HS256: the relay's secret file; RS256/ES256: the private key (PEM)")
      ->required()
      ->check(CLI::ExistingFile);
  app.add_option("--sub", claims.sub, "user id (the events' uid)")->required();
  app.add_option("--name", claims.name, "the user's nick (reserved while connected)")->required();
  app.add_option("--role", role_text, "member, moderator or admin (default: member)");
  app.add_option("--rooms", rooms_text,
                 "comma-separated rooms or prefix* patterns the token may join (private rooms)");
  app.add_option("--ttl", ttl_text, "lifetime: 90s, 30m, 1h, 7d")->capture_default_str();
  try {
    app.parse(argc, argv);
    if (!role_text.empty()) {
      Role role;
      if (!parse_role(role_text, role))
        throw CLI::ValidationError("--role", "member, moderator or admin");
      claims.role = role;
    }
    if (app.count("--rooms")) {
      claims.rooms.emplace();
      std::string_view rest = rooms_text;
      while (!rest.empty()) {
        const std::size_t comma = rest.find(',');
        const std::string_view item = rest.substr(0, comma);
        if (!item.empty()) claims.rooms->emplace_back(item);
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      }
    }
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  const std::optional<std::chrono::seconds> ttl = parse_ttl(ttl_text);
  if (!ttl) {
    std::fprintf(stderr, "relay token: --ttl: not a duration like 90s, 30m, 1h or 7d\n");
    return 2;
  }
  std::string error;
  const std::optional<AuthKey> key = load_auth_key(key_file, KeyUse::sign, error);
  if (!key) {
    std::fprintf(stderr, "relay token: --auth-key %s: %s\n", key_file.c_str(), error.c_str());
    return 2;
  }
  using namespace std::chrono;
  claims.issued_at = duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
  claims.expires_at = claims.issued_at + ttl->count();
  const std::optional<std::string> token = mint_token(*key, claims, error);
  if (!token) {
    std::fprintf(stderr, "relay token: %s\n", error.c_str());
    return 1;
  }
  std::printf("%s\n", token->c_str());
  return 0;
}

}  // namespace hubchat::relay
