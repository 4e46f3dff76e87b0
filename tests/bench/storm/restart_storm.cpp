// Scenario "restart" (see scenarios.hpp): a crowd joins, the relay restarts
// under it, and the crowd resumes.
#include <vector>

#include "tests/bench/loadgen/clock.hpp"
#include "tests/bench/storm/scenario_common.hpp"
#include "tests/bench/storm/scenarios.hpp"

namespace hubchat::bench {
namespace {

constexpr std::uint8_t kNewWelcome = 1;     // welcome of the new relay run
constexpr std::uint8_t kMissedRestart = 2;  // then `missed` with reason restart
constexpr double kQuietLimitS = 10;
// Messages posted before the restart, so every resume carries a real since.
constexpr std::size_t kMessages = 5;
constexpr double kMessagesLimitS = 20;

class RestartStorm final : public PoolObserver {
 public:
  explicit RestartStorm(const StormOptions& o) : o_(o), pool_(o.pool, *this) {}

  std::string run();

  void on_welcome(StormClient& c, const Event& w, std::size_t line, std::size_t frame) override {
    if (!restarted_) {
      check_.add(w, line, frame);
      if (c.welcomes == 1) ++joined_;
      if (first_epoch_ == 0) first_epoch_ = w.epoch;
      if (w.epoch != first_epoch_) ++epochs_differ_;
      if (c.index + 1 == o_.clients) last_count_ = w.count;
      return;
    }
    resumed_check_.add(w, line, frame);
    if (w.epoch == first_epoch_) {
      ++stale_welcomes_;  // the old relay, still shutting down
      return;
    }
    mark(c, kNewWelcome);
  }

  void on_event(StormClient& c, const Event& e) override {
    if (!restarted_ && e.type == EventType::msg && e.body == message_body(kMessages)) {
      top_ = e.seq;
      ++at_top_;
    }
    if (!restarted_ || e.type != EventType::missed) return;
    if (e.reason == "restart" && (state_[c.index] & kNewWelcome))
      mark(c, kMissedRestart);
    else
      ++other_missed_;
  }

 private:
  void mark(StormClient& c, std::uint8_t bit) {
    std::uint8_t& s = state_[c.index];
    if (s & bit) return;
    s |= bit;
    if (bit == kNewWelcome) ++new_welcomes_;
    if (bit == kMissedRestart) ++missed_restart_;
    if (s == (kNewWelcome | kMissedRestart)) {
      ++resumed_;
      last_resume_ns_ = now_ns();
      bytes_at_last_resume_ = pool_.stats().bytes_in;
    }
  }

  static std::string message_body(std::size_t k) { return "before-restart-" + std::to_string(k); }

  // Client 0 posts kMessages; true once every client has received the last.
  bool post_messages() {
    std::vector<Event> frame(kMessages);
    for (std::size_t k = 0; k < kMessages; ++k) {
      frame[k].type = EventType::msg;
      frame[k].body = message_body(k + 1);
    }
    pool_.send_events(pool_.client(0), frame);
    return pool_.run_until(now_ns() + seconds_to_ns(kMessagesLimitS),
                           [&](std::int64_t) { return at_top_ >= o_.clients; });
  }

  // Clients whose next join will carry since = the top seq.
  std::size_t holding_top() {
    std::size_t n = 0;
    for (std::size_t i = 0; i < pool_.size(); ++i)
      if (pool_.client(i).last_seq == top_ && pool_.client(i).epoch == first_epoch_) ++n;
    return n;
  }

  bool join_crowd(std::size_t upto, std::int64_t deadline) {
    const std::int64_t now = now_ns();
    for (std::size_t i = 0; i < upto; ++i) pool_.connect(pool_.client(i), now);
    return pool_.run_until(deadline,
                           [&](std::int64_t) { return joined_ + pool_.stats().gave_up >= upto; });
  }

