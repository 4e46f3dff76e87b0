// One worker thread: owns a slice of the connections and an epoll instance,
// opens them (bounded handshakes in flight), sends (paced or windowed),
// receives and checks every delivery, until the run's timeline ends.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tests/bench/loadgen/connection.hpp"
#include "tests/bench/loadgen/run_control.hpp"
#include "tests/bench/loadgen/stats.hpp"
#include "tests/bench/loadgen/unique_fd.hpp"

namespace hubchat::bench {

class Worker {
 public:
  // Connections with global index i where i % threads == index belong here.
  Worker(RunControl& control, unsigned index);
  void run();  // returns when the run is over; then stats() is final
  const Stats& stats() const { return stats_; }

  // Sink interface for WsReceiver (called during a read).
  void on_message(std::string_view payload);
  void on_ping(std::string_view payload);
  void on_close(std::uint16_t code);

 private:
  void open_more();
  void open(Connection& c);
  void handle_event(Connection& c, std::uint32_t events);
  void finish_connect(Connection& c);
  void read_from(Connection& c);
  void on_upgrade_bytes(Connection& c, std::string_view data);
  void on_welcome_frame(Connection& c, std::string_view payload);
  void on_bodies(Connection& c, std::string_view payload);
  void became_ready(Connection& c);
  void fail(Connection& c);
  void drop(Connection& c);
  void queue(Connection& c, std::string_view bytes);
  void flush(Connection& c);
  std::uint32_t tag(const Connection& c) const;         // its epoll data
  const std::string& upgrade_for(const Connection& c);  // its HTTP upgrade request
  void send_messages(Connection& c, std::size_t count, std::int64_t now, bool paced);
  void send_due(std::int64_t now);
  std::int64_t wait_timeout_ns(std::int64_t now) const;
  std::uint32_t next_mask();

  RunControl& control_;
  const Options& options_;
  unsigned index_;
  UniqueFd epoll_;
  std::vector<Connection> conns_;
  std::vector<std::uint32_t> senders_;  // local indices of sender connections
  std::size_t next_to_open_ = 0;
  std::size_t handshakes_ = 0;  // connections in handshake now
  std::size_t settled_ = 0;     // ready or failed
  Stats stats_;
  std::vector<char> read_buf_;
  std::string frame_scratch_;    // outgoing frames being built
  std::string payload_scratch_;  // one outgoing payload being built
  std::string pong_scratch_;     // a pong being built (inside a read)
  // The upgrade request per port (Host differs); with legacy tokens, the
  // path up to the token instead (hosts_: each port's Host).
  std::vector<std::string> upgrades_;
  std::vector<std::string> hosts_;
  bool legacy_token_path_ = false;
  std::string upgrade_scratch_;    // a legacy client's own request, being sent
  Connection* current_ = nullptr;  // connection whose bytes the receiver is parsing
  std::int64_t read_time_ = 0;     // clock at the current read
  std::int64_t last_rx_ns_ = 0;    // last time any bytes arrived
  std::uint64_t mask_state_;
};

}  // namespace hubchat::bench
