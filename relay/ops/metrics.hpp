// Counters the relay exposes at GET /metrics, in Prometheus text format.
// Single-threaded (lws service thread), so plain integers.
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace hubchat::relay {

enum class CloseReason : std::uint8_t {
  peer,               // the client closed or the connection dropped (incl. pong timeout)
  message_too_big,    // 1009
  invalid_utf8,       // 1007
  binary_frame,       // 1003
  server_full,        // 1013
  slow_consumer,      // 4001
  too_many_replies,   // 1008
  shutdown,           // 1001
  rate_limited,       // 1008 (legacy clients; lossless ones get an error event)
  too_many_from_ip,   // 1008
  too_many_requests,  // 1008 (a lossless frame holding more than a burst of requests)
  unavailable,        // 1013 (legacy clients: the message store is unreachable)
  history_reset,      // 1012 (the room's history was lost by the message store)
  auth,               // 4400-4403 (bad or expired token, sign-in required, forbidden)
  moderation,         // 4404 kicked, 4405 banned
  count_
};

const char* to_string(CloseReason reason);

struct Metrics {
  std::uint64_t connections = 0;  // open WebSocket connections (gauge)
  std::uint64_t connections_total = 0;
  std::uint64_t messages_in = 0;   // chat messages accepted
  std::uint64_t messages_out = 0;  // events written, counted per recipient
  std::uint64_t frames_out = 0;
  std::uint64_t bytes_out = 0;
  std::uint64_t max_frame_bytes_out = 0;
  std::uint64_t rejected_handshakes = 0;  // Origin not allowed
  // The event loop's, copied in by the server when /metrics is scraped.
  std::uint64_t loop_turns = 0;
  // Longest busy time of one loop turn since the previous scrape (so a
  // scraper sees every stall once, whatever its interval), in seconds.
  double loop_stall_max_seconds = 0;
  std::array<std::uint64_t, static_cast<std::size_t>(CloseReason::count_)> closes{};

  void count_close(CloseReason reason) { ++closes[static_cast<std::size_t>(reason)]; }
  std::string render(std::size_t rooms, std::size_t history_bytes) const;
};

}  // namespace hubchat::relay
