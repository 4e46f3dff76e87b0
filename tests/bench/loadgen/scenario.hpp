// Runs one load scenario end to end: starts the workers, waits for every
// connection, sets the timeline, samples CPU/RSS of both processes around the
// measured window, collects and merges the workers' counters.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "tests/bench/loadgen/options.hpp"
#include "tests/bench/loadgen/stats.hpp"

namespace hubchat::bench {

struct Samples {
  double connect_s = 0;                // time to set up all connections
  double window_s = 0;                 // measured seconds (actual)
  double self_cpu_s = 0;               // generator CPU in the window
  std::optional<double> server_cpu_s;  // server CPU in the window (all relays)
  std::optional<double> broker_cpu_s;  // the broker's (redis-server) CPU in the window
  std::optional<long long> server_rss_before, server_rss_after;
  std::optional<long long> server_rss_settled;  // fanout with --settle: all connected, quiet
};

struct ScenarioResult {
  Stats stats;
  Samples samples;
};

// `tokens`: client i joins with tokens[i] (--token-key); empty: as guests.
ScenarioResult run_scenario(const Options& options, std::vector<std::string> tokens = {});

}  // namespace hubchat::bench
