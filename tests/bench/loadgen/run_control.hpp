// State shared between the coordinator and the worker threads: readiness
// counters and the run's timeline (set once every connection is up).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "tests/bench/loadgen/options.hpp"

namespace hubchat::bench {

struct Timeline {
  std::int64_t start_ns = 0;        // senders start
  std::int64_t warm_end_ns = 0;     // measuring starts
  std::int64_t measure_end_ns = 0;  // senders stop, measuring stops
  std::int64_t drain_end_ns = 0;    // receivers give up waiting

  bool measuring(std::int64_t t) const { return t >= warm_end_ns && t < measure_end_ns; }
};

struct RunControl {
  RunControl(const Options& o, std::string run_tag, std::vector<std::string> client_tokens)
      : options(o), tag(std::move(run_tag)), tokens(std::move(client_tokens)) {}

  const Options& options;
  std::string tag;                  // run tag stamped into every body
  std::vector<std::string> tokens;  // client i joins with tokens[i]; empty: as a guest
  std::atomic<std::size_t> ready{0};
  std::atomic<std::size_t> failed{0};
  std::atomic<bool> started{false};  // timeline is valid
  std::atomic<bool> stop{false};     // workers: close everything and return
  Timeline timeline;                 // written before `started` is set
};

}  // namespace hubchat::bench
