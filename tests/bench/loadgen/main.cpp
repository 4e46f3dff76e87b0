// hubchat_loadgen: WebSocket load generator for the hubchat relay (and any
// gorilla-chat-compatible broadcast server). Prints one JSON line of results.
// See docs/benchmark.md.
#include <csignal>
#include <cstdio>

#include "tests/bench/loadgen/options.hpp"
#include "tests/bench/loadgen/report.hpp"
#include "tests/bench/loadgen/scenario.hpp"

int main(int argc, char** argv) {
  hubchat::bench::Options options;
  if (auto exit_code = hubchat::bench::parse_options(argc, argv, options)) return *exit_code;
  std::signal(SIGPIPE, SIG_IGN);
  const auto result = hubchat::bench::run_scenario(options);
  std::printf("%s\n", hubchat::bench::report_json(options, result).c_str());
  return result.stats.connected == 0 ? 2 : 0;
}