  const StormOptions& o_;
  ClientPool pool_;
  WelcomeCheck check_, resumed_check_;
  std::uint64_t first_epoch_ = 0, epochs_differ_ = 0, last_count_ = 0;
  std::size_t joined_ = 0;
  bool restarted_ = false;
  std::vector<std::uint8_t> state_;
  std::size_t new_welcomes_ = 0, missed_restart_ = 0, resumed_ = 0;
  std::size_t stale_welcomes_ = 0, other_missed_ = 0;
  std::int64_t last_resume_ns_ = 0;
  std::uint64_t bytes_at_last_resume_ = 0;
  Seq top_ = 0;             // seq of the last message before the restart
  std::size_t at_top_ = 0;  // clients that received it
};

std::string RestartStorm::run() {
  const std::size_t n = o_.clients;
  for (std::size_t i = 0; i < n; ++i) {
    StormClient& c = pool_.add(o_.room, crowd_nick("s", i));
    c.reconnect = true;
    c.resume = true;
  }
  state_.assign(n, 0);

  // Everyone but the last joins; then the last alone, so its welcome is the
  // last one the relay sends and must count the whole room.
  const std::int64_t t0 = now_ns();
  const std::int64_t join_deadline = t0 + seconds_to_ns(o_.join_timeout_s);
  const bool crowd_in = join_crowd(n - 1, join_deadline) && join_crowd(n, join_deadline);
  const double join_s = static_cast<double>(now_ns() - t0) / 1e9;
  const bool posted = crowd_in && post_messages();
  const std::size_t holding = holding_top();
  const PoolStats joined_stats = pool_.stats();

  // The runner restarts the relay when it reads this line.
  JsonLine signal;
  signal.str("event", "joined").integer("welcomes", joined_).num("join_s", join_s);
  emit(signal.done());
  restarted_ = true;
  const std::int64_t restart_ns = now_ns();
  const bool all_resumed = pool_.run_until(
      restart_ns + seconds_to_ns(o_.resume_timeout_s),
      [&](std::int64_t) { return resumed_ + (pool_.stats().gave_up - joined_stats.gave_up) >= n; });
  const auto relay_bytes_at_last = scrape(o_, "hubchat_bytes_out_total");
  const PoolStats storm_stats = stats_since(pool_.stats(), joined_stats);
  const bool settled = wait_quiet(pool_, o_, kQuietLimitS);
  const auto relay_bytes_settled = scrape(o_, "hubchat_bytes_out_total");
  const PoolStats after_stats = stats_since(pool_.stats(), joined_stats);

  JsonLine j;
  j.str("scenario", "restart").str("label", o_.label).str("room", o_.room);
  j.integer("clients", n).integer("joined", joined_).boolean("crowd_in", crowd_in);
  j.num("join_s", join_s).integer("last_welcome_count", last_count_);
  j.integer("epochs_differ", epochs_differ_).boolean("posted", posted);
  j.integer("since_at_restart", top_).integer("clients_holding_since", holding);
  check_.write(j);
  write_stats(j, "join_", joined_stats);
  j.boolean("all_resumed", all_resumed).integer("resumed", resumed_);
  j.integer("new_welcomes", new_welcomes_).integer("missed_restart", missed_restart_);
  j.integer("stale_welcomes", stale_welcomes_).integer("other_missed", other_missed_);
  j.integer("resume_welcome_bad_pages", resumed_check_.bad_pages);
  j.integer("resume_welcome_largest_line_bytes", resumed_check_.largest_line);
  write_stats(j, "storm_", storm_stats);
  j.integer("restart_signal_ns", static_cast<std::uint64_t>(restart_ns));
  j.integer("last_resume_ns", static_cast<std::uint64_t>(last_resume_ns_));
  j.num("resume_s", last_resume_ns_ ? static_cast<double>(last_resume_ns_ - restart_ns) / 1e9 : 0);
  j.integer("bytes_in_to_last_welcome", bytes_at_last_resume_ - joined_stats.bytes_in);
  j.integer("bytes_in_to_settled", after_stats.bytes_in);
  write_optional_count(j, "relay_bytes_out_at_last_welcome", relay_bytes_at_last);
  write_optional_count(j, "relay_bytes_out_settled", relay_bytes_settled);
  j.boolean("settled", settled);
  j.raw("closes_after_storm", [&] {
    JsonLine c;
    for (const auto& [code, count] : stats_since(after_stats, storm_stats).closes)
      c.integer(std::to_string(code).c_str(), count);
    return c.done();
  }());
  return j.done();
}

}  // namespace

std::string run_restart_storm(const StormOptions& options) {
  return RestartStorm(options).run();
}

}  // namespace hubchat::bench
