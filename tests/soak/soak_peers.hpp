// Well-behaved soak clients: lossless and legacy chat peers that read all the
// time and (some of them) send at a steady rate well within the relay's rate
// limit. Each peer checks what it receives as it goes: every message must be
// one some sender of its room really sent, byte for byte, and each sender's
// messages must arrive exactly once and in sending order; lossless peers also
// check that seqs never skip or repeat. The order of all messages is kept
// compactly (sender id, n) so peers of one room can be compared at the end.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tests/soak/soak_driver.hpp"
#include "tests/support/lossless_client.hpp"
#include "tests/support/ws_test_client.hpp"

namespace hubchat::test::soak {

// Every WebSocket upgrade the soak performs (to check the relay's
// hubchat_connections_total and closes_total against it).
std::atomic<std::size_t>& upgrades();

// A well-behaved sender. `sent` and `done` are written by the thread that
// drives it and read by peers on other threads.
struct SenderInfo {
  int sid = 0;
  std::string room;
  std::string nick;
  bool legacy = false;
  double rate_hz = 1;   // messages per second
  std::size_t pad = 0;  // extra body bytes (the firehose room sends big ones)
  std::atomic<std::uint32_t> sent{0};
  std::atomic<bool> done{false};
};

// What sender `s` puts on the wire as its message number n.
std::string sent_body(const SenderInfo& s, std::uint32_t n);
// The body the room holds for it (legacy input is normalised by the relay).
std::string stored_body(const SenderInfo& s, std::uint32_t n);

// When sending starts (set once every peer is connected) and for how long.
struct Schedule {
  std::atomic<Clock::rep> start{0};  // Clock ticks since its epoch; 0: not yet
  std::chrono::milliseconds duration{60000};
  std::optional<Clock::time_point> start_time() const;
};

class ChatPeer final : public Actor {
 public:
  // `senders`: the senders of this peer's room (those it must hear from);
  // `own`: what this peer sends itself, if it is a sender.
  ChatPeer(std::string room, std::string nick, bool legacy, std::vector<SenderInfo*> senders,
           SenderInfo* own, const Schedule& schedule);

  // Handshake (and, lossless, join + welcome). Blocking; false on failure
  // (see problems()).
  bool connect(std::uint16_t port);
  // Sends a close frame (1000) and drops the socket.
  void close();

  int poll_fd() const override;
  void on_readable(Clock::time_point now) override;
  void on_tick(Clock::time_point now) override;
  bool finished() const override { return closed_; }

  // Every sender of the room is done and all of its messages arrived here.
  bool caught_up() const;

  bool legacy() const { return legacy_; }
  const std::string& room() const { return room_; }
  const std::string& nick() const { return nick_; }
  const std::vector<std::uint64_t>& order() const { return order_; }  // (sid << 32) | n
  std::size_t received() const { return order_.size(); }
  std::size_t problem_count() const { return problem_count_; }
  const std::vector<std::string>& problems() const { return problems_; }
  std::size_t pings_answered() const;

 private:
  void handle_event(const Event& e);
  void handle_message(std::string_view body, const std::string* from);
  void problem(std::string what);
  void send_next();

  std::string room_, nick_;
  bool legacy_;
  std::vector<SenderInfo*> senders_;
  SenderInfo* own_;
  const Schedule& schedule_;

  LosslessClient lossless_;  // when !legacy_
  WsClient ws_;              // when legacy_ (bodies split from frames by hand)
  bool closed_ = false;

  Seq last_seq_ = 0;  // lossless: seq of the last logged event
  Seq welcome_first_ = 0;
  std::vector<std::int64_t> last_n_;  // per entry of senders_: last n seen (-1: none)
  std::vector<std::uint64_t> order_;
  std::vector<std::string> problems_;  // the first few, for the report
  std::size_t problem_count_ = 0;
};

}  // namespace hubchat::test::soak
