// Scenario "presence" (see scenarios.hpp): a crowd ramps into a room full of
// history, then a late joiner is replayed all of it.
#include <string>
#include <vector>

#include "tests/bench/loadgen/clock.hpp"
#include "tests/bench/storm/scenario_common.hpp"
#include "tests/bench/storm/scenarios.hpp"

namespace hubchat::bench {
namespace {

// Under --rate-burst 60: a frame of more requests would be refused whole.
constexpr std::size_t kFillPerFrame = 50;
constexpr double kStepLimitS = 30;
constexpr double kQuietLimitS = 10;

class PresenceStorm final : public PoolObserver {
 public:
  explicit PresenceStorm(const StormOptions& o) : o_(o), pool_(o.pool, *this) {}

  std::string run();

  void on_welcome(StormClient& c, const Event& w, std::size_t line, std::size_t frame) override {
    if (&c == filler_) {
      epoch_ = w.epoch;
      return;
    }
    if (&c == late_) {
      late_first_held_ = w.first;
      late_seq_ = w.seq;
      return;
    }
    check_.add(w, line, frame);
    ++crowd_welcomed_;
    if (w.seq != top_ + 1) ++crowd_seq_moved_;
  }

  void on_event(StormClient& c, const Event& e) override {
    if (&c == filler_) {
      if (e.type == EventType::msg && e.from == c.nick && e.body == fill_body(o_.fill))
        top_ = e.seq;
      return;
    }
    if (&c == late_) return late_event(e);
    switch (e.type) {
      case EventType::msg:
        ++crowd_replayed_;  // a crowd member asked for nothing before since
        break;
      case EventType::presence:
        ++crowd_summaries_;
        break;
      case EventType::join:
      case EventType::leave:
      case EventType::nick:
        ++crowd_itemized_;
        break;
      default:
        ++crowd_other_;
        break;
    }
  }

  void on_ended(StormClient& c) override {
    if (&c != filler_ && &c != late_) ++crowd_ended_;
  }

 private:
  static std::string fill_body(std::size_t k) { return "fill-" + std::to_string(k); }

  void late_event(const Event& e) {
    if (e.type != EventType::msg) return;
    if (late_msgs_ == 0)
      late_first_ = e.seq;
    else if (e.seq != late_last_ + 1)
      ++late_gaps_;
    late_last_ = e.seq;
    ++late_msgs_;
  }

  bool fill_room() {
    filler_ = &pool_.add(o_.room, "filler");
    pool_.connect(*filler_, now_ns());
    const std::int64_t deadline = now_ns() + seconds_to_ns(kStepLimitS);
    if (!pool_.run_until(deadline,
                         [&](std::int64_t) {
                           return filler_->phase == Phase::joined || filler_->phase == Phase::gone;
                         }) ||
        filler_->phase != Phase::joined)
      return false;
    std::vector<Event> frame;
    for (std::size_t k = 1; k <= o_.fill; ++k) {
      Event& m = frame.emplace_back();
      m.type = EventType::msg;
      m.body = fill_body(k);
      if (frame.size() == kFillPerFrame || k == o_.fill) {
        pool_.send_events(*filler_, frame);
        frame.clear();
      }
    }
    const bool filled = pool_.run_until(
        deadline, [&](std::int64_t) { return top_ != 0 || filler_->phase == Phase::gone; });
    pool_.drop(*filler_);
    return filled && top_ != 0;
  }

  const StormOptions& o_;
  ClientPool pool_;
  StormClient* filler_ = nullptr;
  StormClient* late_ = nullptr;
  std::uint64_t epoch_ = 0;
  Seq top_ = 0;  // seq of the last fill message
  WelcomeCheck check_;
  std::size_t crowd_welcomed_ = 0, crowd_ended_ = 0, crowd_seq_moved_ = 0;
  std::uint64_t crowd_replayed_ = 0, crowd_summaries_ = 0, crowd_itemized_ = 0, crowd_other_ = 0;
  Seq late_first_held_ = 0, late_seq_ = 0, late_first_ = 0, late_last_ = 0;
  std::uint64_t late_msgs_ = 0, late_gaps_ = 0;
};

std::string PresenceStorm::run() {
  JsonLine j;
  j.str("scenario", "presence").str("label", o_.label).str("room", o_.room);
  j.integer("clients", o_.clients).integer("fill", o_.fill);
  const std::int64_t t0 = now_ns();
  const bool filled = fill_room();
  j.boolean("filled", filled).integer("top_seq", top_).num("fill_s", (now_ns() - t0) / 1e9);
  if (!filled) return j.done();
  const PoolStats before_crowd = pool_.stats();

  // The ramp: bounded handshakes in flight, each joining at the top.
  const std::int64_t t1 = now_ns();
  for (std::size_t i = 0; i < o_.clients; ++i) {
    StormClient& c = pool_.add(o_.room, crowd_nick("p", i));
    c.resume = true;
    c.epoch = epoch_;
    c.last_seq = top_;
    pool_.connect(c, t1);
  }
  const bool crowd_in = pool_.run_until(t1 + seconds_to_ns(o_.join_timeout_s), [&](std::int64_t) {
    return crowd_welcomed_ + crowd_ended_ >= o_.clients;
  });
  const double ramp_s = static_cast<double>(now_ns() - t1) / 1e9;
  const auto relay_bytes_ramp = scrape(o_, "hubchat_bytes_out_total");
  const PoolStats ramp_stats = stats_since(pool_.stats(), before_crowd);

  // A late joiner without since: the whole history, which presence must not
  // have pushed out of the ring.
  late_ = &pool_.add(o_.room, "late");
  pool_.connect(*late_, now_ns());
  const bool late_done = pool_.run_until(now_ns() + seconds_to_ns(kStepLimitS), [&](std::int64_t) {
    return late_last_ >= top_ || late_->phase == Phase::gone;
  });
  const bool settled = wait_quiet(pool_, o_, kQuietLimitS);
  const PoolStats all_stats = stats_since(pool_.stats(), before_crowd);

  j.boolean("crowd_in", crowd_in).integer("crowd_welcomed", crowd_welcomed_);
  j.integer("crowd_ended", crowd_ended_).num("ramp_s", ramp_s);
  j.integer("crowd_seq_moved", crowd_seq_moved_).integer("crowd_replayed", crowd_replayed_);
  j.integer("crowd_presence_summaries", crowd_summaries_);
  j.integer("crowd_presence_itemized", crowd_itemized_).integer("crowd_other", crowd_other_);
  check_.write(j);
  write_stats(j, "ramp_", ramp_stats);
  write_optional_count(j, "relay_bytes_out_at_ramp_end", relay_bytes_ramp);
  write_stats(j, "all_", all_stats);
  j.boolean("late_done", late_done).integer("late_welcome_first", late_first_held_);
  j.integer("late_welcome_seq", late_seq_).integer("late_msgs", late_msgs_);
  j.integer("late_first_seq", late_first_).integer("late_last_seq", late_last_);
  j.integer("late_gaps", late_gaps_).boolean("settled", settled);
  return j.done();
}

}  // namespace

std::string run_presence_storm(const StormOptions& options) {
  return PresenceStorm(options).run();
}

}  // namespace hubchat::bench
