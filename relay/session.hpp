// Per-connection state of a WebSocket client (lives in lws's per-session
// data). Deliberately small: a client holds a cursor into its room's log, not
// a queue of copies, so an idle connection costs a few hundred bytes.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "relay/metrics.hpp"
#include "shared/event.hpp"

struct lws;

namespace hubchat::relay {

struct Room;

enum class Dialect : std::uint8_t { legacy, lossless };

struct Session {
  lws* wsi = nullptr;
  Dialect dialect = Dialect::legacy;
  Room* room = nullptr;
  std::uint32_t member_index = 0;  // position in room->members, for O(1) removal
  Seq cursor = 0;                  // next seq of room->log to send
  bool write_requested = false;    // a writable callback is already pending
  bool replay_unstarted = false;   // joined, but nothing of the room sent yet
  std::uint16_t close_code = 0;    // set: close with this code at the next writable
  const char* close_reason = "";
  CloseReason close_as = CloseReason::peer;
  double tokens = 0;  // rate limit bucket (Options::rate_limit)
  std::chrono::steady_clock::time_point tokens_at{};
  std::string nick;
  std::string peer_ip;  // for the per-address connection cap
  std::string inbox;    // reassembles a fragmented incoming message
  // Per-client replies (welcome, missed, error), each ending in '\n'; sent
  // before room events. Bounded by Options::max_pending_reply_bytes.
  std::string replies;
  std::size_t replies_sent = 0;  // bytes of `replies` already written

  bool has_pending_replies() const { return replies_sent < replies.size(); }
};

}  // namespace hubchat::relay
