// hubchat_loadgen's command line: what to load, how hard, for how long.
#pragma once

#include <sys/types.h>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tests/bench/loadgen/message_body.hpp"

namespace hubchat::bench {

enum class Mode : std::uint8_t { fanout, idle };

struct Options {
  Mode mode = Mode::fanout;
  Dialect dialect = Dialect::lossless;
  std::string host = "127.0.0.1";
  // Client i connects to ports[i % ports.size()]: several relays share one room.
  std::vector<int> ports{8080};
  std::string path = "/ws";
  std::string room = "bench";
  unsigned threads = 1;
  std::size_t clients = 100;
  std::size_t senders = 10;
  double rate = 0;          // msg/s per sender, open-loop; 0: closed-loop
  std::size_t window = 16;  // closed-loop: outstanding messages per sender
  std::size_t message_bytes = 64;
  double warmup_s = 1;
  double duration_s = 5;
  double drain_s = 3;
  double connect_timeout_s = 30;
  // fanout: seconds to hold every connection before the first send (the
  // runner reads the machine's socket memory meanwhile; see million.py).
  double settle_s = 0;
  // Client i binds to source_base + i % source_ips (host order) when either is
  // set: one address has only ~28k ephemeral ports toward one server port.
  unsigned source_ips = 1;
  std::uint32_t source_base = 0x7F000001u;  // 127.0.0.1
  unsigned max_handshakes = 256;            // connections in handshake at once (per thread)
  int rcvbuf = 0;                  // SO_RCVBUF bytes for client sockets (0: kernel autotuning)
  std::vector<pid_t> server_pids;  // their CPU and RSS are summed (several relays)
  pid_t broker_pid = 0;            // a broker (redis-server) reported on its own
  std::string label;               // copied into the report
  // An HS256 secret (or PEM private key) file, as the relay's --auth-key:
  // every client joins with its own token (client_tokens.hpp). Empty: guests.
  std::string token_key;
};

// Returns an exit code when the program should stop (help, usage error).
std::optional<int> parse_options(int argc, char** argv, Options& options);

}  // namespace hubchat::bench
