// Hostile soak clients, one scripted abuse each, run in waves alongside the
// well-behaved traffic. Each records an outcome: whether the relay answered
// the abuse the way docs/PROTOCOL.md and docs/operating.md say (close code,
// or dropped), how long it took, and what it cost (upgrades, messages the
// relay accepted from it).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tests/soak/soak_driver.hpp"

namespace hubchat::test::soak {

enum class HostileKind {
  oversize,         // message over --max-message-bytes (also via fragments): 1009
  bad_utf8,         // text frame that is not UTF-8: 1007
  binary,           // binary frame: 1003
  slow_consumer,    // stops reading with a tiny receive window: 4001, or dropped
  ping_ignorer,     // reads but never answers pings: dropped after the pong timeout
  vanish,           // TCP close during or right after the handshake
  handshake_stall,  // partial HTTP head (or trickled bytes): dropped at the timeout
  flood_lossless,   // over the rate limit: `error` rate_limited, stays connected
  flood_legacy,     // over the rate limit: close 1008
  observer,         // not hostile: watches a flood room (counted apart)
  count_,
};
const char* to_string(HostileKind kind);

struct HostileOutcome {
  HostileKind kind = HostileKind::count_;
  std::string variant;  // e.g. "lossless", "legacy", "fragmented", "heartbeat"
  bool ok = false;      // the relay did what the docs say
  bool done = false;
  std::string detail;    // how it ended (close code/reason, EOF, timing)
  int close_code = 0;    // close code received (0: none)
  bool dropped = false;  // the connection ended without a close frame
  double seconds = 0;    // from the abuse to the end
  std::size_t upgrades = 0;
  std::size_t accepted = 0;  // chat messages the relay accepted from it
};

// The relay's limits, as started for the soak.
struct Limits {
  std::size_t max_message_bytes = 4096;
  int rate_burst = 100;
  int pong_timeout_s = 3;
  int handshake_timeout_s = 2;
};

struct WaveRooms {
  std::string main;      // a busy well-behaved room
  std::string firehose;  // the room with big, fast traffic (slow consumers go here)
  std::string flood;     // prefix for this wave's flood rooms
  // Where lossless hostiles join: a quiet room, so their history replay is
  // short (joining a full ring is covered by RelaySoak.JoinIntoAFullRingThenPost);
  // legacy hostiles join live, without a replay, so they go to the busy room.
  std::string quiet;
};

class HostileActor : public Actor {
 public:
  bool finished() const override { return outcome_.done; }
  const HostileOutcome& outcome() const { return outcome_; }
  // Drops whatever connection remains (after the wave).
  virtual void shutdown() {}

 protected:
  void finish(bool ok, std::string detail);
  HostileOutcome outcome_;
};

// Builds (and, where the abuse is immediate, already performs) one wave of
// hostile clients against the relay on `port`. Every connect and handshake
// is done here, blocking; the returned actors then run in a poll loop.
std::vector<std::unique_ptr<HostileActor>> make_wave(std::uint16_t port, const Limits& limits,
                                                     const WaveRooms& rooms, int wave);

// After a wave's loop: cross-checks of actors that depend on each other
// (a flood room's observer against its flooder). Updates their outcomes.
void settle_wave(std::vector<std::unique_ptr<HostileActor>>& wave);

}  // namespace hubchat::test::soak
