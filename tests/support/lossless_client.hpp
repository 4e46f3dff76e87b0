// A test peer speaking the lossless dialect (hubchat.v1) over WsClient: sends
// join/msg events, decodes the relay's batches into events with the shared
// codec, and waits (with deadlines) until a condition on them holds. Also a
// thin legacy-dialect peer. Every event received is kept in history(), so a
// test can check order, gaps and duplicates after the fact.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shared/event.hpp"
#include "tests/support/ws_test_client.hpp"

namespace hubchat::test {

// Per-connection frame statistics (to check the relay's frame bound).
struct FrameStats {
  std::size_t messages = 0;           // data messages received
  std::size_t frames = 0;             // WebSocket frames they came in
  std::size_t max_message_bytes = 0;  // largest reassembled message
  std::size_t max_frame_bytes = 0;    // largest single frame payload
  std::size_t bytes = 0;
  void add(const Received& r);
};

class LosslessClient {
 public:
  // Connects to /ws with subprotocol hubchat.v1 (path/origin/rcvbuf from
  // `options`, whose subprotocol is overridden).
  HandshakeResult connect(std::uint16_t port, ConnectOptions options = {});

  bool send_event(const Event& event);
  bool send_join(const std::string& room, const std::string& nick = {},
                 std::optional<Seq> since = std::nullopt,
                 std::optional<std::uint64_t> epoch = std::nullopt);
  bool send_msg(std::string_view body);

  // Connect + join + wait for the welcome. nullopt on any failure.
  std::optional<Event> connect_and_join(std::uint16_t port, const std::string& room,
                                        const std::string& nick,
                                        Deadline deadline = deadline_in(std::chrono::seconds(5)),
                                        std::optional<Seq> since = std::nullopt,
                                        std::optional<std::uint64_t> epoch = std::nullopt);

  // The next event (from a buffered batch or a new frame); nullopt when the
  // deadline passes or the connection ends (see end()).
  std::optional<Event> next(Deadline deadline);
  // Reads until an event satisfying `pred` arrives (returned; events before it
  // stay in history()). nullopt on deadline/end.
  std::optional<Event> wait_for(const std::function<bool(const Event&)>& pred, Deadline deadline);
  // Reads until `pred(history())` holds. False on deadline/end.
  bool collect_until(const std::function<bool(const std::vector<Event>&)>& pred, Deadline deadline);
  // Reads whatever has already arrived, without waiting.
  void drain();

  // Messages (type msg) of `room` in history, in arrival order.
  std::vector<Event> msgs(const std::string& room = {}) const;
  std::size_t msg_count() const { return msg_count_; }

  const std::vector<Event>& history() const { return history_; }
  void clear_history() { history_.clear(), msg_count_ = 0; }
  // How the connection ended (close/eof/error), or kind timeout if it has not.
  const Received& end() const { return end_; }
  const FrameStats& stats() const { return stats_; }
  // Lines the shared codec could not decode: the relay sent bad JSON.
  const std::vector<std::string>& decode_errors() const { return decode_errors_; }
  WsClient& ws() { return ws_; }

 private:
  // Reads one more data message into pending_; false on deadline/end.
  bool read_more(Deadline deadline);

  WsClient ws_;
  std::deque<Event> pending_;
  std::vector<Event> history_;
  std::size_t msg_count_ = 0;
  Received end_;
  FrameStats stats_;
  std::vector<std::string> decode_errors_;
};

// A peer of the gorilla-compatible dialect: no subprotocol, /ws?room=&nick=.
class LegacyClient {
 public:
  HandshakeResult connect(std::uint16_t port, const std::string& room = {},
                          const std::string& nick = {}, ConnectOptions options = {});
  bool send(std::string_view text) { return ws_.send_text(text); }
  // Next message body (frames are split on '\n'); nullopt on deadline/end.
  std::optional<std::string> next(Deadline deadline);
  // Reads until `body` arrives; bodies before it stay in history().
  bool wait_for(std::string_view body, Deadline deadline);
  const std::vector<std::string>& history() const { return history_; }
  const Received& end() const { return end_; }
  const FrameStats& stats() const { return stats_; }
  WsClient& ws() { return ws_; }

 private:
  WsClient ws_;
  std::deque<std::string> pending_;
  std::vector<std::string> history_;
  Received end_;
  FrameStats stats_;
};

// Percent-encodes a query parameter value.
std::string url_encode(std::string_view s);

// Compact description of events for assertion messages ("msg#3 a:'hi' ...").
std::string describe(const Event& e);
std::string describe(const std::vector<Event>& events, std::size_t max = 20);

}  // namespace hubchat::test
