// Scenario "flood" (see scenarios.hpp): one attacker's request frames in a big
// room, a regular sender beside it, and the relay's loop stall around it.
#include <algorithm>
#include <charconv>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shared/lossless_codec.hpp"
#include "tests/bench/loadgen/clock.hpp"
#include "tests/bench/storm/scenario_common.hpp"
#include "tests/bench/storm/scenarios.hpp"

namespace hubchat::bench {
namespace {

constexpr const char* kStallMetric = "hubchat_loop_stall_max_seconds";
// Short on purpose: 2,000 requests must fit in one message under the relay's
// --max-message-bytes (64 KiB), or the frame is refused as too big (1009)
// before its requests are even counted. No other member's nick starts so.
constexpr std::string_view kAttackerPrefix = "a";
constexpr std::string_view kBodyPrefix = "flood.";
constexpr double kWarmS = 1.0;        // messages before the attack
constexpr double kControlS = 1.0;     // the sender alone, stall measured
constexpr double kAfterS = 1.0;       // messages after the attack
constexpr double kAttackLimitS = 20;  // per attack frame
constexpr double kQuietLimitS = 10;
constexpr double kDeliveryLimitS = 20;

std::size_t frame_bytes(const std::vector<Event>& events) {
  std::size_t bytes = events.empty() ? 0 : events.size() - 1;  // the '\n's
  for (const Event& e : events) bytes += lossless::encode(e).size();
  return bytes;
}

bool is_attacker_change(const Event& e) {
  if (e.type != EventType::join && e.type != EventType::leave && e.type != EventType::nick)
    return false;
  return e.nick.starts_with(kAttackerPrefix) || e.from.starts_with(kAttackerPrefix);
}

class Flood final : public PoolObserver {
 public:
  explicit Flood(const StormOptions& o)
      : o_(o), pool_(o.pool, *this), next_(o.clients, 1), changes_(o.clients, 0) {}

  std::string run();

  void on_welcome(StormClient& c, const Event& w, std::size_t line, std::size_t frame) override {
    check_.add(w, line, frame);
    if (c.welcomes == 1 && &c != attacker_) ++joined_;
  }

  void on_event(StormClient& c, const Event& e) override {
    if (&c == attacker_) {
      if (e.type == EventType::nick) last_attacker_nick_ = e.nick;  // only the attacker renames
      return;
    }
    if (e.type == EventType::presence) ++summaries_;
    if (attacking_ && is_attacker_change(e)) ++changes_[c.index];
    if (e.type == EventType::msg && e.from == sender_nick_) count_message(c, e.body);
  }

  void on_ended(StormClient& c) override {
    if (&c == attacker_)
      attacker_closes_.push_back(c.last_close);
    else
      ++others_ended_;
  }

 private:
  void count_message(StormClient& c, std::string_view body) {
    if (!body.starts_with(kBodyPrefix)) return;
    body.remove_prefix(kBodyPrefix.size());
    std::uint64_t k = 0;
    std::from_chars(body.data(), body.data() + body.size(), k);
    std::uint64_t& next = next_[c.index];
    if (k == next) {
      ++next;
    } else if (k > next) {
      ++gaps_;
      next = k + 1;
    } else {
      ++duplicates_;
    }
  }

  void send_message() {
    Event m;
    m.type = EventType::msg;
    m.body = std::string(kBodyPrefix) + std::to_string(++sent_);
    pool_.send_events(*sender_, {m});
  }

  // Sends the regular sender's messages that are due (step functions call it).
  void pace(std::int64_t now) {
    while (sending_ && now >= next_send_ns_) {
      send_message();
      next_send_ns_ += seconds_to_ns(o_.sender_interval_s);
    }
  }

  bool attacker_gone() const { return attacker_->phase == Phase::gone; }

  // One attack frame; returns its duration (until the relay closed the
  // attacker or `done` held) and scrapes the stall gauge right after.
  double attack(const std::vector<Event>& frame, const std::function<bool()>& done,
                std::optional<double>& stall) {
    const std::int64_t start = now_ns();
    pool_.send_events(*attacker_, frame);
    send_message();  // reaches the relay while it handles the attack frame
    pool_.run_until(start + seconds_to_ns(kAttackLimitS), [&](std::int64_t now) {
      pace(now);
      return attacker_gone() || done();
    });
    const double took = static_cast<double>(now_ns() - start) / 1e9;
    stall = scrape(o_, kStallMetric);
    return took;
  }

  bool rejoin_attacker() {
    if (!attacker_gone()) return true;
    pool_.connect(*attacker_, now_ns());
    pool_.run_until(now_ns() + seconds_to_ns(kAttackLimitS), [&](std::int64_t now) {
      pace(now);
      return attacker_->phase == Phase::joined || attacker_gone();
    });
    return attacker_->phase == Phase::joined;
  }

