// The relay's command line: every limit and timing it runs with.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "relay/ops/log.hpp"

namespace hubchat::relay {

// The Content-Security-Policy of the bundled web client, on every response
// but other --web-root files when --csp says otherwise. lws's "best
// practices" set uses script-src 'self', which forbids compiling WebAssembly;
// this one allows it ('wasm-unsafe-eval') and lets the page open sockets to
// other relays (?server=). No inline script or style anywhere.
inline constexpr const char* kStrictCsp =
    "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
    "font-src 'self'; img-src 'self' data:; connect-src 'self' ws: wss:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
// --csp values are at most this long: the header has to fit lws's header
// buffer for a file response (2 KiB, shared with ETag and the like).
inline constexpr std::size_t kMaxCspBytes = 1024;

// --anonymous: what a client without a valid token may do.
enum class Anonymous { allow, read, deny };

struct Options {
  int port = 8080;
  std::string host;      // empty: all interfaces
  std::string web_root;  // empty: no static files
  std::size_t max_message_bytes = 64 * 1024;
  std::size_t history_events = 4096;
  std::size_t history_bytes = 8 * 1024 * 1024;
  std::size_t max_frame_bytes = 16 * 1024;
  unsigned ping_interval_s = 54;             // the seed's pingPeriod
  unsigned pong_timeout_s = 60;              // the seed's pongWait
  std::vector<std::string> allowed_origins;  // empty: any Origin
  std::size_t max_connections = 10000;
  std::string default_room = "lobby";
  double rate_limit = 20;       // requests/s per connection, sustained (0: no budget)
  std::size_t rate_burst = 60;  // requests at once (and the most one frame may hold)
  std::size_t max_connections_per_ip = 64;
  unsigned handshake_timeout_s = 10;
  std::size_t history_total_bytes = 256u << 20;  // all rooms together
  std::string tls_cert, tls_key;
  // 0: a room's readers are written to at the end of the loop turn its
  // events arrived in (what arrived in one turn shares one frame per reader:
  // the busier the relay, the fuller the frames). N: an optional extra delay,
  // N ms after the first new event (sooner once half a frame is pending).
  unsigned flush_interval_ms = 0;
  // Frugal when busy: while the relay offers more than `coalesce_above`
  // deliveries a second, a room written to less than `coalesce_ms` ago
  // gathers its next events until then (one frame per reader instead of
  // one per event: the kernel's per-send cost is most of the CPU a delivery
  // takes). A room's first event after a pause, and every event while the
  // relay is below the rate, is written at the end of its turn. 0: off.
  std::uint32_t coalesce_above = 20000;
  unsigned coalesce_ms = 10;
  // Presence changes of a room are gathered this long, then sent at once
  // (summarized when there are many): churn costs each member a few events
  // per interval, however many people come and go. 0: sent at once.
  unsigned presence_interval_ms = 250;
  std::size_t max_pending_reply_bytes = 64 * 1024;
  std::size_t max_nick_bytes = 32;
  std::size_t max_room_bytes = 64;
  // Content-Security-Policy for files served from --web-root other than the
  // bundled web client's (which always get kStrictCsp), e.g. a user's own
  // page with an inline script. Safe by default: the strict policy. Empty: no
  // CSP header (--csp off).
  std::string web_root_csp = kStrictCsp;
  LogLevel log_level = LogLevel::info;
  // Peers whose X-Forwarded-For / X-Real-IP name the client (reverse proxies).
  std::vector<std::string> trusted_proxies;
  // --redis redis://HOST:PORT[/DB]: share rooms with other relays through
  // Redis (the Redis broker); empty: the in-memory broker, one relay. More
  // than one: rooms sharded over them by name (ShardedBroker); every relay
  // must list the same servers in the same order.
  std::vector<std::string> redis_urls;
  std::string redis_prefix = "hubchat:";  // every key and channel starts with it
  // SO_REUSEPORT: several relays on one host share --port (the kernel
  // spreads new connections over them).
  bool reuse_port = false;
  // --redis: a relay's members of a room are listed in Redis with this TTL,
  // refreshed every third of it; a relay that dies takes its members with
  // it within ttl + ttl/3 seconds.
  unsigned presence_ttl_s = 30;
  // --auth-key FILE: checks tokens (JWT) with an HS256 secret or a PEM public
  // key (RS256/ES256); empty: no tokens, everyone is a guest.
  std::string auth_key_file;
  Anonymous anonymous = Anonymous::allow;
  // --private-room PATTERN: rooms (names or prefix*) that need a token
  // whose rooms cover them.
  std::vector<std::string> private_rooms;
  // --api-key-file FILE: turns on /api/* (publish, moderation, rooms) for
  // requests bearing the key in the file; empty: no API.
  std::string api_key_file;
  // Every setting with its effective value ("name=value ..."), for the log.
  std::string effective_settings;
};

// Parses argv. Returns an exit code when the program should stop right away
// (--help, --version, or a usage error, already reported), nullopt otherwise.
std::optional<int> parse_options(int argc, char** argv, Options& options);

}  // namespace hubchat::relay
