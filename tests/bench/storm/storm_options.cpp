// Command-line parsing for hubchat_storm (CLI11).
#include "tests/bench/storm/storm_options.hpp"

#include <CLI/CLI.hpp>
#include <map>

namespace hubchat::bench {

std::optional<int> parse_storm_options(int argc, char** argv, StormOptions& o) {
  CLI::App app{
      "hubchat_storm: big-room scenarios against the hubchat relay (restart storm, presence "
      "storm, request flood); prints JSON lines, the last one is the result",
      "hubchat_storm"};
  const std::map<std::string, StormScenario> scenarios{{"restart", StormScenario::restart},
                                                       {"presence", StormScenario::presence},
                                                       {"flood", StormScenario::flood}};
  app.add_option("--scenario", o.scenario, "restart, presence or flood")
      ->required()
      ->transform(CLI::CheckedTransformer(scenarios, CLI::ignore_case));
  app.add_option("--host", o.pool.host, "relay address (loopback only)")->capture_default_str();
  app.add_option("--port", o.pool.port, "relay port")
      ->capture_default_str()
      ->check(CLI::Range(1, 65535));
  app.add_option("--room", o.room, "the room")->capture_default_str();
  app.add_option("--clients", o.clients, "members of the big room")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{3}, std::size_t{60000}));
  app.add_option("--source-ips", o.pool.source_ips,
                 "bind client sockets to 127.0.0.1..127.0.0.N (ephemeral ports)")
      ->capture_default_str()
      ->check(CLI::Range(1u, 250u));
  app.add_option("--max-handshakes", o.pool.max_handshakes, "handshakes in flight at once")
      ->capture_default_str()
      ->check(CLI::Range(1u, 100000u));
  app.add_option("--handshake-timeout", o.pool.handshake_timeout_s,
                 "seconds from connect to welcome before an attempt counts as failed")
      ->capture_default_str();
  app.add_option("--backoff-base", o.pool.backoff.base_s, "reconnect: first delay bound (s)")
      ->capture_default_str();
  app.add_option("--backoff-cap", o.pool.backoff.cap_s, "reconnect: largest delay bound (s)")
      ->capture_default_str();
  app.add_option("--max-attempts", o.pool.backoff.max_attempts, "reconnect attempts per drop")
      ->capture_default_str();
  app.add_option("--join-timeout", o.join_timeout_s, "seconds for the crowd to join")
      ->capture_default_str();
  app.add_option("--resume-timeout", o.resume_timeout_s,
                 "restart: seconds for the crowd to resume after the relay went down")
      ->capture_default_str();
  app.add_option("--quiet", o.quiet_s, "seconds without data that count as settled")
      ->capture_default_str();
  app.add_option("--fill", o.fill, "presence: chat messages in the room before the storm")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 20));
  app.add_option("--attack-requests", o.attack_requests, "flood: requests per attack frame")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{100000}));
  app.add_option("--sender-interval", o.sender_interval_s, "flood: seconds between messages")
      ->capture_default_str()
      ->check(CLI::Range(0.01, 10.0));
  app.add_option("--label", o.label, "free text copied into the result");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return std::nullopt;
}

}  // namespace hubchat::bench
