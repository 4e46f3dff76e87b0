// Coordinator of a run (see scenario.hpp).
#include "tests/bench/loadgen/scenario.hpp"

#include <memory>
#include <random>
#include <thread>
#include <vector>

#include "tests/bench/loadgen/clock.hpp"
#include "tests/bench/loadgen/proc_stats.hpp"
#include "tests/bench/loadgen/run_control.hpp"
#include "tests/bench/loadgen/worker.hpp"

namespace hubchat::bench {
namespace {

std::string random_tag() {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::random_device device;
  std::string tag = "lg";
  for (int i = 0; i < 6; ++i) tag.push_back(kAlphabet[device() % 36]);
  return tag;
}

void sleep_until_ns(std::int64_t when) {
  const std::int64_t now = now_ns();
  if (when > now) std::this_thread::sleep_for(std::chrono::nanoseconds(when - now));
}

// Summed over every server process (several relays share one room); nullopt
// when none was given or one cannot be read.
std::optional<double> server_cpu(const Options& o) {
  if (o.server_pids.empty()) return std::nullopt;
  double total = 0;
  for (pid_t pid : o.server_pids) {
    const auto cpu = process_cpu_seconds(pid);
    if (!cpu) return std::nullopt;
    total += *cpu;
  }
  return total;
}

std::optional<long long> server_rss(const Options& o) {
  if (o.server_pids.empty()) return std::nullopt;
  long long total = 0;
  for (pid_t pid : o.server_pids) {
    const auto rss = process_rss_bytes(pid);
    if (!rss) return std::nullopt;
    total += *rss;
  }
  return total;
}

std::optional<double> broker_cpu(const Options& o) {
  if (o.broker_pid <= 0) return std::nullopt;
  return process_cpu_seconds(o.broker_pid);
}

// Waits until every connection is ready or failed, or the connect timeout
// (plus a grace period: the workers fail their stragglers first) passes.
void wait_for_connections(const RunControl& control, const Options& o) {
  const std::int64_t deadline = now_ns() + seconds_to_ns(o.connect_timeout_s + 1.0);
  while (now_ns() < deadline && control.ready.load() + control.failed.load() < o.clients)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

}  // namespace

ScenarioResult run_scenario(const Options& o, std::vector<std::string> tokens) {
  ScenarioResult result;
  RunControl control{o, random_tag(), std::move(tokens)};
  result.samples.server_rss_before = server_rss(o);

  std::vector<std::unique_ptr<Worker>> workers;
  for (unsigned i = 0; i < o.threads; ++i) workers.push_back(std::make_unique<Worker>(control, i));
  std::vector<std::jthread> threads;
  const std::int64_t connect_start = now_ns();
  for (auto& w : workers) threads.emplace_back([&w] { w->run(); });
  wait_for_connections(control, o);
  result.samples.connect_s = static_cast<double>(now_ns() - connect_start) / 1e9;

  if (o.mode == Mode::idle) {
    // Let the server settle (join broadcasts, lazily grown buffers), then hold.
    std::this_thread::sleep_for(std::chrono::nanoseconds(seconds_to_ns(o.duration_s)));
    result.samples.server_rss_after = server_rss(o);
    result.samples.window_s = o.duration_s;
    control.stop = true;
  } else {
    if (o.settle_s > 0) {
      std::this_thread::sleep_for(std::chrono::nanoseconds(seconds_to_ns(o.settle_s)));
      result.samples.server_rss_settled = server_rss(o);
    }
    Timeline& t = control.timeline;
    t.start_ns = now_ns() + 100'000'000;
    t.warm_end_ns = t.start_ns + seconds_to_ns(o.warmup_s);
    t.measure_end_ns = t.warm_end_ns + seconds_to_ns(o.duration_s);
    t.drain_end_ns = t.measure_end_ns + seconds_to_ns(o.drain_s);
    control.started.store(true, std::memory_order_release);
    sleep_until_ns(t.warm_end_ns);
    const auto cpu0 = server_cpu(o);
    const auto broker0 = broker_cpu(o);
    const double self0 = self_cpu_seconds();
    const std::int64_t w0 = now_ns();
    sleep_until_ns(t.measure_end_ns);
    const auto cpu1 = server_cpu(o);
    const auto broker1 = broker_cpu(o);
    const double self1 = self_cpu_seconds();
    result.samples.window_s = static_cast<double>(now_ns() - w0) / 1e9;
    result.samples.self_cpu_s = self1 - self0;
    if (cpu0 && cpu1) result.samples.server_cpu_s = *cpu1 - *cpu0;
    if (broker0 && broker1) result.samples.broker_cpu_s = *broker1 - *broker0;
    result.samples.server_rss_after = server_rss(o);
    // Workers return by themselves: once deliveries go quiet after the
    // measured window, or at drain end at the latest.
  }
  threads.clear();  // joins
  for (auto& w : workers) result.stats.merge(w->stats());
  return result;
}

}  // namespace hubchat::bench
