// The storm scenarios (docs/benchmark.md, "Big rooms and storms"). Each runs
// against a relay the runner started, and returns its result as one JSON line
// of facts; the runner (run.py) asserts on them and prints the figures.
//
// restart:  the crowd joins one room (welcome count and size checked), one
//           member posts a few messages that all receive; after printing
//           {"event":"joined"} it waits while the runner restarts
//           the relay, and every client reconnects (backoff + jitter) and
//           resumes with since/epoch; counts closes per code, welcomes and
//           `missed` (restart) notices, and the bytes the storm cost.
// presence: one sender fills the room with --fill messages; the crowd ramps
//           in with since = the top seq; then a late joiner without since
//           must be replayed exactly those messages. Nobody may be closed.
// flood:    in a room of the crowd, a regular sender posts every
//           --sender-interval s while an attacker sends one frame of
//           --attack-requests nick changes and one of joins; /metrics is
//           scraped around each (hubchat_loop_stall_max_seconds), and
//           around a second of the sender alone to compare with; every
//           other member must get every message, and few attacker changes.
#pragma once

#include <string>

#include "tests/bench/storm/storm_options.hpp"

namespace hubchat::bench {

std::string run_restart_storm(const StormOptions& options);
std::string run_presence_storm(const StormOptions& options);
std::string run_flood(const StormOptions& options);

}  // namespace hubchat::bench
