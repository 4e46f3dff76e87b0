// Soak/chaos test: the real relay, with explicit limits, carries steady chat
// traffic between a few hundred well-behaved lossless and legacy clients in
// several rooms for about a minute while waves of hostile clients attack it
// (oversized, non-UTF-8 and binary messages, slow consumers, peers that never
// answer pings, connections that vanish mid-handshake, handshake stallers,
// rate flooders). It checks that
//   - every well-behaved client got every accepted message of its room,
//     exactly once, in order, byte for byte (lossless also: gapless seqs),
//     and all clients of a room saw one and the same order;
//   - every hostile client was answered as docs/PROTOCOL.md says;
//   - the relay's RSS stayed under kRssBoundKib, it still serves afterwards,
//     and its /metrics (connections, messages, closes by reason) match what
//     the test caused exactly.
// HUBCHAT_SOAK_SECONDS shortens or lengthens the traffic phase (default 60).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <thread>

#include "shared/legacy_codec.hpp"
#include "tests/soak/soak_driver.hpp"
#include "tests/soak/soak_hostiles.hpp"
#include "tests/soak/soak_peers.hpp"
#include "tests/support/lossless_client.hpp"
#include "tests/support/relay_process.hpp"

namespace hubchat::test::soak {
namespace {

using namespace std::chrono_literals;

// The relay holds at most 9 rooms x 256 events of history plus a few hundred
// connections; 200 MB is far above what that needs, so crossing it means a
// leak or unbounded buffering, not a tight budget.
constexpr std::size_t kRssBoundKib = 200 * 1024;

constexpr int kMainRooms = 8;
constexpr int kLosslessSendersPerRoom = 4;
constexpr int kLegacySendersPerRoom = 2;
constexpr int kLosslessReadersPerRoom = 12;
constexpr int kLegacyReadersPerRoom = 10;
constexpr double kMainRateHz = 3;  // per sender; --rate-limit is 50/s
constexpr int kPeerThreads = 3;

const Limits kLimits{4096, 100, 3, 2};

const std::vector<std::string> kRelayArgs = {
    "--max-message-bytes", "4096", "--history-events",         "256",  "--rate-limit",    "50",
    "--rate-burst",        "100",  "--max-connections-per-ip", "1000", "--ping-interval", "1",
    "--pong-timeout",      "3",    "--handshake-timeout",      "2"};

std::chrono::milliseconds traffic_duration() {
  if (const char* s = std::getenv("HUBCHAT_SOAK_SECONDS")) {
    const long v = std::strtol(s, nullptr, 10);
    if (v >= 10 && v <= 3600) return std::chrono::seconds(v);
  }
  return 60s;
}

struct Plan {
  std::vector<std::unique_ptr<SenderInfo>> senders;
  std::vector<std::unique_ptr<ChatPeer>> peers;
  std::vector<std::string> rooms;
};

// Adds one room: its senders (each also a reading peer) and pure readers.
void add_room(Plan& plan, const Schedule& schedule, const std::string& room, int lossless_senders,
              double lossless_hz, std::size_t lossless_pad, int legacy_senders, double legacy_hz,
              int lossless_readers, int legacy_readers) {
  plan.rooms.push_back(room);
  std::vector<SenderInfo*> room_senders;
  for (int i = 0; i < lossless_senders + legacy_senders; ++i) {
    auto s = std::make_unique<SenderInfo>();
    s->sid = static_cast<int>(plan.senders.size());
    s->room = room;
    s->legacy = i >= lossless_senders;
    s->nick = (s->legacy ? "gs" : "ls") + std::to_string(s->sid);
    s->rate_hz = s->legacy ? legacy_hz : lossless_hz;
    s->pad = s->legacy ? lossless_pad / 4 : lossless_pad;
    room_senders.push_back(s.get());
    plan.senders.push_back(std::move(s));
  }
  for (SenderInfo* s : room_senders)
    plan.peers.push_back(
        std::make_unique<ChatPeer>(room, s->nick, s->legacy, room_senders, s, schedule));
  for (int i = 0; i < lossless_readers + legacy_readers; ++i) {
    const bool legacy = i >= lossless_readers;
    const std::string nick = (legacy ? "gr" : "lr") + std::to_string(plan.peers.size());
    plan.peers.push_back(
        std::make_unique<ChatPeer>(room, nick, legacy, room_senders, nullptr, schedule));
  }
}

// What one peer thread shares with the orchestrator.
struct PeerThreadState {
  std::vector<ChatPeer*> peers;
  std::atomic<bool> ready{false};
  std::atomic<bool> caught_up{false};
  std::atomic<int> connect_failures{0};
};

void run_peer_thread(PeerThreadState& st, std::uint16_t port, const std::atomic<bool>& stop,
                     Deadline deadline) {
  std::vector<Actor*> connected;
  for (ChatPeer* p : st.peers) {
    if (p->connect(port))
      connected.push_back(p);
    else
      ++st.connect_failures;
    // Keep answering pings and reading while the rest connect (the relay
    // pings every second and drops silent peers after 3).
    service_once(connected);
  }
  st.ready = true;
  auto last_check = Clock::now();
  run_poll_loop(
      connected,
      [&] {
        if (Clock::now() - last_check > 100ms) {
          last_check = Clock::now();
          st.caught_up = std::all_of(st.peers.begin(), st.peers.end(),
                                     [](ChatPeer* p) { return p->caught_up(); });
        }
        return stop.load();
      },
      deadline);
  for (ChatPeer* p : st.peers) p->close();
}

// Waits until `cond` holds or the deadline passes (conditions set by other
// threads; checked every 10 ms).
bool wait_until(const std::function<bool()>& cond, Deadline deadline) {
  while (!cond()) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

TEST(RelaySoak, ChaosAgainstSteadyTraffic) {
  const auto wall_start = Clock::now();
  RelayProcess relay(kRelayArgs);
  ASSERT_TRUE(relay.start()) << relay.error();
  RssSampler rss(relay.pid(), 100ms);
  const std::uint16_t port = relay.port();

  // ---------------------------------------------------------------- plan
  Schedule schedule;
  schedule.duration = traffic_duration();
  Plan plan;
  for (int r = 0; r < kMainRooms; ++r)
    add_room(plan, schedule, "room-" + std::to_string(r), kLosslessSendersPerRoom, kMainRateHz, 0,
             kLegacySendersPerRoom, kMainRateHz, kLosslessReadersPerRoom, kLegacyReadersPerRoom);
  // Big, fast messages (40/s of ~1.5 KB from each of two senders): slow
  // consumers here fall out of the 256-event ring within seconds.
  const std::string firehose = "firehose";
  add_room(plan, schedule, firehose, 2, 40, 1400, 1, 5, 2, 2);

  // ---------------------------------------------------- well-behaved peers
  std::vector<std::unique_ptr<PeerThreadState>> states;
  for (int t = 0; t < kPeerThreads; ++t) states.push_back(std::make_unique<PeerThreadState>());
  for (std::size_t i = 0; i < plan.peers.size(); ++i)
    states[i % kPeerThreads]->peers.push_back(plan.peers[i].get());
  std::atomic<bool> stop_peers{false};
  const Deadline hard_deadline = deadline_in(schedule.duration + 150s);
  std::vector<std::thread> threads;
  for (auto& st : states)
    threads.emplace_back(run_peer_thread, std::ref(*st), port, std::cref(stop_peers),
                         hard_deadline);
  // Joins the peer threads however this test ends (ASSERTs return early).
  struct Joiner {
    std::atomic<bool>& stop;
    std::vector<std::thread>& threads;
    ~Joiner() {
      stop = true;
      for (auto& t : threads)
        if (t.joinable()) t.join();
    }
  } joiner{stop_peers, threads};

  ASSERT_TRUE(wait_until(
      [&] {
        return std::all_of(states.begin(), states.end(), [](auto& s) { return s->ready.load(); });
      },
      deadline_in(60s)))
      << "well-behaved peers did not all connect";
  int connect_failures = 0;
  for (auto& st : states) connect_failures += st->connect_failures;
  ASSERT_EQ(connect_failures, 0);
  const auto start = Clock::now() + 300ms;
  schedule.start = start.time_since_epoch().count();

  // ------------------------------------------------------- hostile waves
  std::vector<HostileOutcome> hostile;
  std::atomic<bool> hostiles_done{false};
  std::thread hostile_thread([&] {
    for (int w = 0;; ++w) {
      // A wave every 11 s from 2 s in, while the traffic (and the firehose
      // the slow consumers need) still runs for its 6 s pause + margin.
      const auto at = start + 2s + w * 11s;
      if (at + 8s > start + schedule.duration) break;
      std::this_thread::sleep_until(at);  // a schedule, not a wait for a condition
      const WaveRooms rooms{"room-" + std::to_string(w % kMainRooms), firehose,
                            "flood-" + std::to_string(w), "quiet-" + std::to_string(w)};
      auto wave = make_wave(port, kLimits, rooms, w);
      std::vector<Actor*> actors;
      for (auto& a : wave) actors.push_back(a.get());
      run_poll_loop(
          actors, [] { return false; }, deadline_in(40s), 20ms);
      settle_wave(wave);
      for (auto& a : wave) hostile.push_back(a->outcome());
    }
    hostiles_done = true;
  });
  struct ThreadJoiner {
    std::thread& t;
    ~ThreadJoiner() {
      if (t.joinable()) t.join();
    }
  } hostile_joiner{hostile_thread};

  // ------------------------------------------- traffic, then the drain
  const bool settled = wait_until(
      [&] {
        return hostiles_done.load() &&
               std::all_of(plan.senders.begin(), plan.senders.end(),
                           [](auto& s) { return s->done.load(); }) &&
               std::all_of(states.begin(), states.end(),
                           [](auto& s) { return s->caught_up.load(); });
      },
      start + schedule.duration + 60s);
  EXPECT_TRUE(settled) << "well-behaved clients did not all receive every message in time";
  const double traffic_s = std::chrono::duration<double>(Clock::now() - start).count();

  // ------------------------------------------- the relay still serves
  EXPECT_EQ(relay.get("/healthz").status, 200);
  std::size_t fresh_upgrades = 0;
  {
    LosslessClient fresh;
    ASSERT_TRUE(fresh.connect_and_join(port, "after-soak", "fresh", deadline_in(5s)));
    ++fresh_upgrades;
    LegacyClient fresh_legacy;
    ASSERT_TRUE(fresh_legacy.connect(port, "after-soak", "fresh-legacy").upgraded());
    ++fresh_upgrades;
    ASSERT_TRUE(fresh.wait_for(
        [](const Event& e) { return e.type == EventType::join && e.nick == "fresh-legacy"; },
        deadline_in(5s)));
    const std::string body = "still here 여기\nafter the storm";
    ASSERT_TRUE(fresh.send_msg(body));
    EXPECT_TRUE(
        fresh.wait_for([&](const Event& e) { return e.type == EventType::msg && e.body == body; },
                       deadline_in(5s)))
        << fresh.end().describe();
    EXPECT_TRUE(fresh_legacy.wait_for(legacy::encode_body(body), deadline_in(5s)))
        << fresh_legacy.end().describe();
    fresh.ws().send_close(1000);
    fresh_legacy.ws().send_close(1000);
  }
  upgrades() += fresh_upgrades;

  stop_peers = true;
  for (auto& t : threads) t.join();
  hostile_thread.join();

  // All connections gone: then closes_total is final.
  std::string metrics;
  const bool drained = wait_until(
      [&] {
        metrics = relay.metrics_text();
        return metric(metrics, "hubchat_connections") == 0.0;
      },
      deadline_in(15s));
  EXPECT_TRUE(drained) << "connections still open: "
                       << metric(metrics, "hubchat_connections").value_or(-1);
  rss.stop();

  // ------------------------------------------------- well-behaved checks
  std::size_t messages_sent = 0, deliveries = 0, problems = 0;
  for (auto& s : plan.senders) messages_sent += s->sent;
  for (auto& p : plan.peers) {
    deliveries += p->received();
    problems += p->problem_count();
    for (const std::string& what : p->problems()) ADD_FAILURE() << what;
    if (problems > 40) break;  // enough to diagnose
  }
  EXPECT_EQ(problems, 0u);
  for (const std::string& room : plan.rooms) {
    // One conversation: every peer of the room saw the same order, and it
    // holds each of the room's senders' messages exactly once.
    const ChatPeer* reference = nullptr;
    std::size_t room_sent = 0;
    for (auto& s : plan.senders)
      if (s->room == room) room_sent += s->sent;
    for (auto& p : plan.peers) {
      if (p->room() != room) continue;
      if (!reference) {
        reference = p.get();
        EXPECT_EQ(reference->received(), room_sent) << room << " reference " << p->nick();
        continue;
      }
      if (p->order() != reference->order()) {
        const auto mismatch = std::mismatch(p->order().begin(), p->order().end(),
                                            reference->order().begin(), reference->order().end());
        ADD_FAILURE() << room << ": " << p->nick() << " (" << (p->legacy() ? "legacy" : "lossless")
                      << ", " << p->received() << " messages) differs from " << reference->nick()
                      << " (" << reference->received() << ") at position "
                      << (mismatch.first - p->order().begin());
      }
    }
  }

  // ------------------------------------------------------ hostile checks
  std::map<std::string, std::size_t> by_kind;  // "kind/variant outcome" -> count
  std::size_t hostile_cases = 0, flood_accepted = 0, observers = 0;
  std::size_t closes_1009 = 0, closes_1007 = 0, closes_1003 = 0, closes_4001 = 0, closes_rate = 0,
              slow_dropped = 0, ping_dropped = 0, stalls_dropped = 0;
  std::size_t failed_hostiles = 0;
  for (const HostileOutcome& o : hostile) {
    if (o.kind == HostileKind::observer)
      ++observers;
    else
      ++hostile_cases;
    if (!o.ok && ++failed_hostiles <= 20)
      ADD_FAILURE() << to_string(o.kind) << "/" << o.variant << ": " << o.detail;
    flood_accepted += o.accepted;
    switch (o.kind) {
      case HostileKind::oversize:
        closes_1009 += o.close_code == 1009;
        break;
      case HostileKind::bad_utf8:
        closes_1007 += o.close_code == 1007;
        break;
      case HostileKind::binary:
        closes_1003 += o.close_code == 1003;
        break;
      case HostileKind::slow_consumer:
        closes_4001 += o.close_code == 4001;
        slow_dropped += o.dropped;
        break;
      case HostileKind::ping_ignorer:
        ping_dropped += o.ok;
        break;
      case HostileKind::handshake_stall:
        stalls_dropped += o.dropped;
        break;
      case HostileKind::flood_legacy:
        closes_rate += o.close_code == 1008;
        break;
      default:
        break;
    }
    ++by_kind[std::string(to_string(o.kind)) + "/" + o.variant];
  }
  EXPECT_EQ(failed_hostiles, 0u);
  const std::size_t waves = hostile.empty() ? 0 : hostile_cases / 21;
  EXPECT_GE(waves, 1u) << "no hostile wave ran";

  // ------------------------------------------------------ relay metrics
  auto closes = [&](const char* reason) {
    return static_cast<std::size_t>(
        metric(metrics, std::string("hubchat_closes_total{reason=\"") + reason + "\"}")
            .value_or(-1));
  };
  const std::size_t total_upgrades = upgrades();
  EXPECT_EQ(metric(metrics, "hubchat_connections_total"), static_cast<double>(total_upgrades));
  EXPECT_EQ(metric(metrics, "hubchat_messages_in_total"),
            static_cast<double>(messages_sent + flood_accepted + 1));
  EXPECT_EQ(closes("message_too_big"), closes_1009);
  EXPECT_EQ(closes("invalid_utf8"), closes_1007);
  EXPECT_EQ(closes("binary_frame"), closes_1003);
  EXPECT_EQ(closes("slow_consumer"), closes_4001);
  EXPECT_EQ(closes("rate_limited"), closes_rate);
  for (const char* none : {"server_full", "too_many_replies", "shutdown", "too_many_from_ip"})
    EXPECT_EQ(closes(none), 0u) << none;
  const std::size_t non_peer = closes_1009 + closes_1007 + closes_1003 + closes_4001 + closes_rate;
  // Everything else closed as a peer close: every well-behaved and fresh
  // client, observers, lossless flooders, vanishers after the upgrade, ping
  // ignorers and slow consumers the keepalive dropped.
  EXPECT_EQ(closes("peer"), total_upgrades - non_peer);
  EXPECT_EQ(metric_sum(metrics, "hubchat_closes_total"), static_cast<double>(total_upgrades));

  // ------------------------------------------------------------ memory
  const std::size_t peak_kib = rss.peak_kib();
  EXPECT_GT(rss.samples(), 10u);
  EXPECT_LT(peak_kib, kRssBoundKib) << "relay RSS peaked at " << peak_kib / 1024 << " MiB";

  const ExitStatus exit = relay.stop();
  EXPECT_TRUE(exit.exited && exit.code == 0) << exit.describe();

  // ----------------------------------------------------------- summary
  std::string kinds;
  for (const auto& [kind, n] : by_kind) kinds += " " + kind + "=" + std::to_string(n);
  const double wall_s = std::chrono::duration<double>(Clock::now() - wall_start).count();
  std::printf(
      "SOAK SUMMARY: clients=%zu (well-behaved=%zu in %zu rooms, hostile=%zu, flood observers=%zu, "
      "fresh=%zu) connections=%zu | messages: sent=%zu accepted=%zu (incl. %zu from flooders) "
      "deliveries checked=%zu | hostile cases=%zu in %zu waves: 1009=%zu 1007=%zu 1003=%zu "
      "4001=%zu slow-dropped=%zu ping-dropped=%zu stall-dropped=%zu legacy-flood-1008=%zu | "
      "relay peak RSS=%.1f MiB (bound %zu MiB, %zu samples) | traffic %.1fs, total %.1fs\n",
      plan.peers.size() + hostile_cases + observers + fresh_upgrades, plan.peers.size(),
      plan.rooms.size(), hostile_cases, observers, fresh_upgrades, total_upgrades, messages_sent,
      messages_sent + flood_accepted + 1, flood_accepted, deliveries, hostile_cases, waves,
      closes_1009, closes_1007, closes_1003, closes_4001, slow_dropped, ping_dropped,
      stalls_dropped, closes_rate, peak_kib / 1024.0, kRssBoundKib / 1024, rss.samples(), traffic_s,
      wall_s);
  std::printf("SOAK HOSTILE KINDS:%s\n", kinds.c_str());
  std::printf("SOAK CLOSES:");
  for (const std::string& line : metric_lines(metrics, "hubchat_closes_total"))
    std::printf(" %s;", line.c_str());
  std::printf("\n");
  std::fflush(stdout);
  if (HasFailure()) {
    std::string log = relay.stderr_text();
    if (log.size() > 6000) log = "...\n" + log.substr(log.size() - 6000);
    std::fprintf(stderr, "---- relay stderr ----\n%s\n----\n", log.c_str());
  }
}

// A lossless client that joins a room whose ring is full, without `since`,
// starts its replay at the oldest event held; if anything is appended before
// the relay's first write to it (here: its own message, sent in the same
// frame as the join), that event is evicted. It must still get its welcome
// (and a `missed` notice), not a 4001 "slow consumer" close.
TEST(RelaySoak, JoinIntoAFullRingThenPost) {
  RelayProcess relay({"--history-events", "32", "--rate-limit", "0"});
  ASSERT_TRUE(relay.start()) << relay.error();
  LosslessClient filler;
  ASSERT_TRUE(filler.connect_and_join(relay.port(), "full", "filler"));
  // One at a time: a burst larger than the 32-event ring would (rightly)
  // overtake the filler itself.
  for (int i = 0; i < 40; ++i) {
    const std::string body = "fill " + std::to_string(i);
    ASSERT_TRUE(filler.send_msg(body));
    ASSERT_TRUE(filler.wait_for([&](const Event& e) { return e.body == body; }, deadline_in(5s)))
        << filler.end().describe();
  }
  for (const char* room : {"empty", "full"}) {
    LosslessClient client;
    ASSERT_TRUE(client.connect(relay.port()).upgraded());
    ASSERT_TRUE(client.ws().send_text(std::string("{\"type\":\"join\",\"room\":\"") + room +
                                      "\",\"nick\":\"late\"}\n{\"type\":\"msg\",\"body\":\"hi\"}"));
    EXPECT_TRUE(client.wait_for([](const Event& e) { return e.type == EventType::welcome; },
                                deadline_in(5s)))
        << room << ": " << client.end().describe();
  }
}

std::size_t filler_count(const std::vector<Event>& events) {
  return static_cast<std::size_t>(std::count_if(
      events.begin(), events.end(), [](const Event& e) { return e.type == EventType::msg; }));
}

// A limit broken on the read path (1009/1007/1003) must reach the client as a
// close frame with its documented code even when (a) it has more data in
// flight behind the offending message (closing the socket with input unread
// makes the kernel send a reset that can destroy the close frame), or (b) the
// relay still has output queued for it (e.g. the history replay after a join).
TEST(RelaySoak, CloseCodeSurvivesDataInFlight) {
  RelayProcess relay({"--max-message-bytes", "4096", "--rate-limit", "0"});
  ASSERT_TRUE(relay.start()) << relay.error();
  struct Case {
    const char* what;
    int code;
    std::function<bool(WsClient&)> violate;
  };
  const std::vector<Case> cases = {
      {"oversize", 1009, [](WsClient& ws) { return ws.send_text(std::string(5000, 'o')); }},
      {"binary", 1003, [](WsClient& ws) { return ws.send_binary("bin"); }},
      {"bad UTF-8", 1007, [](WsClient& ws) { return ws.send_raw_text("\xC0\xAF"); }},
  };
  for (const Case& c : cases) {
    int lost = 0;
    std::string how;
    for (int i = 0; i < 20; ++i) {
      LegacyClient client;
      ASSERT_TRUE(client.connect(relay.port(), "pipeline", "p").upgraded());
      ASSERT_TRUE(c.violate(client.ws()));
      client.ws().send_text(std::string(20000, 'e'));  // already on its way
      const Received end = client.ws().wait_closed(deadline_in(5s));
      if (end.kind != Received::Kind::close || end.close_code != c.code) {
        ++lost;
        how = end.describe();
      }
    }
    EXPECT_EQ(lost, 0) << "(a) " << c.what << " + 20 KB in flight: " << lost
                       << " of 20 clients got no close " << c.code << " (last: " << how << ")";
  }

  // (b): 250 events of history; join and, before reading the replay, send
  // a binary frame.
  LosslessClient filler;
  ASSERT_TRUE(filler.connect_and_join(relay.port(), "replay", "filler"));
  for (int i = 0; i < 250; ++i) ASSERT_TRUE(filler.send_msg(std::string(150, 'x')));
  ASSERT_TRUE(filler.collect_until(
      [](const std::vector<Event>& h) { return filler_count(h) == 250; }, deadline_in(10s)));
  int lost = 0;
  std::string how;
  for (int i = 0; i < 20; ++i) {
    LosslessClient client;
    // The welcome arrives with the first part of the replay; the rest is
    // still queued at the relay when the binary frame comes in.
    ASSERT_TRUE(client.connect_and_join(relay.port(), "replay", "late"));
    ASSERT_TRUE(client.ws().send_binary("bin"));
    const Received end = client.ws().wait_closed(deadline_in(5s));
    if (end.kind != Received::Kind::close || end.close_code != 1003) {
      ++lost;
      how = end.describe();
    }
  }
  EXPECT_EQ(lost, 0) << "(b) binary right after joining a room with 250 events of history: " << lost
                     << " of 20 clients got no close 1003 (last: " << how << ")";
}

}  // namespace
}  // namespace hubchat::test::soak
