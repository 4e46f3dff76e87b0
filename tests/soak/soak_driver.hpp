// Multiplexing for the soak test: many harness clients (WsClient and the
// peers built on it) driven from a few threads by one poll() loop each,
// instead of one blocking thread per client. The harness clients stay the
// protocol engine; they are only ever called when poll() says their socket
// is readable (with a deadline of "now", so they never block), or from
// on_tick() to send. Plus a sampler of the relay's resident memory.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "tests/support/ws_test_client.hpp"

namespace hubchat::test::soak {

// One client (or scripted peer) multiplexed by a PollLoop.
class Actor {
 public:
  virtual ~Actor() = default;
  // The socket to watch for input, or -1 while the actor wants no reads
  // (e.g. a slow consumer that is deliberately not reading).
  virtual int poll_fd() const = 0;
  // The socket is readable (or hung up): read what is there, without waiting.
  virtual void on_readable(Clock::time_point now) = 0;
  // Called on every loop turn: timers, sending.
  virtual void on_tick(Clock::time_point now) = 0;
  // Nothing more to do (its outcome is recorded).
  virtual bool finished() const = 0;
};

// Runs `actors` until `stop()` is true, every actor has finished, or the
// deadline passes. Returns false only at the deadline. `turn` bounds how long
// one poll() may wait, so timers run at least that often.
bool run_poll_loop(const std::vector<Actor*>& actors, const std::function<bool()>& stop,
                   Deadline deadline,
                   std::chrono::milliseconds turn = std::chrono::milliseconds(10));

// One non-blocking pass: reads whatever is already readable, runs ticks.
void service_once(const std::vector<Actor*>& actors);

// Samples VmRSS of a process from /proc/<pid>/status on its own thread.
class RssSampler {
 public:
  RssSampler(pid_t pid, std::chrono::milliseconds every);
  ~RssSampler();  // stops and joins
  RssSampler(const RssSampler&) = delete;
  RssSampler& operator=(const RssSampler&) = delete;

  void stop();
  std::size_t peak_kib() const { return peak_kib_.load(); }
  std::size_t last_kib() const { return last_kib_.load(); }
  std::size_t samples() const { return samples_.load(); }

 private:
  void run(pid_t pid, std::chrono::milliseconds every);

  std::atomic<std::size_t> peak_kib_{0}, last_kib_{0}, samples_{0};
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;  // guarded by mutex_
  std::thread thread_;
};

// VmRSS of `pid` in KiB (0 if it cannot be read).
std::size_t read_rss_kib(pid_t pid);

}  // namespace hubchat::test::soak
