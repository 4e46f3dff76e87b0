#include "relay/ops/metrics.hpp"

#include <charconv>
#include <iterator>

#include "shared/enum_names.hpp"

namespace hubchat::relay {

constexpr EnumName<CloseReason> kCloseReasonNames[] = {
    {CloseReason::peer, "peer"},
    {CloseReason::message_too_big, "message_too_big"},
    {CloseReason::invalid_utf8, "invalid_utf8"},
    {CloseReason::binary_frame, "binary_frame"},
    {CloseReason::server_full, "server_full"},
    {CloseReason::unavailable, "unavailable"},
    {CloseReason::history_reset, "history_reset"},
    {CloseReason::slow_consumer, "slow_consumer"},
    {CloseReason::too_many_replies, "too_many_replies"},
    {CloseReason::shutdown, "shutdown"},
    {CloseReason::rate_limited, "rate_limited"},
    {CloseReason::too_many_from_ip, "too_many_from_ip"},
    {CloseReason::too_many_requests, "too_many_requests"},
    {CloseReason::auth, "auth"},
    {CloseReason::moderation, "moderation"}};
static_assert(std::size(kCloseReasonNames) == static_cast<std::size_t>(CloseReason::count_));

const char* to_string(CloseReason reason) {
  return name_in(kCloseReasonNames, reason, "?");
}

std::string Metrics::render(std::size_t rooms, std::size_t history_bytes) const {
  std::string out;
  auto metric = [&](const char* name, const char* type, const char* help, std::uint64_t value) {
    out += "# HELP ";
    out += name;
    out += ' ';
    out += help;
    out += "\n# TYPE ";
    out += name;
    out += ' ';
    out += type;
    out += '\n';
    out += name;
    out += ' ';
    out += std::to_string(value);
    out += '\n';
  };
  metric("hubchat_connections", "gauge", "Open WebSocket connections.", connections);
  metric("hubchat_connections_total", "counter", "WebSocket connections accepted.",
         connections_total);
  metric("hubchat_messages_in_total", "counter", "Chat messages accepted.", messages_in);
  metric("hubchat_messages_out_total", "counter", "Events delivered, counted per recipient.",
         messages_out);
  metric("hubchat_frames_out_total", "counter", "WebSocket data frames written.", frames_out);
  metric("hubchat_bytes_out_total", "counter", "Payload bytes of frames written.", bytes_out);
  metric("hubchat_max_frame_bytes_out", "gauge", "Largest frame payload written.",
         max_frame_bytes_out);
  metric("hubchat_rejected_handshakes_total", "counter", "Handshakes refused (Origin).",
         rejected_handshakes);
  metric("hubchat_loop_turns_total", "counter", "Event loop turns (wake-ups) completed.",
         loop_turns);
  {
    // Shortest text that reads back as the same double (Prometheus parses
    // Go floats: 1.5e-05 is fine). 32 bytes hold any double's (at most 24).
    char seconds[32];
    const char* end = std::to_chars(seconds, seconds + sizeof seconds, loop_stall_max_seconds).ptr;
    out +=
        "# HELP hubchat_loop_stall_max_seconds Longest time one event loop turn kept the relay "
        "busy (every socket waiting), since the previous scrape of /metrics.\n"
        "# TYPE hubchat_loop_stall_max_seconds gauge\n"
        "hubchat_loop_stall_max_seconds ";
    out.append(seconds, static_cast<std::size_t>(end - seconds));
    out += '\n';
  }
  metric("hubchat_rooms", "gauge", "Rooms in memory.", rooms);
  metric("hubchat_history_bytes", "gauge", "Bytes held by all room logs.", history_bytes);
  out += "# HELP hubchat_closes_total Connections closed, by reason.\n";
  out += "# TYPE hubchat_closes_total counter\n";
  for (std::size_t i = 0; i < closes.size(); ++i) {
    out += "hubchat_closes_total{reason=\"";
    out += to_string(static_cast<CloseReason>(i));
    out += "\"} ";
    out += std::to_string(closes[i]);
    out += '\n';
  }
  return out;
}

}  // namespace hubchat::relay
