// The randomized fault harness (issue 15, acceptance 2): real relays (three
// on one redis-server, or one in memory), 30+ peers of both dialects, a
// schedule of client actions and faults drawn from a seed, then a final
// catch-up and the checker over everything every peer saw. Prints the seed,
// and on failure the schedule, what each fault did and every violation.
// Usage and the environment that replays a seed: tests/faults/README.md.
#include <poll.h>

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "tests/faults/checker.hpp"
#include "tests/faults/cluster.hpp"
#include "tests/faults/legacy_peer.hpp"
#include "tests/faults/lossless_peer.hpp"
#include "tests/faults/plan.hpp"

namespace hubchat::faults {
namespace {

using namespace std::chrono_literals;
using std::chrono::duration_cast;
using std::chrono::milliseconds;

struct Settings {
  Mode mode = Mode::redis;
  std::uint64_t seed = 1;
  int seconds = 45;
  bool echo_acks = false;  // the old protocol: the own copy acknowledges too
  bool verbose = false;
};

const char* env(const char* name) {
  const char* v = std::getenv(name);
  return v && *v ? v : nullptr;
}

// Flags give the defaults (ctest's fixed seed); the environment overrides
// them, so `HUBCHAT_FAULT_SEED=N ctest -R faults_redis` replays seed N.
bool parse(int argc, char** argv, Settings& s) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool has_value = i + 1 < argc;
    if (a == "--mode" && has_value) {
      const std::string m = argv[++i];
      if (m != "redis" && m != "memory") return false;
      s.mode = m == "redis" ? Mode::redis : Mode::memory;
    } else if (a == "--seed" && has_value) {
      s.seed = std::stoull(argv[++i]);
    } else if (a == "--seconds" && has_value) {
      s.seconds = std::stoi(argv[++i]);
    } else {
      return false;
    }
  }
  if (const char* v = env("HUBCHAT_FAULT_SEED")) s.seed = std::stoull(v);
  if (const char* v = env("HUBCHAT_FAULT_SECONDS")) s.seconds = std::stoi(v);
  if (const char* v = env("HUBCHAT_FAULT_ECHO_ACKS")) s.echo_acks = std::strcmp(v, "0") != 0;
  if (const char* v = env("HUBCHAT_FAULT_VERBOSE")) s.verbose = std::strcmp(v, "0") != 0;
  return s.seconds > 0;
}

class Run {
 public:
  Run(const Settings& s, Plan plan)
      : settings_(s), plan_(std::move(plan)), cluster_(s.mode, plan_.options.relays, 8) {
    const PlanOptions& o = plan_.options;
    for (int r = 0; r < o.rooms; ++r) rooms_.push_back("room" + std::to_string(r));
    for (int i = 0; i < o.lossless_peers; ++i)
      lossless_.push_back(std::make_unique<LosslessPeer>(
          i, i % o.relays, rooms_[static_cast<std::size_t>(i % o.rooms)], record_, s.echo_acks));
    for (int i = 0; i < o.legacy_peers; ++i)
      legacy_.push_back(std::make_unique<LegacyPeer>(
          o.lossless_peers + i, i % o.relays, rooms_[static_cast<std::size_t>((i + 1) % o.rooms)],
          record_));
  }

  int execute() {
    std::string error;
    if (!cluster_.start(error)) {
      std::cout << "FAIL: could not start the processes: " << error << "\n";
      return 2;
    }
    const TimePoint t0 = Clock::now();
    std::size_t next = 0;
    const auto& steps = plan_.steps;
    for (;;) {
      const auto elapsed = duration_cast<milliseconds>(Clock::now() - t0);
      while (next < steps.size() && steps[next].at <= elapsed) apply(steps[next++]);
      if (next == steps.size() && elapsed >= plan_.options.duration) break;
      pump(5ms);
    }
    finish();
    const Findings findings = check(record_);
    report(findings);
    return findings.count() == 0 && harness_errors_ == 0 ? 0 : 1;
  }

 private:
  void apply(const Step& step) {
    if (!step.is_fault()) {
      const auto now = Clock::now();
      const int peers = static_cast<int>(lossless_.size());
      if (step.peer < peers) {
        LosslessPeer& p = *lossless_[static_cast<std::size_t>(step.peer)];
        if (step.action == Action::send) p.post(now);
        if (step.action == Action::switch_room)
          p.switch_room(rooms_[static_cast<std::size_t>(step.room)]);
        if (step.action == Action::reconnect) p.drop(now);
      } else {
        LegacyPeer& p = *legacy_[static_cast<std::size_t>(step.peer - peers)];
        if (step.action == Action::send) p.post();
        if (step.action == Action::switch_room)
          p.switch_room(rooms_[static_cast<std::size_t>(step.room)], now);
        if (step.action == Action::reconnect) p.drop(now);
      }
      if (settings_.verbose) std::cout << "  " << describe(step) << "\n";
      return;
    }
    const std::string result = cluster_.apply(step);
    if (result.rfind("ERROR", 0) == 0) ++harness_errors_;
    fault_log_.push_back(describe(step) + " -> " + result);
    std::cout << "  " << fault_log_.back() << std::endl;
  }

  // Runs every peer once, then waits up to `wait` for any socket to be readable.
  void pump(milliseconds wait) {
    const TimePoint now = Clock::now();
    std::vector<pollfd> fds;
    for (auto& p : lossless_) {
      p->pump(now, cluster_);
      if (p->fd() >= 0) fds.push_back(pollfd{p->fd(), POLLIN, 0});
    }
    for (auto& p : legacy_) {
      p->pump(now, cluster_);
      if (p->fd() >= 0) fds.push_back(pollfd{p->fd(), POLLIN, 0});
    }
    ::poll(fds.data(), fds.size(), static_cast<int>(wait.count()));
  }

