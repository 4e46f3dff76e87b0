// One member of a storm: its socket and wire state, and what it knows of the
// protocol (granted nick, relay epoch, last seq held), which its next join
// carries when it resumes. Owned by the ClientPool; scenarios read it and set
// the resume fields before a connect.
#pragma once

#include "tests/bench/loadgen/send_buffer.hpp"

#include <cstdint>
#include <string>

#include "shared/event.hpp"
#include "tests/bench/loadgen/unique_fd.hpp"
#include "tests/bench/loadgen/ws_frame_parser.hpp"

namespace hubchat::bench {

enum class Phase : std::uint8_t {
  idle,        // not asked to connect
  waiting,     // a connect is scheduled (backoff)
  connecting,  // TCP connect in progress
  upgrading,   // upgrade request sent, waiting for 101
  joining,     // join sent, waiting for the welcome
  joined,      // welcome received
  gone,        // ended, and no reconnect is due
};

struct StormClient {
  std::uint32_t index = 0;
  std::string room;
  std::string nick;  // asked for; after a welcome, the nick granted
  // Resume: with `resume` and a known epoch, a join carries since/epoch.
  bool resume = false;
  std::uint64_t epoch = 0;  // relay epoch of last_seq
  Seq last_seq = 0;         // last seq the client holds in `room`
  // Reconnect (with backoff) when a connection ends, up to the policy's attempts.
  bool reconnect = false;
  unsigned attempts = 0;         // failed connections since the last welcome
  unsigned welcomes = 0;         // welcomes received over all connections
  std::int64_t due_ns = 0;       // waiting: when to connect
  std::int64_t began_ns = 0;     // when the current attempt began (handshake timeout)
  std::uint16_t last_close = 0;  // close code of the last close frame (0: none)

  // wire state of the current connection
  Phase phase = Phase::idle;
  UniqueFd fd;
  bool epollout = false;
  bool close_seen = false;
  bool closing = false;  // end the connection after the current read
  std::string handshake;
  WsReceiver rx;
  SendBuffer out;  // bytes the socket did not take yet

  bool in_handshake() const {
    return phase == Phase::connecting || phase == Phase::upgrading || phase == Phase::joining;
  }
  bool open() const { return in_handshake() || phase == Phase::joined; }
};

}  // namespace hubchat::bench
