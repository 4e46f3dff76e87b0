// What every client of a fault run saw, kept for the checker: one JoinView per
// welcome a lossless connection got (until its connection ended or it joined
// elsewhere), one LegacyView per legacy connection, and every acknowledgement
// a sender received. Peers append; the checker only reads.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "shared/event.hpp"

namespace hubchat::faults {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;

struct SeenMsg {
  Seq seq = 0;
  std::string body;
  std::string id;
  std::string from;
};

struct MissedRange {
  std::string reason;  // "evicted" | "restart"
  Seq from = 0, to = 0;
  std::size_t after = 0;  // how many msgs of the view came before it
};

// A lossless connection's view of one room, from its welcome on.
struct JoinView {
  int peer = -1;
  int relay = -1;
  std::string room;
  bool has_since = false;  // the join asked to resume
  Seq since = 0;
  std::uint64_t asked_epoch = 0;
  std::uint64_t epoch = 0;  // from the welcome
  Seq first = 0, next = 0;  // welcome: oldest held, next to be given
  TimePoint welcomed{}, ended{};
  bool open = true;     // not ended yet
  bool at_end = false;  // still open when the run's final catch-up finished
  std::vector<SeenMsg> msgs;
  std::vector<MissedRange> missed;
  int close_code = 0;  // 0: not closed by a close frame
  std::string close_reason;
  // Continues the peer's earlier view of this room: resumed in the same epoch.
  bool resumed() const { return has_since && asked_epoch == epoch; }
};

// A legacy connection: bodies only, no seqs.
struct LegacyView {
  int peer = -1;
  int relay = -1;
  std::string room;
  TimePoint opened{}, ended{};
  bool open = true;
  bool at_end = false;
  std::vector<std::string> bodies;
  int close_code = 0;
};

// An outbox entry acknowledged to its sender (an `ack` event; with
// HUBCHAT_FAULT_ECHO_ACKS also the sender's own copy, the old protocol).
struct AckSeen {
  int peer = -1;
  std::string room_sent;   // the room the message was posted to
  std::string room_named;  // the room the ack names
  std::string id, body;
  Seq seq = 0;
  std::uint64_t epoch = 0;  // of the sender's view of room_named; 0 when unknown
  TimePoint first_sent{}, acked{};
  bool by_echo = false;
};

struct Record {
  std::vector<JoinView> joins;
  std::vector<LegacyView> legacy;
  std::vector<AckSeen> acks;
  // Outbox entries never acknowledged by the end of the run: "peer room id body".
  std::vector<std::string> unacked;
  // Error events other than `unavailable` (which a sender answers by resending).
  std::vector<std::string> errors;
  // Peers not (back) in their room when the run ended.
  std::vector<std::string> not_in_room;
  std::map<std::string, std::string> markers;  // room -> the final catch-up marker's body
};

}  // namespace hubchat::faults
