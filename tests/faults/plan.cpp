// Draws the schedule of a fault run from its seed (see plan.hpp).
#include "tests/faults/plan.hpp"

#include <algorithm>
#include <random>

namespace hubchat::faults {
namespace {

using std::chrono::milliseconds;

class Dice {
 public:
  explicit Dice(std::uint64_t seed) : rng_(seed) {}
  int between(int low, int high) {  // inclusive
    return std::uniform_int_distribution<int>(low, high)(rng_);
  }
  milliseconds ms(int low, int high) { return milliseconds(between(low, high)); }

 private:
  std::mt19937_64 rng_;  // fixed algorithm: the same seed gives the same plan everywhere
};

// One fault episode starting at `at`; returns when it is over (the next one
// starts after it, so episodes never overlap and each restores what it broke).
milliseconds add_fault(Plan& plan, Dice& dice, milliseconds at) {
  const PlanOptions& o = plan.options;
  auto add = [&](milliseconds when, Action action, int relay = -1) {
    Step s;
    s.at = when;
    s.action = action;
    s.relay = relay;
    plan.steps.push_back(s);
  };
  // A fault and, a random while later, what undoes it.
  auto pair = [&](Action first, Action second, int low, int high, int relay = -1) {
    add(at, first, relay);
    const milliseconds back = at + dice.ms(low, high);
    add(back, second, relay);
    return back;
  };
  const int relay = dice.between(0, o.relays - 1);
  if (o.mode == Mode::memory)
    return pair(Action::relay_kill, Action::relay_restart, 200, 2000, relay);
  const int roll = dice.between(0, 99);
  if (roll < 20) {
    add(at, Action::kill_pubsub, relay);
    return at;
  }
  if (roll < 35) {
    add(at, Action::kill_command, relay);
    return at;
  }
  if (roll < 50) return pair(Action::redis_pause, Action::redis_resume, 500, 4500);
  if (roll < 58) {
    add(at, Action::redis_restart_empty);
    return at;
  }
  if (roll < 70) return pair(Action::redis_snapshot, Action::redis_restart_snapshot, 1000, 4000);
  if (roll < 80) return pair(Action::redis_aof_on, Action::redis_restart_aof, 1000, 4000);
  return pair(Action::relay_kill, Action::relay_restart, 200, 2000, relay);
}

}  // namespace

Plan make_plan(const PlanOptions& options) {
  Plan plan;
  plan.options = options;
  const milliseconds end = options.duration;
  // Faults and client actions draw from separate streams, so a longer run
  // keeps the first part of a shorter run's schedule.
  Dice fault_dice(options.seed * 2 + 1);
  Dice client_dice(options.seed * 2 + 2);
  for (milliseconds at = fault_dice.ms(1500, 3000); at < end;)
    at = add_fault(plan, fault_dice, at) + fault_dice.ms(1500, 4000);

  const int peers = options.lossless_peers + options.legacy_peers;
  for (milliseconds at = client_dice.ms(10, 40); at < end; at += client_dice.ms(10, 50)) {
    Step s;
    s.at = at;
    s.peer = client_dice.between(0, peers - 1);
    const int roll = client_dice.between(0, 99);
    s.action = roll < 84 ? Action::send : roll < 94 ? Action::switch_room : Action::reconnect;
    if (s.action == Action::switch_room) s.room = client_dice.between(0, options.rooms - 1);
    plan.steps.push_back(s);
  }
  std::stable_sort(plan.steps.begin(), plan.steps.end(),
                   [](const Step& a, const Step& b) { return a.at < b.at; });
  return plan;
}

std::string describe(const Step& step) {
  std::string what;
  switch (step.action) {
    case Action::send:
      what = "send";
      break;
    case Action::switch_room:
      what = "switch to room " + std::to_string(step.room);
      break;
    case Action::reconnect:
      what = "reconnect";
      break;
    case Action::kill_pubsub:
      what = "kill pub/sub connection";
      break;
    case Action::kill_command:
      what = "kill command connection";
      break;
    case Action::redis_pause:
      what = "redis SIGSTOP";
      break;
    case Action::redis_resume:
      what = "redis SIGCONT";
      break;
    case Action::redis_restart_empty:
      what = "redis restart, no persistence";
      break;
    case Action::redis_snapshot:
      what = "redis SAVE (snapshot)";
      break;
    case Action::redis_restart_snapshot:
      what = "redis restart from the older snapshot";
      break;
    case Action::redis_aof_on:
      what = "redis AOF on (appendfsync always)";
      break;
    case Action::redis_restart_aof:
      what = "redis restart from the AOF";
      break;
    case Action::relay_kill:
      what = "SIGKILL";
      break;
    case Action::relay_restart:
      what = "restart on its port";
      break;
  }
  std::string out = std::to_string(step.at.count()) + " ms: ";
  if (step.peer >= 0) out += "peer " + std::to_string(step.peer) + " ";
  if (step.relay >= 0) out += "relay " + std::to_string(step.relay) + " ";
  return out + what;
}

std::string describe_faults(const Plan& plan) {
  std::string out;
  std::size_t client_steps = 0;
  for (const Step& s : plan.steps) {
    if (s.is_fault())
      out += "  " + describe(s) + "\n";
    else
      ++client_steps;
  }
  return out + "  (+ " + std::to_string(client_steps) +
         " client steps: send / switch room / reconnect; HUBCHAT_FAULT_VERBOSE=1 lists them)\n";
}

}  // namespace hubchat::faults
