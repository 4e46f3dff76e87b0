// Many lossless clients on one epoll loop, in the driver's one thread: opens
// them with a bounded number of handshakes in flight, joins (resuming with
// since/epoch when the client has them), decodes every event with the shared
// codec and hands it to an observer, and reconnects dropped clients with
// backoff and jitter. A scenario drives it with run_until(), whose step
// function runs between loop turns and says when a condition holds.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <queue>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "shared/event.hpp"
#include "tests/bench/loadgen/unique_fd.hpp"
#include "tests/bench/storm/backoff.hpp"
#include "tests/bench/storm/storm_client.hpp"

namespace hubchat::bench {

struct PoolConfig {
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string path = "/ws";
  unsigned source_ips = 1;        // bind client sockets to 127.0.0.1..127.0.0.N
  unsigned max_handshakes = 256;  // connections in handshake at once
  double handshake_timeout_s = 10;
  BackoffPolicy backoff;
};

// What the pool counted; scenarios subtract snapshots to count per phase.
struct PoolStats {
  std::uint64_t attempts = 0;          // connections opened
  std::uint64_t connect_failures = 0;  // ended before their welcome
  std::uint64_t welcomes = 0;
  std::map<std::uint16_t, std::uint64_t> closes;  // close frames received, by code
  std::uint64_t hangups = 0;                      // ended after the welcome without a close frame
  std::uint64_t gave_up = 0;                      // clients out of reconnect attempts
  std::uint64_t protocol_errors = 0;              // malformed WebSocket frames
  std::uint64_t decode_errors = 0;                // lines the lossless codec refused
  std::uint64_t bytes_in = 0;                     // bytes read from relay sockets
  std::uint64_t frames = 0;                       // data frames
  std::uint64_t largest_frame = 0;                // payload bytes of the largest data frame
  std::uint64_t pings = 0;

  std::uint64_t closes_total() const;
};

class PoolObserver {
 public:
  virtual ~PoolObserver() = default;
  // A welcome: `line_bytes` its encoded size, `frame_bytes` the frame's.
  virtual void on_welcome(StormClient& client, const Event& welcome, std::size_t line_bytes,
                          std::size_t frame_bytes) = 0;
  // Every other event, in arrival order.
  virtual void on_event(StormClient& client, const Event& event) = 0;
  // The connection ended (close frame: client.last_close, else a hangup or a
  // failed attempt); the observer may still change client.reconnect.
  virtual void on_ended(StormClient& /*client*/) {}
};

class ClientPool {
 public:
  ClientPool(PoolConfig config, PoolObserver& observer);

  // Adds a client (idle); the reference stays valid for the pool's life.
  StormClient& add(std::string room, std::string nick);
  StormClient& client(std::size_t index) { return clients_[index]; }
  std::size_t size() const { return clients_.size(); }

  // Schedules a connect (and join) of an idle or gone client at `at_ns`.
  void connect(StormClient& client, std::int64_t at_ns);
  // Ends the client's connection without counting it, and no reconnect.
  void drop(StormClient& client);
  // Sends one text frame holding `events`, one line each.
  void send_events(StormClient& client, const std::vector<Event>& events);

  // Runs the loop until step(now) returns true (true) or the deadline (false).
  bool run_until(std::int64_t deadline_ns, const std::function<bool(std::int64_t)>& step);

  const PoolStats& stats() const { return stats_; }
  std::int64_t last_rx_ns() const { return last_rx_ns_; }

 private:
  struct Sink;  // WsReceiver's sink for one client's read

  void open_due(std::int64_t now);
  void open(StormClient& c, std::int64_t now);
  void handle_event(StormClient& c, std::uint32_t events);
  void finish_connect(StormClient& c);
  void read_from(StormClient& c);
  void on_upgrade_bytes(StormClient& c, std::string_view data);
  void on_frame(StormClient& c, std::string_view payload);
  void receive(StormClient& c, std::string_view data);
  void send_join(StormClient& c);
  void end(StormClient& c);
  void reset_wire(StormClient& c);  // closes the socket, forgets its bytes: phase gone
  void expire_handshakes(std::int64_t now);
  void queue(StormClient& c, std::string_view bytes);
  void flush(StormClient& c);
  std::uint32_t next_mask();

  PoolConfig config_;
  PoolObserver& observer_;
  UniqueFd epoll_;
  std::deque<StormClient> clients_;  // a deque: references survive add()
  using Due = std::pair<std::int64_t, std::uint32_t>;
  std::priority_queue<Due, std::vector<Due>, std::greater<>> due_;
  std::size_t handshakes_ = 0;
  PoolStats stats_;
  std::int64_t last_rx_ns_ = 0;
  std::int64_t next_expiry_check_ns_ = 0;
  std::vector<char> read_buf_;
  std::string upgrade_;
  std::string frame_scratch_, payload_scratch_;
  std::mt19937_64 random_;
  std::uint64_t mask_state_;
};

}  // namespace hubchat::bench
