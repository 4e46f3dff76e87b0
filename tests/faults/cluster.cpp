// Starts the run's processes and injects faults into them (see cluster.hpp).
#include "tests/faults/cluster.hpp"

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <thread>

namespace hubchat::faults {
namespace {

using namespace std::chrono_literals;

// The value of `name` in one "key=value key=value ..." line of CLIENT LIST.
std::string field(const std::string& line, const std::string& name) {
  std::istringstream words(line);
  std::string word;
  while (words >> word)
    if (word.size() > name.size() && word.compare(0, name.size(), name) == 0 &&
        word[name.size()] == '=')
      return word.substr(name.size() + 1);
  return {};
}

}  // namespace

Cluster::Cluster(Mode mode, int relays, int history_events)
    : mode_(mode), relay_count_(relays), history_events_(history_events) {
  if (mode_ == Mode::redis) redis_ = std::make_unique<test::RedisProcess>();
}

bool Cluster::start(std::string& error) {
  if (redis_ && !redis_->start()) {
    error = redis_->error();
    return false;
  }
  for (int i = 0; i < relay_count_; ++i) {
    // A short presence TTL: a killed relay's members expire within the run.
    std::vector<std::string> args{"--history-events", std::to_string(history_events_),
                                  "--rate-limit",     "0",
                                  "--presence-ttl",   "6"};
    if (redis_) args.insert(args.end(), {"--redis", redis_->url(), "--redis-prefix", "faults:"});
    relays_.push_back(std::make_unique<test::RelayProcess>(std::move(args)));
    if (!relays_.back()->start()) {
      error = relays_.back()->error();
      return false;
    }
  }
  return true;
}

std::optional<std::uint16_t> Cluster::port_of(int relay) {
  test::RelayProcess& r = *relays_.at(static_cast<std::size_t>(relay));
  if (!r.running()) return std::nullopt;
  return r.port();
}

std::string Cluster::kill_connection(int relay, bool pubsub) {
  test::RelayProcess& r = *relays_.at(static_cast<std::size_t>(relay));
  if (!r.running()) return "relay down, nothing to kill";
  const std::vector<std::uint16_t> ports = test::local_ports_connected_to(r.pid(), redis_->port());
  std::istringstream list(redis_->command({"CLIENT", "LIST"}));
  std::string line;
  while (std::getline(list, line)) {
    const std::string addr = field(line, "addr");
    const auto colon = addr.rfind(':');
    if (colon == std::string::npos) continue;
    const auto port = static_cast<std::uint16_t>(std::stoul(addr.substr(colon + 1)));
    if (std::find(ports.begin(), ports.end(), port) == ports.end()) continue;
    // The subscriber is flagged P; the command connection is not.
    if ((field(line, "flags").find('P') != std::string::npos) != pubsub) continue;
    const std::string reply = redis_->command({"CLIENT", "KILL", "ADDR", addr});
    return "CLIENT KILL ADDR " + addr + " -> " + reply;
  }
  return "no such connection open (relay reconnecting)";
}

std::string Cluster::restart_redis(std::vector<std::string> args, bool keep_rdb, bool keep_aof) {
  redis_->kill_now();  // SIGKILL: a crash (SHUTDOWN NOSAVE would do the same to the data)
  redis_paused_ = false;
  std::error_code ec;
  if (!keep_rdb) std::filesystem::remove(redis_->dir() + "/dump.rdb", ec);
  if (!keep_aof) std::filesystem::remove_all(redis_->dir() + "/appendonlydir", ec);
  redis_->set_extra_args(std::move(args));
  if (!redis_->start()) return "ERROR redis did not restart: " + redis_->error();
  return "redis restarted on port " + std::to_string(redis_->port());
}

std::string Cluster::apply(const Step& step) {
  switch (step.action) {
    case Action::kill_pubsub:
      return kill_connection(step.relay, true);
    case Action::kill_command:
      return kill_connection(step.relay, false);
    case Action::redis_pause:
      redis_->pause(true);
      redis_paused_ = true;
      return "stopped";
    case Action::redis_resume:
      redis_->pause(false);
      redis_paused_ = false;
      return "continued";
    case Action::redis_restart_empty:
      return restart_redis({}, false, false);
    case Action::redis_snapshot:
      return "SAVE -> " + redis_->command({"SAVE"});
    case Action::redis_restart_snapshot:
      // No AOF, so the server loads dump.rdb: the state of the SAVE.
      return restart_redis({}, true, false);
    case Action::redis_aof_on: {
      std::string out = redis_->command({"CONFIG", "SET", "appendfsync", "always"});
      out += " " + redis_->command({"CONFIG", "SET", "appendonly", "yes"});
      // Turning AOF on rewrites it in the background: until that is done a
      // restart would not find it. Wait for it (bounded).
      const auto deadline = std::chrono::steady_clock::now() + 5s;
      for (;;) {
        const std::string info = redis_->command({"INFO", "persistence"});
        if (info.find("aof_enabled:1") != std::string::npos &&
            info.find("aof_rewrite_in_progress:0") != std::string::npos &&
            info.find("aof_rewrite_scheduled:0") != std::string::npos)
          break;
        if (std::chrono::steady_clock::now() > deadline)
          return "ERROR the AOF rewrite did not finish: " + out;
        std::this_thread::sleep_for(20ms);
      }
      redis_->set_extra_args({"--appendonly", "yes", "--appendfsync", "always"});
      return "AOF on: " + out;
    }
    case Action::redis_restart_aof:
      return restart_redis({"--appendonly", "yes", "--appendfsync", "always"}, true, true);
    case Action::relay_kill:
      relays_.at(static_cast<std::size_t>(step.relay))->kill_now();
      return "killed";
    case Action::relay_restart: {
      test::RelayProcess& r = *relays_.at(static_cast<std::size_t>(step.relay));
      if (r.running()) return "already running";
      if (!r.start_on(r.port())) return "ERROR relay did not restart: " + r.error();
      return "restarted on port " + std::to_string(r.port());
    }
    default:
      return "not a fault";
  }
}

std::string Cluster::heal() {
  std::string out;
  if (redis_ && redis_paused_) {
    redis_->pause(false);
    redis_paused_ = false;
    out += "redis continued; ";
  }
  for (std::size_t i = 0; i < relays_.size(); ++i) {
    test::RelayProcess& r = *relays_[i];
    if (r.running()) continue;
    out += "relay " + std::to_string(i) +
           (r.start_on(r.port()) ? " restarted; " : " did not restart: " + r.error() + "; ");
  }
  return out;
}

std::string Cluster::logs(std::size_t tail_bytes) const {
  std::string out;
  for (std::size_t i = 0; i < relays_.size(); ++i) {
    std::string log = relays_[i]->stderr_text();
    if (log.size() > tail_bytes) log = "...\n" + log.substr(log.size() - tail_bytes);
    out += "---- relay " + std::to_string(i) + " (port " + std::to_string(relays_[i]->port()) +
           ") stderr ----\n" + log + "\n";
  }
  return out;
}

}  // namespace hubchat::faults
