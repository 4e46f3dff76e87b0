// Turns a scenario's counters and samples into the one JSON line the
// generator prints (field meanings: docs/benchmark.md).
#pragma once

#include <string>

#include "tests/bench/loadgen/options.hpp"
#include "tests/bench/loadgen/scenario.hpp"

namespace hubchat::bench {

std::string report_json(const Options& options, const ScenarioResult& result);

}  // namespace hubchat::bench
