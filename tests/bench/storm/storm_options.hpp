// hubchat_storm's command line: which scenario, against which relay, how big.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "tests/bench/storm/client_pool.hpp"

namespace hubchat::bench {

enum class StormScenario : std::uint8_t { restart, presence, flood };

struct StormOptions {
  StormScenario scenario = StormScenario::restart;
  PoolConfig pool;
  std::string room = "storm";
  std::size_t clients = 10000;
  double join_timeout_s = 40;          // all clients joined (each phase that connects the crowd)
  double resume_timeout_s = 40;        // restart: all clients back, after the relay is down
  double quiet_s = 1.0;                // no bytes for this long: presence has settled
  std::size_t fill = 4096;             // presence: chat messages in the room before the storm
  std::size_t attack_requests = 2000;  // flood: requests in each attack frame
  double sender_interval_s = 0.1;      // flood: the regular sender's pace
  std::string label;
};

// Returns an exit code when the program should stop (help, usage error).
std::optional<int> parse_storm_options(int argc, char** argv, StormOptions& options);

}  // namespace hubchat::bench
