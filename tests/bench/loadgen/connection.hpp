// One client connection's state: socket, handshake progress, the frame
// receiver, pending output, per-sender sequence tracking, and (for senders)
// pacing or window state. Owned by one worker; never shared between threads.
#pragma once

#include "tests/bench/loadgen/send_buffer.hpp"

#include <cstdint>
#include <string>
#include <vector>

#include "tests/bench/loadgen/unique_fd.hpp"
#include "tests/bench/loadgen/ws_frame_parser.hpp"

namespace hubchat::bench {

enum class ConnState : std::uint8_t {
  idle,        // not opened yet
  connecting,  // TCP connect in progress
  upgrading,   // upgrade request sent, waiting for 101
  joining,     // lossless: join sent, waiting for the welcome
  ready,
  closed,
};

inline constexpr std::uint32_t kNotSender = UINT32_MAX;

struct Connection {
  UniqueFd fd;
  ConnState state = ConnState::idle;
  std::uint32_t id = 0;                  // global index, 0..clients-1
  std::uint32_t sender_id = kNotSender;  // 0..senders-1 for senders
  bool epollout = false;                 // EPOLLOUT currently registered
  bool closing = false;                  // drop after the current read
  bool close_seen = false;               // the server sent a close frame
  std::string handshake;                 // response bytes until "\r\n\r\n"
  WsReceiver rx;
  SendBuffer out;                       // bytes the socket did not take yet
  std::vector<std::uint32_t> last_seq;  // per sender: last seq seen (0: none)
  // sender state
  std::uint32_t next_seq = 1;
  std::int64_t next_due_ns = 0;  // open-loop: next scheduled send
  std::size_t outstanding = 0;   // closed-loop: sent, own echo not yet seen

  bool in_handshake() const {
    return state == ConnState::connecting || state == ConnState::upgrading ||
           state == ConnState::joining;
  }
};

}  // namespace hubchat::bench
