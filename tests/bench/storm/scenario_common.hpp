// Pieces every storm scenario uses: checking welcomes against the protocol's
// bounds (a page of at most 200 sorted nicks, `more` when the room is bigger,
// a size that does not grow with the room), waiting for quiet, scraping one
// /metrics sample, and writing counters into the result line.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "shared/event.hpp"
#include "tests/bench/loadgen/json_line.hpp"
#include "tests/bench/storm/client_pool.hpp"
#include "tests/bench/storm/storm_options.hpp"

namespace hubchat::bench {

inline constexpr std::size_t kWelcomePageMax = 200;  // docs/PROTOCOL.md: welcome

struct WelcomeCheck {
  std::uint64_t welcomes = 0;
  std::uint64_t largest_line = 0;   // bytes of the largest welcome event
  std::uint64_t largest_frame = 0;  // bytes of the largest frame holding one
  std::uint64_t max_members = 0;    // longest member page
  std::uint64_t max_count = 0;
  std::uint64_t bad_pages = 0;  // over 200 nicks, unsorted, or `more` wrong

  void add(const Event& welcome, std::size_t line_bytes, std::size_t frame_bytes);
  void write(JsonLine& json) const;  // fields welcome_*
};

// Counters of `after` minus those of `before` (closes per code too).
PoolStats stats_since(const PoolStats& after, const PoolStats& before);
// Writes stats as `prefix`attempts, `prefix`closes ({code: n}), ...
void write_stats(JsonLine& json, const std::string& prefix, const PoolStats& stats);

// Runs the pool until no bytes arrived for options.quiet_s (at most `limit_s`).
bool wait_quiet(ClientPool& pool, const StormOptions& options, double limit_s);

// One sample of the relay's /metrics (nullopt: unreachable or absent).
std::optional<double> scrape(const StormOptions& options, const char* metric);
void write_optional(JsonLine& json, const char* key, std::optional<double> value);
// The same for a counter (written as an integer: bytes exceed %g's digits).
void write_optional_count(JsonLine& json, const char* key, std::optional<double> value);

// Prints one JSON line on stdout at once (the runner reads them as they come).
void emit(const std::string& line);

// Nick of crowd member i: a fixed width, so every welcome page is the same size.
std::string crowd_nick(const char* prefix, std::size_t i);

}  // namespace hubchat::bench
