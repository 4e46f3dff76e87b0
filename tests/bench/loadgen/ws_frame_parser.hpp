// Incremental receiver for WebSocket frames sent by a server (RFC 6455,
// unmasked). parse_server_frame() (tests/support/ws_frame.hpp, shared with the
// test client) looks at one frame at the start of a buffer; WsReceiver feeds
// it arbitrary read() chunks, keeps a partial frame between
// reads (copying only that frame's bytes), reassembles fragmented messages and
// calls a sink. After warm-up it allocates nothing per message.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "tests/support/ws_frame.hpp"

namespace hubchat::bench {

using test::close_code_of;
using test::parse_server_frame;
using test::ParsedFrame;
using test::ParseStatus;
using test::WsOpcode;

// Sink concept:
//   void on_message(std::string_view payload);   // a whole text message
//   void on_ping(std::string_view payload);
//   void on_close(std::uint16_t code);
class WsReceiver {
 public:
  explicit WsReceiver(std::size_t max_payload = 16u << 20) : max_payload_(max_payload) {}

  // Consumes `data` (one read's worth). Returns false on a protocol error
  // (error() tells which); the connection should then be dropped.
  template <class Sink>
  bool receive(std::string_view data, Sink& sink) {
    while (!carry_.empty()) {
      ParsedFrame f = parse_server_frame(carry_, max_payload_);
      if (f.status == ParseStatus::error) return fail(f.error);
      if (f.status == ParseStatus::frame) {
        if (!dispatch(f, sink)) return false;
        carry_.clear();  // keeps its capacity
        break;
      }
      if (data.empty()) return true;
      const std::size_t take = std::min(f.needed - carry_.size(), data.size());
      carry_.append(data.data(), take);
      data.remove_prefix(take);
    }
    while (!data.empty()) {
      ParsedFrame f = parse_server_frame(data, max_payload_);
      if (f.status == ParseStatus::error) return fail(f.error);
      if (f.status == ParseStatus::need_more) {
        carry_.assign(data.data(), data.size());
        return true;
      }
      if (!dispatch(f, sink)) return false;
      data.remove_prefix(f.consumed);
    }
    return true;
  }

  const char* error() const { return error_; }
  std::size_t frames() const { return frames_; }  // data frames (text/continuation)
  // The largest data frame's payload so far: shows the server's frame bound.
  std::size_t largest_frame() const { return largest_frame_; }
  bool idle() const { return carry_.empty() && !fragmented_; }

 private:
  bool fail(const char* why) {
    error_ = why;
    return false;
  }

  void count_frame(std::size_t payload) {
    ++frames_;
    if (payload > largest_frame_) largest_frame_ = payload;
  }

  template <class Sink>
  bool dispatch(const ParsedFrame& f, Sink& sink) {
    switch (f.opcode) {
      case WsOpcode::text:
        if (fragmented_) return fail("new text message inside a fragmented one");
        count_frame(f.payload.size());
        if (f.fin) {
          sink.on_message(f.payload);
        } else {
          fragmented_ = true;
          message_.assign(f.payload.data(), f.payload.size());
        }
        return true;
      case WsOpcode::continuation:
        if (!fragmented_) return fail("continuation without a message");
        count_frame(f.payload.size());
        if (message_.size() + f.payload.size() > max_payload_) return fail("message too big");
        message_.append(f.payload.data(), f.payload.size());
        if (f.fin) {
          fragmented_ = false;
          sink.on_message(message_);
          message_.clear();
        }
        return true;
      case WsOpcode::binary:
        return fail("binary frame");
      case WsOpcode::ping:
        sink.on_ping(f.payload);
        return true;
      case WsOpcode::pong:
        return true;
      case WsOpcode::close:
        sink.on_close(close_code_of(f.payload));
        return true;
    }
    return fail("unknown opcode");
  }

  std::size_t max_payload_;
  std::string carry_;    // a frame split across reads
  std::string message_;  // a fragmented message being reassembled
  bool fragmented_ = false;
  std::size_t frames_ = 0;
  std::size_t largest_frame_ = 0;
  const char* error_ = "";
};

}  // namespace hubchat::bench
