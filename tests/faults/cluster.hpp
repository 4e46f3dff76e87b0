// The processes of a fault run: one redis-server (Redis mode) and the relays
// sharing rooms through it (or one in-memory relay), each started and stopped
// by PID, and the faults of a Plan applied to them.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tests/faults/plan.hpp"
#include "tests/support/relay_process.hpp"

namespace hubchat::faults {

class Cluster {
 public:
  // `history_events` is small so that the Stream and the rings trim often.
  Cluster(Mode mode, int relays, int history_events);

  bool start(std::string& error);
  // The relay's port while it runs; nullopt while it is down.
  std::optional<std::uint16_t> port_of(int relay);
  int relay_count() const { return static_cast<int>(relays_.size()); }

  // Applies a fault step; returns what was done (for the log), or "ERROR ..."
  // when the harness itself could not do it.
  std::string apply(const Step& step);
  // Undoes whatever is still broken: Redis resumed and running, every relay up.
  std::string heal();

  // The tail of every process's log, for a failure report.
  std::string logs(std::size_t tail_bytes) const;

 private:
  std::string kill_connection(int relay, bool pubsub);
  std::string restart_redis(std::vector<std::string> args, bool keep_rdb, bool keep_aof);

  Mode mode_;
  int relay_count_;
  int history_events_;
  std::unique_ptr<test::RedisProcess> redis_;
  std::vector<std::unique_ptr<test::RelayProcess>> relays_;
  bool redis_paused_ = false;
};

}  // namespace hubchat::faults
