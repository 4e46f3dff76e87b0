// Per-connection state of a WebSocket client (lives in lws's per-session
// data). Deliberately small: a client holds a cursor into its room's log, not
// a queue of copies.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "relay/auth/identity.hpp"
#include "relay/ops/metrics.hpp"
#include "shared/event.hpp"

struct lws;

namespace hubchat::relay {

struct Room;

enum class Dialect : std::uint8_t { legacy, lossless };

// Byte buffers a connection needs only now and then, allocated while in use:
// an idle connection carries just the pointer.
struct SessionBuffers {
  std::string inbox;  // reassembles a fragmented incoming message
  // Per-client replies (welcome, missed, error), each ending in '\n'; sent
  // before room events. Bounded by Options::max_pending_reply_bytes.
  std::string replies;
  std::size_t replies_sent = 0;  // bytes of `replies` already written
  // A join waiting for its room to be ready (the broker is filling the
  // room's cache): what the welcome will answer. Nothing of the room is sent
  // meanwhile.
  bool join_waiting = false;
  bool join_live = false;  // a legacy entry: start at the live end
  bool join_has_since = false;
  Seq join_since = 0;
  std::uint64_t join_epoch = 0;
  // A legacy client's lines sent while its entry waits: posted once it
  // starts at the live end, so that it reads them too (it has no `since`).
  std::vector<std::string> posts_waiting;
};

// The small fields sit together so padding stays out, and rarely used buffers
// live behind one pointer: beyond lws's own state this is what an idle
// connection costs (docs/benchmark.md, S3).
struct Session {
  lws* wsi = nullptr;
  Room* room = nullptr;
  Seq cursor = 0;                     // next seq of room->log to send
  std::uint64_t presence_cursor = 0;  // next version of room->presence to send (lossless)
  const char* close_reason = "";
  double tokens = 0;  // rate limit bucket (Options::rate_limit)
  std::chrono::steady_clock::time_point tokens_at{};
  // This client's entry in the per-address connection count (the server's
  // map; its elements never move).
  std::pair<const std::string, std::size_t>* from_ip = nullptr;
  std::chrono::steady_clock::time_point connected_at{};  // for the connection's end line
  std::uint32_t member_index = 0;  // position in room->members, for O(1) removal
  std::uint32_t messages_in = 0;   // whole messages received (the end line)
  std::uint32_t frames_out = 0;    // frames written (the end line)
  std::uint16_t peer_port = 0;
  std::uint16_t peer_close_code = 0;  // the code of the client's close frame, if it sent one
  std::uint16_t close_code = 0;       // set: close with this code at the next writable
  Dialect dialect = Dialect::legacy;
  CloseReason close_as = CloseReason::peer;
  bool write_requested = false;   // a writable callback is already pending
  bool replay_unstarted = false;  // joined, but nothing of the room sent yet
  bool peer_closing = false;      // the client sent a close frame
  std::string nick;
  std::unique_ptr<SessionBuffers> buffers;  // only while in use
  // The key its message ids are unique within (join's `key`): with it, a
  // message sent again after a reconnect is recognized, not posted twice.
  std::unique_ptr<std::string> sender_key;
  // trust: who the connection's token says it is; null for guests (set and
  // cleared only by AccessPolicy).
  std::unique_ptr<Identity> identity;

  SessionBuffers& buffers_in_use() {
    if (!buffers) buffers = std::make_unique<SessionBuffers>();
    return *buffers;
  }
  // Frees the buffers once neither holds anything.
  void release_idle_buffers() {
    if (buffers && buffers->inbox.empty() && buffers->replies.empty() && !buffers->join_waiting &&
        buffers->posts_waiting.empty())
      buffers.reset();
  }
  bool join_waiting() const { return buffers && buffers->join_waiting; }
  bool has_pending_replies() const {
    return buffers && buffers->replies_sent < buffers->replies.size();
  }
};
// 144 + the identity pointer (trust).
static_assert(sizeof(Session) <= 152, "Session is per-connection memory: keep it lean");

}  // namespace hubchat::relay
