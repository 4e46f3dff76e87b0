// What the writePump sends next, without lws: the client's pending replies,
// then room events from its cursor, packed into one bounded frame. Per
// recipient this copies already-encoded bytes into the shared scratch frame:
// no encoding, no allocation.
#pragma once

#include "relay/transport/session.hpp"
#include "shared/batcher.hpp"

namespace hubchat::relay {

enum class Outbound {
  nothing,  // nothing new for this client
  frame,    // batcher holds the next frame
  close,    // close the connection with session.close_code/close_reason
};

// Fills `batcher` (cleared first). Marks a reader whose cursor fell off its
// room's ring as a slow consumer (close 4001).
Outbound next_frame(FrameBatcher& batcher, Session& session);

// Whether the client has more to receive after the frame just packed.
bool has_more(const Session& session);

}  // namespace hubchat::relay
