// A small blocking WebSocket client (RFC 6455) for integration tests, on plain
// POSIX sockets: no libwebsockets, so it can do what a well-behaved library
// refuses to (invalid UTF-8 in a text frame, binary frames, hand-made
// fragments, ignoring pings, a tiny receive buffer). Every wait takes a
// deadline; nothing here sleeps.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tests/support/ws_frame.hpp"

namespace hubchat::test {

using Clock = std::chrono::steady_clock;
using Deadline = Clock::time_point;

inline Deadline deadline_in(std::chrono::milliseconds d) {
  return Clock::now() + d;
}

// Owns a file descriptor; closes it on destruction.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release();
  void reset(int fd = -1);

 private:
  int fd_ = -1;
};

// Connects a TCP socket to 127.0.0.1:port (blocking connect; loopback answers
// at once). `rcvbuf` > 0 sets SO_RCVBUF and `max_segment` > 0 sets TCP_MAXSEG
// first: both must be set before connect to affect what the peer sees.
// `source_address` (e.g. "127.0.0.7"): bound before connect, so the relay
// sees another client address (any 127.0.0.0/8 address is local).
// Returns an invalid fd on failure.
UniqueFd connect_tcp(std::uint16_t port, int rcvbuf = 0, int max_segment = 0,
                     const std::string& source_address = {});

// Writes all of `data` to a non-blocking fd, waiting for POLLOUT up to the
// deadline. False on error or timeout.
bool write_all(int fd, std::string_view data, Deadline deadline);

using Opcode = WsOpcode;

struct ConnectOptions {
  std::string path = "/ws";
  std::optional<std::string> subprotocol;  // e.g. "hubchat.v1"; none = legacy dialect
  std::optional<std::string> origin;       // no Origin header when empty
  std::vector<std::string> extra_headers;  // "Name: value" lines added to the request
  int rcvbuf = 0;                          // SO_RCVBUF before connect when > 0
  // TCP_MAXSEG before connect when > 0. Loopback's 64 KiB MSS lets the peer's
  // kernel size its send buffer at ~4 MB, which would hide a slow reader from
  // the relay for megabytes; a small advertised MSS keeps that buffer ~50 KB.
  int max_segment = 0;
  std::string source_address;  // bound before connect when set (a loopback address)
  std::chrono::milliseconds timeout{5000};
};

struct HandshakeResult {
  bool tcp_connected = false;
  int status = 0;             // HTTP status of the reply; 0 if none came
  bool accept_ok = false;     // Sec-WebSocket-Accept matched our key
  std::string subprotocol;    // Sec-WebSocket-Protocol of the reply ("" if absent)
  std::string response_head;  // status line + headers, for failure messages
  bool upgraded() const { return status == 101 && accept_ok; }
};

struct Received {
  enum class Kind { text, binary, close, eof, timeout, error };
  Kind kind = Kind::timeout;
  std::string data;                    // text/binary: the reassembled message
  std::vector<std::size_t> fragments;  // payload size of each frame of the message
  int close_code = 0;                  // close: 1005 when the frame had no code
  std::string close_reason;
  std::string error;  // error: what went wrong (protocol violation, errno)

  bool is_data() const { return kind == Kind::text || kind == Kind::binary; }
  bool ended() const { return kind == Kind::close || kind == Kind::eof || kind == Kind::error; }
  std::string describe() const;  // for assertion messages
};

class WsClient {
 public:
  WsClient() = default;
  WsClient(WsClient&&) = default;
  WsClient& operator=(WsClient&&) = default;

  HandshakeResult connect(std::uint16_t port, const ConnectOptions& options = {});
  bool connected() const { return fd_.valid(); }
  int fd() const { return fd_.get(); }
  void disconnect() { fd_.reset(); }  // abrupt TCP close, no close frame

  // Sending (client frames are always masked, as RFC 6455 requires).
  bool send_text(std::string_view text) { return send_frame(Opcode::text, text, true); }
  bool send_binary(std::string_view data) { return send_frame(Opcode::binary, data, true); }
  // Raw bytes in a text frame: nothing checks them, so invalid UTF-8 goes out.
  bool send_raw_text(std::string_view bytes) { return send_frame(Opcode::text, bytes, true); }
  // A TEXT frame with FIN=0, then CONTINUATION frames, the last with FIN=1.
  bool send_fragmented_text(const std::vector<std::string>& parts);
  bool send_ping(std::string_view payload = {}) { return send_frame(Opcode::ping, payload, true); }
  bool send_close(int code = 1000, std::string_view reason = {});
  bool send_frame(Opcode opcode, std::string_view payload, bool fin);

  // Next data message (fragments reassembled), a close frame, EOF, or timeout.
  // Pings are answered with a pong unless auto_pong is off; a received close
  // is answered with a close (once) so the peer can finish its close cleanly.
  Received receive(Deadline deadline);
  // Discards data messages until the connection ends (close frame, EOF or
  // error) or the deadline passes (kind == timeout).
  Received wait_closed(Deadline deadline, std::size_t* data_messages = nullptr);

  void set_auto_pong(bool on) { auto_pong_ = on; }
  int pings_received() const { return pings_received_; }
  int pongs_received() const { return pongs_received_; }
  std::size_t bytes_received() const { return bytes_received_; }

 private:
  // One complete frame taken from rx_ (parse_server_frame); false if more
  // bytes are needed or, with `error` set, the bytes are not a valid frame.
  struct Frame {
    bool fin = false;
    Opcode opcode = Opcode::text;
    std::string payload;
  };
  enum class Fill { data, eof, timeout, error };
  bool parse_frame(Frame& frame, std::string& error);
  Fill fill(Deadline deadline, std::string& error);

  UniqueFd fd_;
  std::string rx_;  // bytes read but not yet parsed
  std::optional<Opcode> partial_opcode_;
  std::string partial_;
  std::vector<std::size_t> partial_fragments_;
  bool auto_pong_ = true;
  bool close_sent_ = false;
  int pings_received_ = 0;
  int pongs_received_ = 0;
  std::size_t bytes_received_ = 0;
  std::uint32_t mask_state_ = 0x9e3779b9u;
};

// Only the opening handshake, with `origin` (none: no Origin header) and
// offering `subprotocol`; the connection is closed again at once.
HandshakeResult handshake(std::uint16_t port, std::optional<std::string> origin,
                          std::optional<std::string> subprotocol = std::string("hubchat.v1"));

// Exposed for a self-check: base64(SHA-1(key + RFC 6455 GUID)).
std::string websocket_accept(std::string_view key);

}  // namespace hubchat::test
