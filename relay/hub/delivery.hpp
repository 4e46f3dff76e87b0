// A session's delivery state and its one writer: the cursor into the room's
// cache, the replay, the per-client replies and the close code and reason.
// The hub and the pumps change that state only through here.
//
// The writePump's frame comes from here too: the client's pending replies,
// then room events from its cursor, packed into one bounded frame. Per
// recipient this copies already-encoded bytes into the shared scratch frame:
// no encoding, no allocation.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>

#include "relay/hub/hub_driver.hpp"
#include "relay/ops/metrics.hpp"
#include "relay/ops/options.hpp"
#include "relay/transport/session.hpp"
#include "shared/batcher.hpp"

namespace hubchat::relay {

enum class Outbound {
  nothing,  // nothing new for this client
  frame,    // batcher holds the next frame
  close,    // close the connection with session.close_code/close_reason
};

class Delivery {
 public:
  Delivery(const Options& options, HubDriver& driver) : options_(options), driver_(driver) {}

  // Queues a per-client reply (lossless only); closes the session (1008)
  // when it lets them pile up.
  void reply(Session& session, const Event& event);
  void reply_error(Session& session, std::string_view code, std::string_view message);
  // Marks the session for closing with `code` at its next writable callback
  // (the first close asked for wins).
  void close(Session& session, std::uint16_t code, const char* reason, CloseReason counted_as);
  // The same with a reason made at run time ("kicked by NICK"): kept here,
  // once per distinct text, so the session holds only a pointer.
  void close(Session& session, std::uint16_t code, std::string reason, CloseReason counted_as);
  void request_write(Session& session);
  // The write pump is running: a new wake-up may be asked for.
  static void writable(Session& session) { session.write_requested = false; }

  // The session reads its room from `cursor`; `replay`: nothing of the room
  // was sent to it yet (history evicted before its first frame is skipped
  // with a `missed`, not held against it).
  void read_from(Session& session, Seq cursor, bool replay);
  // The room's cache now starts at `first` (same epoch, a gap the broker no
  // longer holds): a reader behind it is told exactly what it missed.
  void skip_gap(Session& session, Seq first);

  // Fills `batcher` (cleared first). Closes a reader whose cursor fell off
  // its room's cache as a slow consumer (4001).
  Outbound next_frame(FrameBatcher& batcher, Session& session);
  // Whether the client has more to receive after the frame just packed.
  static bool has_more(const Session& session);

 private:
  void queue_missed(Session& session, Seq from, Seq to);

  const Options& options_;
  HubDriver& driver_;
  // Made-up close reasons (node-based: their c_str() stay put); bounded.
  static constexpr std::size_t kMaxReasons = 1024;
  std::unordered_set<std::string> reasons_;
};

}  // namespace hubchat::relay
