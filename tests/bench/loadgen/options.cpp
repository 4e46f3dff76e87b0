// Command-line parsing for hubchat_loadgen (CLI11).
#include "tests/bench/loadgen/options.hpp"

#include <arpa/inet.h>

#include <CLI/CLI.hpp>
#include <map>

namespace hubchat::bench {

std::optional<int> parse_options(int argc, char** argv, Options& o) {
  CLI::App app{
      "hubchat_loadgen: WebSocket fan-out / idle-connection load generator for hubchat "
      "(prints one JSON line of results)",
      "hubchat_loadgen"};
  const std::map<std::string, Mode> modes{{"fanout", Mode::fanout}, {"idle", Mode::idle}};
  const std::map<std::string, Dialect> dialects{{"legacy", Dialect::legacy},
                                                {"lossless", Dialect::lossless}};
  app.add_option("--mode", o.mode, "fanout or idle")
      ->transform(CLI::CheckedTransformer(modes, CLI::ignore_case));
  app.add_option("--dialect", o.dialect, "legacy (no subprotocol) or lossless (hubchat.v1)")
      ->transform(CLI::CheckedTransformer(dialects, CLI::ignore_case));
  app.add_option("--host", o.host, "server address (loopback only)")->capture_default_str();
  app.add_option("--port", o.ports, "server port; repeat it to spread clients over several")
      ->capture_default_str()
      ->check(CLI::Range(1, 65535));
  app.add_option("--path", o.path, "WebSocket path (legacy: ?room= is added)")
      ->capture_default_str();
  app.add_option("--room", o.room, "room to join")->capture_default_str();
  app.add_option("--token-key", o.token_key,
                 "key file (as the relay's --auth-key): each client joins verified with its own "
                 "token (sub = its index, name = its nick, valid 1 h), minted at start-up")
      ->check(CLI::ExistingFile);
  app.add_option("--threads", o.threads, "worker threads (one per core given)")
      ->capture_default_str()
      ->check(CLI::Range(1u, 64u));
  app.add_option("--clients", o.clients, "connections")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{2000000}));
  app.add_option("--senders", o.senders, "fanout: clients that also send")->capture_default_str();
  app.add_option("--rate", o.rate, "fanout: msg/s per sender, paced open-loop (0: closed-loop)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1e6));
  app.add_option("--window", o.window, "closed-loop: outstanding messages per sender")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{100000}));
  app.add_option("--message-bytes", o.message_bytes, "body size (padded)")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 20));
  app.add_option("--warmup", o.warmup_s, "seconds before measuring")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 600.0));
  app.add_option("--duration", o.duration_s, "measured seconds (idle: hold time)")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 3600.0));
  app.add_option("--drain", o.drain_s, "seconds to wait for in-flight deliveries")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 600.0));
  app.add_option("--connect-timeout", o.connect_timeout_s, "seconds to set up all connections")
      ->capture_default_str()
      ->check(CLI::Range(1.0, 3600.0));  // a million connections at a slow rate
  app.add_option("--settle", o.settle_s, "fanout: seconds connected and quiet before sending")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 600.0));
  app.add_option("--source-ips", o.source_ips,
                 "bind client sockets to N consecutive addresses from --source-base")
      ->capture_default_str()
      ->check(CLI::Range(1u, 1u << 20));
  std::string source_base = "127.0.0.1";
  app.add_option("--source-base", source_base, "first source address (in 127.0.0.0/8)")
      ->capture_default_str();
  app.add_option("--max-handshakes", o.max_handshakes, "handshakes in flight per thread")
      ->capture_default_str()
      ->check(CLI::Range(1u, 100000u));
  app.add_option("--rcvbuf", o.rcvbuf, "SO_RCVBUF of client sockets in bytes (0: autotuning)")
      ->capture_default_str()
      ->check(CLI::Range(0, 1 << 30));
  app.add_option("--server-pid", o.server_pids,
                 "read this process's CPU and RSS (repeatable: summed over several relays)");
  app.add_option("--broker-pid", o.broker_pid, "read this broker's CPU (redis-server), apart");
  app.add_option("--label", o.label, "free text copied into the report");
  try {
    app.parse(argc, argv);
    if (o.ports.empty()) throw CLI::ValidationError("--port", "needs at least one port");
    in_addr base{};
    if (inet_pton(AF_INET, source_base.c_str(), &base) != 1)
      throw CLI::ValidationError("--source-base", "not an IPv4 address");
    o.source_base = ntohl(base.s_addr);
    // Traffic stays on loopback: every source address must be in 127.0.0.0/8.
    const std::uint64_t last = std::uint64_t{o.source_base} + o.source_ips - 1;
    if (o.source_base >> 24 != 127 || last >> 24 != 127)
      throw CLI::ValidationError("--source-base", "the addresses must lie in 127.0.0.0/8");
    if (o.mode == Mode::fanout && (o.senders == 0 || o.senders > o.clients))
      throw CLI::ValidationError("--senders", "must be between 1 and --clients");
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return std::nullopt;
}

}  // namespace hubchat::bench
