// The schedule of one fault run, drawn up front from a seed: client actions
// (send, room switch, reconnect) and faults (Redis connections killed, Redis
// paused or restarted in each persistence mode, a relay SIGKILLed and
// restarted). The same seed gives the same schedule, so a failing run can be
// replayed step for step (timings of the real processes still vary).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace hubchat::faults {

enum class Mode { redis, memory };

enum class Action {
  send,                    // peer posts a new message
  switch_room,             // peer joins another room
  reconnect,               // peer drops its TCP connection and reconnects
  kill_pubsub,             // CLIENT KILL the relay's subscriber connection
  kill_command,            // CLIENT KILL the relay's command connection
  redis_pause,             // SIGSTOP redis-server
  redis_resume,            // SIGCONT
  redis_restart_empty,     // SIGKILL, data files removed, start without persistence
  redis_snapshot,          // SAVE (the state a later rollback returns to)
  redis_restart_snapshot,  // SIGKILL, start from that older dump.rdb
  redis_aof_on,            // CONFIG SET appendonly yes, appendfsync always
  redis_restart_aof,       // SIGKILL, start again from the AOF
  relay_kill,              // SIGKILL a relay
  relay_restart,           // start it again on its port
};

struct Step {
  std::chrono::milliseconds at{0};  // from the start of the run
  Action action = Action::send;
  int peer = -1;   // client actions
  int room = -1;   // switch_room
  int relay = -1;  // kill_*, relay_*
  bool is_fault() const {
    return action != Action::send && action != Action::switch_room && action != Action::reconnect;
  }
};

struct PlanOptions {
  Mode mode = Mode::redis;
  std::uint64_t seed = 1;
  std::chrono::seconds duration{45};
  int relays = 3;
  int rooms = 3;
  int lossless_peers = 24;
  int legacy_peers = 12;
};

struct Plan {
  PlanOptions options;
  std::vector<Step> steps;  // sorted by `at`
};

Plan make_plan(const PlanOptions& options);

std::string describe(const Step& step);
// Every fault step, and a count of the client steps, for a failure report.
std::string describe_faults(const Plan& plan);

}  // namespace hubchat::faults
