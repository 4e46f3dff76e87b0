// hubchat_storm: big-room scenarios against a running hubchat relay (restart
// storm, presence storm, request flood). Single-threaded: one epoll loop holds
// every client. Prints JSON lines; the last is the result. See scenarios.hpp.
#include <csignal>

#include "tests/bench/storm/scenario_common.hpp"
#include "tests/bench/storm/scenarios.hpp"
#include "tests/bench/storm/storm_options.hpp"

int main(int argc, char** argv) {
  hubchat::bench::StormOptions options;
  if (auto exit_code = hubchat::bench::parse_storm_options(argc, argv, options)) return *exit_code;
  std::signal(SIGPIPE, SIG_IGN);
  hubchat::bench::emit(R"({"event":"started"})");
  using hubchat::bench::StormScenario;
  switch (options.scenario) {
    case StormScenario::restart:
      hubchat::bench::emit(hubchat::bench::run_restart_storm(options));
      break;
    case StormScenario::presence:
      hubchat::bench::emit(hubchat::bench::run_presence_storm(options));
      break;
    case StormScenario::flood:
      hubchat::bench::emit(hubchat::bench::run_flood(options));
      break;
  }
  return 0;
}
