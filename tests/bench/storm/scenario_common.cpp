// Shared scenario helpers (see scenario_common.hpp).
#include "tests/bench/storm/scenario_common.hpp"

#include <algorithm>
#include <cstdio>

#include "tests/bench/loadgen/clock.hpp"
#include "tests/bench/storm/metrics_scrape.hpp"

namespace hubchat::bench {

void WelcomeCheck::add(const Event& w, std::size_t line_bytes, std::size_t frame_bytes) {
  ++welcomes;
  largest_line = std::max<std::uint64_t>(largest_line, line_bytes);
  largest_frame = std::max<std::uint64_t>(largest_frame, frame_bytes);
  max_members = std::max<std::uint64_t>(max_members, w.members.size());
  max_count = std::max(max_count, w.count);
  const bool sorted = std::is_sorted(w.members.begin(), w.members.end());
  const bool more_right = w.more == (w.members.size() < w.count);
  if (w.members.size() > kWelcomePageMax || !sorted || !more_right) ++bad_pages;
}

void WelcomeCheck::write(JsonLine& json) const {
  json.integer("welcomes", welcomes).integer("welcome_largest_line_bytes", largest_line);
  json.integer("welcome_largest_frame_bytes", largest_frame);
  json.integer("welcome_max_members", max_members).integer("welcome_max_count", max_count);
  json.integer("welcome_bad_pages", bad_pages);
}

PoolStats stats_since(const PoolStats& after, const PoolStats& before) {
  PoolStats d = after;
  d.attempts -= before.attempts;
  d.connect_failures -= before.connect_failures;
  d.welcomes -= before.welcomes;
  for (const auto& [code, n] : before.closes) {
    d.closes[code] -= n;
    if (d.closes[code] == 0) d.closes.erase(code);
  }
  d.hangups -= before.hangups;
  d.gave_up -= before.gave_up;
  d.protocol_errors -= before.protocol_errors;
  d.decode_errors -= before.decode_errors;
  d.bytes_in -= before.bytes_in;
  d.frames -= before.frames;
  d.pings -= before.pings;
  return d;  // largest_frame stays the maximum so far
}

void write_stats(JsonLine& json, const std::string& prefix, const PoolStats& s) {
  auto key = [&](const char* name) { return prefix + name; };
  JsonLine closes;
  for (const auto& [code, n] : s.closes) closes.integer(std::to_string(code).c_str(), n);
  json.integer(key("attempts").c_str(), s.attempts);
  json.integer(key("connect_failures").c_str(), s.connect_failures);
  json.raw(key("closes").c_str(), closes.done());
  json.integer(key("hangups").c_str(), s.hangups).integer(key("gave_up").c_str(), s.gave_up);
  json.integer(key("protocol_errors").c_str(), s.protocol_errors);
  json.integer(key("decode_errors").c_str(), s.decode_errors);
  json.integer(key("bytes_in").c_str(), s.bytes_in).integer(key("frames").c_str(), s.frames);
  json.integer(key("largest_frame_bytes").c_str(), s.largest_frame);
}

bool wait_quiet(ClientPool& pool, const StormOptions& o, double limit_s) {
  const std::int64_t quiet = seconds_to_ns(o.quiet_s);
  const std::int64_t from = now_ns();
  return pool.run_until(from + seconds_to_ns(limit_s), [&](std::int64_t now) {
    return now - std::max(pool.last_rx_ns(), from) >= quiet;
  });
}

std::optional<double> scrape(const StormOptions& o, const char* metric) {
  const auto body = http_get(o.pool.host, o.pool.port, "/metrics", 5.0);
  if (!body) return std::nullopt;
  return metric_value(*body, metric);
}

void write_optional(JsonLine& json, const char* key, std::optional<double> value) {
  if (value)
    json.num(key, *value);
  else
    json.null(key);
}

void write_optional_count(JsonLine& json, const char* key, std::optional<double> value) {
  if (value && *value >= 0)
    json.integer(key, static_cast<std::uint64_t>(*value));
  else
    json.null(key);
}

void emit(const std::string& line) {
  std::fputs(line.c_str(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

std::string crowd_nick(const char* prefix, std::size_t i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%s%05zu", prefix, i);
  return buf;
}

}  // namespace hubchat::bench