  const StormOptions& o_;
  ClientPool pool_;
  StormClient* sender_ = nullptr;
  StormClient* attacker_ = nullptr;
  std::string sender_nick_;
  WelcomeCheck check_;
  std::size_t joined_ = 0, others_ended_ = 0;
  bool attacking_ = false, sending_ = false;
  std::int64_t next_send_ns_ = 0;
  std::uint64_t sent_ = 0, gaps_ = 0, duplicates_ = 0, summaries_ = 0;
  std::vector<std::uint64_t> next_;     // per client: the next message number expected
  std::vector<std::uint32_t> changes_;  // per client: attacker changes seen in the attack
  std::vector<std::uint16_t> attacker_closes_;
  std::string last_attacker_nick_;
};

std::string Flood::run() {
  const std::size_t n = o_.clients;
  sender_ = &pool_.add(o_.room, "snd");
  attacker_ = &pool_.add(o_.room, std::string(kAttackerPrefix));
  for (std::size_t i = 2; i < n; ++i) pool_.add(o_.room, crowd_nick("f", i));
  const std::int64_t t0 = now_ns();
  for (std::size_t i = 0; i < n; ++i) pool_.connect(pool_.client(i), t0);
  const bool crowd_in = pool_.run_until(t0 + seconds_to_ns(o_.join_timeout_s), [&](std::int64_t) {
    return joined_ + others_ended_ >= n - 1 && attacker_->phase == Phase::joined;
  });
  const double join_s = static_cast<double>(now_ns() - t0) / 1e9;
  sender_nick_ = sender_->nick;
  wait_quiet(pool_, o_, kQuietLimitS);  // the ramp's presence has gone out
  const PoolStats before = pool_.stats();

  sending_ = true;
  next_send_ns_ = now_ns();
  pool_.run_until(now_ns() + seconds_to_ns(kWarmS), [&](std::int64_t now) {
    pace(now);
    return false;
  });

  const auto stall_before = scrape(o_, kStallMetric);  // also resets the gauge
  // The control: a second of the sender alone, each message fanned out to
  // the whole room, to compare the attack's stalls with.
  pool_.run_until(now_ns() + seconds_to_ns(kControlS), [&](std::int64_t now) {
    pace(now);
    return false;
  });
  const auto stall_sender_only = scrape(o_, kStallMetric);
  const std::uint64_t sent_before = sent_;
  const std::int64_t attack_start = now_ns();
  attacking_ = true;
  std::vector<Event> nicks(o_.attack_requests);
  for (std::size_t i = 0; i < nicks.size(); ++i) {
    nicks[i].type = EventType::nick;
    nicks[i].nick = std::string(kAttackerPrefix) + std::to_string(i + 1);
  }
  const std::string last_nick = nicks.back().nick;
  std::optional<double> stall_nick, stall_join;
  const double nick_s = attack(
      nicks, [&] { return last_attacker_nick_ == last_nick; }, stall_nick);
  const bool rejoined = rejoin_attacker();
  std::vector<Event> joins(o_.attack_requests);
  for (Event& e : joins) {  // no nick: the session's own
    e.type = EventType::join;
    e.room = o_.room;
  }
  const unsigned welcomes_before = attacker_->welcomes;
  const double join_frame_s =
      rejoined ? attack(
                     joins, [&] { return attacker_->welcomes >= welcomes_before + joins.size(); },
                     stall_join)
               : 0;
  const std::int64_t attack_end = now_ns();
  const std::uint64_t sent_during = sent_ - sent_before;
  pool_.run_until(attack_end + seconds_to_ns(kAfterS), [&](std::int64_t now) {
    pace(now);
    return false;
  });
  sending_ = false;
  const std::uint64_t sent_after = sent_ - sent_before - sent_during;

  // Every member but the attacker gets every message, or is counted short.
  auto complete = [&] {
    std::size_t done = 0;
    for (std::size_t i = 0; i < n; ++i)
      if (&pool_.client(i) != attacker_ && next_[i] > sent_) ++done;
    return done;
  };
  pool_.run_until(now_ns() + seconds_to_ns(kDeliveryLimitS),
                  [&](std::int64_t) { return complete() + others_ended_ >= n - 1; });
  attacking_ = false;
  const PoolStats during = stats_since(pool_.stats(), before);

  std::uint32_t max_changes = 0;
  std::uint64_t min_received = sent_;
  for (std::size_t i = 0; i < n; ++i) {
    if (&pool_.client(i) == attacker_) continue;
    max_changes = std::max(max_changes, changes_[i]);
    min_received = std::min<std::uint64_t>(min_received, next_[i] - 1);
  }
  std::uint64_t attacker_close_frames = 0;
  JsonLine attacker_closes;
  for (std::size_t i = 0; i < attacker_closes_.size(); ++i) {
    attacker_closes.integer(std::to_string(i + 1).c_str(), attacker_closes_[i]);
    if (attacker_closes_[i]) ++attacker_close_frames;
  }
  std::uint64_t other_closes = during.closes_total() - attacker_close_frames;

  JsonLine j;
  j.str("scenario", "flood").str("label", o_.label).str("room", o_.room);
  j.integer("clients", n).boolean("crowd_in", crowd_in).integer("joined", joined_);
  j.num("join_s", join_s).integer("attack_requests", o_.attack_requests);
  check_.write(j);
  j.integer("sent", sent_).integer("sent_during_attack", sent_during);
  j.integer("sent_after_attack", sent_after).integer("receivers", n - 1);
  j.integer("receivers_complete", complete()).integer("min_received", min_received);
  j.integer("gaps", gaps_).integer("duplicates", duplicates_);
  j.integer("others_ended", others_ended_).integer("other_closes", other_closes);
  j.integer("max_attacker_changes_seen", max_changes).integer("presence_summaries", summaries_);
  j.raw("attacker_closes", attacker_closes.done()).boolean("attacker_rejoined", rejoined);
  j.integer("attack_nick_frame_bytes", frame_bytes(nicks));
  j.integer("attack_join_frame_bytes", frame_bytes(joins));
  j.num("attack_nick_s", nick_s).num("attack_join_s", join_frame_s);
  j.num("attack_s", static_cast<double>(attack_end - attack_start) / 1e9);
  write_optional(j, "stall_before_s", stall_before);
  write_optional(j, "stall_sender_only_s", stall_sender_only);
  write_optional(j, "stall_nick_s", stall_nick);
  write_optional(j, "stall_join_s", stall_join);
  write_stats(j, "attack_", during);
  return j.done();
}

}  // namespace

std::string run_flood(const StormOptions& options) {
  return Flood(options).run();
}

}  // namespace hubchat::bench
