// hubchat_loadgen: WebSocket load generator for the hubchat relay (and any
// gorilla-chat-compatible broadcast server). Prints one JSON line of results.
// See docs/benchmark.md.
#include <csignal>
#include <cstdio>
#include <string>
#include <vector>

#include "tests/bench/loadgen/client_tokens.hpp"
#include "tests/bench/loadgen/options.hpp"
#include "tests/bench/loadgen/report.hpp"
#include "tests/bench/loadgen/scenario.hpp"

int main(int argc, char** argv) {
  hubchat::bench::Options options;
  if (auto exit_code = hubchat::bench::parse_options(argc, argv, options)) return *exit_code;
  std::signal(SIGPIPE, SIG_IGN);
  std::vector<std::string> tokens;
  if (!options.token_key.empty()) {
    std::string error;
    auto minted = hubchat::bench::mint_client_tokens(options.token_key, options.clients, error);
    if (!minted) {
      std::fprintf(stderr, "hubchat_loadgen: --token-key: %s\n", error.c_str());
      return 2;
    }
    tokens = std::move(*minted);
  }
  const auto result = hubchat::bench::run_scenario(options, std::move(tokens));
  std::printf("%s\n", hubchat::bench::report_json(options, result).c_str());
  return result.stats.connected == 0 ? 2 : 0;
}
