// poll()-based multiplexing of soak actors and the relay RSS sampler. See
// soak_driver.hpp.
#include "tests/soak/soak_driver.hpp"

#include <poll.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <string>

namespace hubchat::test::soak {
namespace {

struct Watched {
  std::vector<pollfd> fds;
  std::vector<Actor*> owners;
};

void collect(const std::vector<Actor*>& actors, Watched& w) {
  w.fds.clear();
  w.owners.clear();
  for (Actor* a : actors) {
    if (a->finished()) continue;
    const int fd = a->poll_fd();
    if (fd < 0) continue;
    w.fds.push_back(pollfd{fd, POLLIN, 0});
    w.owners.push_back(a);
  }
}

// One turn: wait up to `wait_ms` for input, dispatch it, run every tick.
void turn_once(const std::vector<Actor*>& actors, Watched& w, int wait_ms) {
  collect(actors, w);
  const int n = ::poll(w.fds.data(), w.fds.size(), wait_ms);
  const auto now = Clock::now();
  if (n > 0) {
    for (std::size_t i = 0; i < w.fds.size(); ++i)
      if (w.fds[i].revents & (POLLIN | POLLHUP | POLLERR)) w.owners[i]->on_readable(now);
  }
  for (Actor* a : actors)
    if (!a->finished()) a->on_tick(now);
}

}  // namespace

bool run_poll_loop(const std::vector<Actor*>& actors, const std::function<bool()>& stop,
                   Deadline deadline, std::chrono::milliseconds turn) {
  Watched w;
  for (;;) {
    if (stop()) return true;
    bool all_finished = true;
    for (Actor* a : actors) all_finished = all_finished && a->finished();
    if (all_finished) return true;
    const auto now = Clock::now();
    if (now >= deadline) return false;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
    turn_once(actors, w, static_cast<int>(std::min(left, turn).count()));
  }
}

void service_once(const std::vector<Actor*>& actors) {
  Watched w;
  turn_once(actors, w, 0);
}

std::size_t read_rss_kib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::strtoul(line.c_str() + 6, nullptr, 10);
  }
  return 0;
}

RssSampler::RssSampler(pid_t pid, std::chrono::milliseconds every)
    : thread_([this, pid, every] { run(pid, every); }) {}

RssSampler::~RssSampler() {
  stop();
}

void RssSampler::stop() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void RssSampler::run(pid_t pid, std::chrono::milliseconds every) {
  std::unique_lock lock(mutex_);
  while (!stop_) {
    const std::size_t kib = read_rss_kib(pid);
    if (kib > 0) {
      last_kib_ = kib;
      if (kib > peak_kib_) peak_kib_ = kib;
      ++samples_;
    }
    wake_.wait_for(lock, every, [this] { return stop_; });
  }
}

}  // namespace hubchat::test::soak
