#include "relay/ops/options.hpp"

#include <CLI/CLI.hpp>
#include <map>

#include "relay/api/api_key.hpp"
#include "relay/auth/auth_key.hpp"
#include "relay/broker/redis_url.hpp"
#include "relay/transport/client_address.hpp"

#include "relay/ops/version.hpp"

namespace hubchat::relay {

std::optional<int> parse_options(int argc, char** argv, Options& o) {
  CLI::App app{"hubchat relay: a WebSocket chat hub (legacy gorilla dialect + lossless hubchat.v1)",
               "relay"};
  app.set_version_flag("--version", std::string("relay ") + kVersion);
  // One definition for flags and file: every option below can also be set in
  // the file as `long-name = value` (TOML/INI); a flag given on the command
  // line wins over the file.
  app.set_config("--config", "", "read settings from FILE (name = value lines; flags win)")
      ->check(CLI::ExistingFile);
  app.add_option("--port", o.port, "TCP port to listen on")
      ->capture_default_str()
      ->check(CLI::Range(1, 65535));
  app.add_option("--host", o.host, "address or interface to listen on (default: all)");
  app.add_option("--web-root", o.web_root, "directory served at / (the web client)")
      ->check(CLI::ExistingDirectory);
  app.add_option("--max-message-bytes", o.max_message_bytes,
                 "largest incoming message, after reassembling fragments (else close 1009)")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{16}, std::size_t{16} << 20));
  app.add_option("--history-events", o.history_events, "events each room keeps for replay")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 24));
  app.add_option("--history-bytes", o.history_bytes, "bytes each room keeps for replay")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1024}, std::size_t{1} << 34));
  app.add_option("--max-frame-bytes", o.max_frame_bytes,
                 "largest coalesced outgoing frame (a single larger event goes alone)")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{64}, std::size_t{16} << 20));
  app.add_option("--ping-interval", o.ping_interval_s, "seconds of silence before a ping")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600));
  app.add_option("--pong-timeout", o.pong_timeout_s,
                 "seconds without a pong (or any valid traffic) before dropping the peer")
      ->capture_default_str()
      ->check(CLI::Range(2, 7200));
  app.add_option("--origin", o.allowed_origins,
                 "allowed Origin for WebSocket handshakes (repeatable; default: any)");
  app.add_option("--max-connections", o.max_connections,
                 "WebSocket connections accepted at once (others get close 1013)")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 20));
  app.add_option("--rate-limit", o.rate_limit,
                 "requests (join, msg, nick, members) per second per connection, sustained "
                 "(0: no budget)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1e6));
  app.add_option("--rate-burst", o.rate_burst,
                 "requests a connection may send at once; a lossless frame with more is closed "
                 "1008")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 20));
  app.add_option("--max-connections-per-ip", o.max_connections_per_ip,
                 "WebSocket connections from one address (others get close 1008)")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 20));
  app.add_option("--handshake-timeout", o.handshake_timeout_s,
                 "seconds a connection may take to complete its HTTP/WebSocket handshake")
      ->capture_default_str()
      ->check(CLI::Range(1, 600));
  app.add_option("--history-total-bytes", o.history_total_bytes,
                 "bytes of history kept across all rooms (idle rooms are forgotten first)")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{4096}, std::size_t{1} << 40));
  auto* cert =
      app.add_option("--tls-cert", o.tls_cert, "PEM certificate: serve https:// and wss://")
          ->check(CLI::ExistingFile);
  auto* key = app.add_option("--tls-key", o.tls_key, "PEM private key for --tls-cert")
                  ->check(CLI::ExistingFile);
  cert->needs(key);
  key->needs(cert);
  app.add_option("--flush-interval", o.flush_interval_ms,
                 "extra ms to gather a room's events before writing to its readers (0, the "
                 "default: at the end of the loop turn they arrived in; half a frame of events "
                 "is written sooner)")
      ->capture_default_str()
      ->check(CLI::Range(0, 1000));
  app.add_option("--coalesce-above", o.coalesce_above,
                 "deliveries/s above which a busy room's events are gathered for --coalesce-ms "
                 "after its last write (fewer, fuller frames under load; a quiet room is "
                 "always written at once; 0: never gather)")
      ->capture_default_str()
      ->check(CLI::Range(std::uint32_t{0}, std::uint32_t{100000000}));
  app.add_option("--coalesce-ms", o.coalesce_ms,
                 "how long a busy room gathers (see --coalesce-above; 0: never gather)")
      ->capture_default_str()
      ->check(CLI::Range(0, 1000));
  app.add_option("--presence-interval", o.presence_interval_ms,
                 "ms to gather a room's joins, leaves and renames before sending them (many at "
                 "once become one summary; 0: at once)")
      ->capture_default_str()
      ->check(CLI::Range(0, 10000));
  app.add_option("--default-room", o.default_room, "room of legacy clients without ?room=")
      ->capture_default_str();
  std::string csp;
  app.add_option("--csp", csp,
                 "Content-Security-Policy for --web-root files other than the bundled web "
                 "client's (those always get the strict default), e.g. \"script-src "
                 "'unsafe-inline'\" for a page with an inline script; 'off': no CSP header "
                 "(default: the strict policy)")
      ->type_name("POLICY|off")
      ->check(CLI::Validator(
          [](std::string& value) -> std::string {
            if (value.empty()) return "empty (use 'off' for no header)";
            if (value.size() > kMaxCspBytes)
              return "longer than " + std::to_string(kMaxCspBytes) + " bytes";
            // One header line: no CR/LF (header injection), no other control
            // bytes, ASCII only (the CSP grammar is ASCII).
            for (unsigned char c : value)
              if (c < 0x20 || c > 0x7e) return "control or non-ASCII byte in the policy";
            return "";
          },
          "", "csp"));
  const std::map<std::string, LogLevel> levels{{"error", LogLevel::error},
                                               {"warn", LogLevel::warn},
                                               {"info", LogLevel::info},
                                               {"debug", LogLevel::debug}};
  app.add_option("--log-level", o.log_level,
                 "error, warn, info (startup, shutdown, one line per connection end) or debug "
                 "(also one per connection start)")
      ->transform(CLI::CheckedTransformer(levels))
      ->default_str("info");
  app.add_option("--trusted-proxy", o.trusted_proxies,
                 "reverse proxy address (repeatable): only for connections from it, the client "
                 "address (per-address cap, logs) comes from X-Forwarded-For / X-Real-IP")
      ->type_name("ADDR")
      ->check([](const std::string& value) -> std::string {
        return looks_like_address(value) ? "" : "not an IP address";
      });
  app.add_option("--redis", o.redis_urls,
                 "share rooms with other relays through Redis at redis://HOST:PORT[/DB] "
                 "(default: rooms live in this relay's memory); repeatable, or a list in the "
                 "file: rooms are sharded over the servers by name (same list, same order, on "
                 "every relay)")
      ->type_name("URL")
      ->check([](const std::string& value) -> std::string {
        RedisAddress address;
        return parse_redis_url(value, address) ? "" : "not redis://HOST:PORT[/DB]";
      });
  app.add_option("--redis-prefix", o.redis_prefix, "prefix of every Redis key and channel")
      ->capture_default_str();
  app.add_option("--presence-ttl", o.presence_ttl_s,
                 "with --redis: seconds a relay's members stay listed without a heartbeat (a "
                 "dead relay's members leave within 4/3 of it)")
      ->capture_default_str()
      ->check(CLI::Range(2, 45));
  app.add_option("--auth-key", o.auth_key_file,
                 "check tokens (JWT) with this key: an HS256 secret (32+ bytes), or a PEM public "
                 "key for RS256 (RSA) or ES256 (EC); the key decides the algorithm")
      ->type_name("FILE")
      ->check(CLI::ExistingFile)
      ->check([](const std::string& path) -> std::string {
        std::string error;
        return load_auth_key(path, KeyUse::verify, error) ? "" : error;
      });
  const std::map<std::string, Anonymous> anonymous{
      {"allow", Anonymous::allow}, {"read", Anonymous::read}, {"deny", Anonymous::deny}};
  app.add_option("--anonymous", o.anonymous,
                 "clients without a token: allow (guests chat), read (guests read, their posts "
                 "are refused) or deny (refused at join)")
      ->transform(CLI::CheckedTransformer(anonymous))
      ->default_str("allow");
  app.add_option("--private-room", o.private_rooms,
                 "a room (or prefix*) only tokens whose rooms cover it may join (repeatable)")
      ->type_name("PATTERN");
  app.add_option("--api-key-file", o.api_key_file,
                 "turn on the operator API (/api/*), authorised by Authorization: Bearer KEY with "
                 "the key on this file's first line (16+ bytes)")
      ->type_name("FILE")
      ->check(CLI::ExistingFile)
      ->check([](const std::string& path) -> std::string {
        std::string error;
        return load_api_key(path, error) ? "" : error;
      });
  app.add_flag("--reuse-port", o.reuse_port,
               "listen with SO_REUSEPORT, so several relays on one host share --port");
  try {
    app.parse(argc, argv);
    if (o.pong_timeout_s <= o.ping_interval_s)
      throw CLI::ValidationError("--pong-timeout", "must be greater than --ping-interval");
    if ((o.anonymous != Anonymous::allow || !o.private_rooms.empty()) && o.auth_key_file.empty())
      throw CLI::ValidationError("--anonymous/--private-room",
                                 "need --auth-key (without it nobody has a token)");
    if (app.count("--csp")) o.web_root_csp = csp == "off" ? std::string() : csp;
    // What the relay runs with, flags and file merged, for its startup line.
    std::string settings = app.config_to_str(true, false);
    for (char& c : settings)
      if (c == '\n') c = ' ';
    while (!settings.empty() && settings.back() == ' ') settings.pop_back();
    o.effective_settings = std::move(settings);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return std::nullopt;
}

}  // namespace hubchat::relay