  template <class Pred>
  bool pump_until(Pred done, milliseconds limit) {
    const TimePoint deadline = Clock::now() + limit;
    while (!done()) {
      if (Clock::now() > deadline) return false;
      pump(5ms);
    }
    return true;
  }

  // Heals every fault, waits until all peers are in and their outboxes
  // acknowledged, posts a marker into each room and waits until every peer
  // in the room got it: what is missing then is missing for good.
  void finish() {
    std::cout << "  end of the schedule: " << cluster_.heal() << "final catch-up" << std::endl;
    for (auto& p : lossless_) p->set_final(true);
    for (auto& p : legacy_) p->set_final(true);
    const bool settled = pump_until(
        [&] {
          for (auto& p : lossless_)
            if (!p->settled()) return false;
          for (auto& p : legacy_)
            if (!p->in_room()) return false;
          return true;
        },
        30s);
    if (!settled) std::cout << "  not every peer settled within 30 s" << std::endl;

    for (std::size_t r = 0; r < rooms_.size(); ++r) {
      const std::string body = "marker@" + rooms_[r];
      const auto port = cluster_.port_of(static_cast<int>(r) % cluster_.relay_count());
      test::LosslessClient marker;
      if (!port || !marker.connect_and_join(*port, rooms_[r], "marker", test::deadline_in(10s)) ||
          !marker.send_msg(body) ||
          !marker.wait_for([&](const Event& e) { return e.body == body; },
                           test::deadline_in(10s))) {
        // Its own copy never came back: the room is stuck at this relay.
        record_.not_in_room.push_back("marker of " + rooms_[r] + " (its sender on relay " +
                                      std::to_string(static_cast<int>(r) % cluster_.relay_count()) +
                                      " never got its copy)");
        continue;
      }
      record_.markers[rooms_[r]] = body;
    }
    pump_until(
        [&] {
          for (auto& p : lossless_)
            if (p->joined_in(p->room()) && !p->saw(record_.markers[p->room()])) return false;
          for (auto& p : legacy_)
            if (p->in_room() && !p->saw(record_.markers[p->room()])) return false;
          return true;
        },
        15s);
    const TimePoint now = Clock::now();
    for (auto& p : lossless_) {
      if (!p->settled())
        record_.not_in_room.push_back("p" + std::to_string(&p - &lossless_[0]) + " (" + p->room() +
                                      ")");
      p->finish(now);
    }
    for (auto& p : legacy_) {
      if (!p->in_room())
        record_.not_in_room.push_back(
            "legacy g" + std::to_string(plan_.options.lossless_peers + (&p - &legacy_[0])) + " (" +
            p->room() + ")");
      p->finish(now);
    }
  }

  void report(const Findings& findings) {
    std::size_t seen = 0;
    for (const JoinView& v : record_.joins) seen += v.msgs.size();
    std::size_t legacy_seen = 0;
    for (const LegacyView& v : record_.legacy) legacy_seen += v.bodies.size();
    std::cout << "  " << record_.joins.size() << " lossless views (" << seen << " msgs), "
              << record_.legacy.size() << " legacy views (" << legacy_seen << " bodies), "
              << record_.acks.size() << " acks, " << fault_log_.size() << " fault steps\n";
    const std::string replay = "HUBCHAT_FAULT_SEED=" + std::to_string(settings_.seed);
    if (findings.count() == 0 && harness_errors_ == 0) {
      std::cout << "PASS seed " << settings_.seed << "\n" << findings.describe(0);
      return;
    }
    std::cout << "FAIL seed " << settings_.seed << " (replay: " << replay
              << "); harness errors: " << harness_errors_ << "\nschedule:\n"
              << describe_faults(plan_) << "violations:\n"
              << findings.describe(8) << cluster_.logs(3000);
  }

  Settings settings_;
  Plan plan_;
  Cluster cluster_;
  Record record_;
  std::vector<std::string> rooms_;
  std::vector<std::unique_ptr<LosslessPeer>> lossless_;
  std::vector<std::unique_ptr<LegacyPeer>> legacy_;
  std::vector<std::string> fault_log_;
  int harness_errors_ = 0;
};

}  // namespace
}  // namespace hubchat::faults

int main(int argc, char** argv) {
  using namespace hubchat::faults;
  Settings s;
  if (!parse(argc, argv, s)) {
    std::cerr << "usage: fault_harness [--mode redis|memory] [--seed N] [--seconds N]\n"
                 "(environment: HUBCHAT_FAULT_SEED, HUBCHAT_FAULT_SECONDS, "
                 "HUBCHAT_FAULT_ECHO_ACKS, HUBCHAT_FAULT_VERBOSE)\n";
    return 2;
  }
  PlanOptions o;
  o.mode = s.mode;
  o.seed = s.seed;
  o.duration = std::chrono::seconds(s.seconds);
  if (s.mode == Mode::memory) {
    // In-memory relays share no rooms: one relay, relay kills only.
    o.relays = 1;
    o.lossless_peers = 16;
    o.legacy_peers = 8;
  }
  std::cout << "fault run: mode " << (s.mode == Mode::redis ? "redis" : "memory") << ", seed "
            << s.seed << ", " << s.seconds << " s of faults"
            << (s.echo_acks ? ", own copies acknowledge (old protocol)" : "") << std::endl;
  return Run(s, make_plan(o)).execute();
}
