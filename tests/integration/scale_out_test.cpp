// Several relays sharing rooms through Redis (--redis): a redis-server of the
// test's own on a free port, 2 real relay processes. One order across
// relays, resume on another relay, a relay's death (--reuse-port), Redis
// faults (a killed pub/sub connection, a silent server, a restart with and
// without persistence). Every wait is a condition with a deadline.
#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "tests/integration/redis_relays_fixture.hpp"
#include "tests/support/events.hpp"

namespace hubchat::test {
namespace {

class ScaleOutTest : public RedisRelaysTest {
 protected:
  // Acceptance 4b, with Redis silent or stopped (below).
  void traffic_through_outage(bool killed);
};

std::vector<Seq> seqs_of(const std::vector<Event>& msgs) {
  std::vector<Seq> seqs;
  for (const Event& e : msgs) seqs.push_back(e.seq);
  return seqs;
}

std::vector<std::string> bodies_of(const std::vector<Event>& msgs) {
  std::vector<std::string> bodies;
  for (const Event& e : msgs) bodies.push_back(e.body);
  return bodies;
}

bool legacy_collect(LegacyClient& c, std::size_t count, Deadline deadline) {
  while (c.history().size() < count)
    if (!c.next(deadline)) return false;
  return true;
}

// 1. Senders on both relays, both dialects: one order everywhere.
TEST_F(ScaleOutTest, OneOrderAcrossRelays) {
  ASSERT_TRUE(start_redis());
  RelayProcess* a = start_relay();
  RelayProcess* b = start_relay();
  ASSERT_TRUE(a && b);
  LosslessClient la, lb;
  ASSERT_TRUE(la.connect_and_join(a->port(), "one", "ann"));
  ASSERT_TRUE(lb.connect_and_join(b->port(), "one", "ben"));
  LegacyClient ga, gb;
  ASSERT_TRUE(ga.connect(a->port(), "one", "gus").upgraded());
  ASSERT_TRUE(gb.connect(b->port(), "one", "gil").upgraded());
  // A legacy client has no welcome: it is in once it hears the room.
  ASSERT_TRUE(la.send_msg("ready"));
  ASSERT_TRUE(ga.wait_for("ready", deadline_in(10s)));
  ASSERT_TRUE(gb.wait_for("ready", deadline_in(10s)));

  constexpr int kLossless = 100, kLegacy = 50;
  for (int i = 0; i < kLossless; ++i) {
    ASSERT_TRUE(la.send_msg("a" + std::to_string(i)));
    ASSERT_TRUE(lb.send_msg("b" + std::to_string(i)));
    if (i < kLegacy) {
      ASSERT_TRUE(ga.send("ga" + std::to_string(i)));
      ASSERT_TRUE(gb.send("gb" + std::to_string(i)));
    }
  }
  const std::size_t total = 1 + 2 * kLossless + 2 * kLegacy;
  for (LosslessClient* c : {&la, &lb})
    ASSERT_TRUE(
        c->collect_until([&](const auto&) { return c->msgs().size() >= total; }, deadline_in(20s)))
        << c->msgs().size() << " of " << total;
  ASSERT_TRUE(legacy_collect(ga, total, deadline_in(20s))) << ga.history().size();
  ASSERT_TRUE(legacy_collect(gb, total, deadline_in(20s))) << gb.history().size();
  la.drain();
  lb.drain();

  const auto ma = la.msgs(), mb = lb.msgs();
  EXPECT_EQ(ma.size(), total);
  EXPECT_EQ(mb.size(), total);
  EXPECT_EQ(seqs_of(ma), seqs_of(mb)) << "the seq lists differ between relays";
  EXPECT_EQ(check_contiguous(ma), "");
  EXPECT_EQ(bodies_of(ma), bodies_of(mb));
  // The legacy readers saw the same order (everything from "ready" on).
  const auto order = bodies_of(ma);
  EXPECT_EQ(std::set<std::string>(order.begin(), order.end()).size(), total)
      << "a message arrived twice";
  const auto from_ready = std::find(order.begin(), order.end(), "ready");
  const std::vector<std::string> expected(from_ready, order.end());
  EXPECT_EQ(std::vector<std::string>(ga.history().end() - static_cast<long>(expected.size()),
                                     ga.history().end()),
            expected);
  EXPECT_EQ(std::vector<std::string>(gb.history().end() - static_cast<long>(expected.size()),
                                     gb.history().end()),
            expected);
}

void leave(LosslessClient& c) {
  c.ws().send_close(1000);
  c.ws().wait_closed(deadline_in(5s));
}

// 2. Leave A at seq k, rejoin on B: exactly k+1..top; from a Stream that no
// longer holds k+1, `missed` with the range it lost.
TEST_F(ScaleOutTest, ResumeAcrossRelays) {
  ASSERT_TRUE(start_redis());
  RelayProcess* a = start_relay({"--history-events", "20"});
  RelayProcess* b = start_relay({"--history-events", "20"});
  ASSERT_TRUE(a && b);
  LosslessClient talker, mina;
  ASSERT_TRUE(talker.connect_and_join(b->port(), "resume", "jun"));
  auto welcome = mina.connect_and_join(a->port(), "resume", "mina", deadline_in(10s));
  ASSERT_TRUE(welcome);
  ASSERT_TRUE(post_paced(talker, "p", 5));
  ASSERT_TRUE(mina.wait_for([](const Event& e) { return e.body == "p4"; }, deadline_in(10s)));
  const Seq k = mina.msgs().back().seq;
  leave(mina);
  ASSERT_TRUE(post_paced(talker, "q", 5));
  const Seq top = talker.msgs().back().seq;

  LosslessClient again;
  auto w2 =
      again.connect_and_join(b->port(), "resume", "mina", deadline_in(10s), k, welcome->epoch);
  ASSERT_TRUE(w2);
  EXPECT_EQ(w2->epoch, welcome->epoch) << "the epoch is the room's, not a relay's";
  ASSERT_TRUE(again.collect_until([&](const auto&) { return again.msgs().size() >= top - k; },
                                  deadline_in(10s)))
      << describe(again.history());
  std::vector<Seq> want;
  for (Seq s = k + 1; s <= top; ++s) want.push_back(s);
  EXPECT_EQ(seqs_of(again.msgs()), want);
  for (const Event& e : again.history()) EXPECT_NE(e.type, EventType::missed) << describe(e);
  leave(again);

  // 30 more: k+1.. has left the 20-entry Stream. A has nobody in the room
  // now, so its cache is filled from the Stream at the join.
  ASSERT_TRUE(post_paced(talker, "r", 30));
  const Seq top2 = talker.msgs().back().seq;
  LosslessClient late;
  ASSERT_TRUE(
      late.connect_and_join(a->port(), "resume", "mina", deadline_in(10s), k, welcome->epoch));
  auto missed =
      late.wait_for([](const Event& e) { return e.type == EventType::missed; }, deadline_in(10s));
  ASSERT_TRUE(missed) << describe(late.history());
  EXPECT_EQ(missed->reason, "evicted");
  EXPECT_EQ(missed->missed_from, k + 1);
  EXPECT_EQ(missed->missed_to, top2 - 20);
  ASSERT_TRUE(
      late.collect_until([&](const auto&) { return late.msgs().size() >= 20; }, deadline_in(10s)));
  EXPECT_EQ(late.msgs().front().seq, top2 - 19);
  EXPECT_EQ(late.msgs().back().seq, top2);
  EXPECT_EQ(check_contiguous(late.msgs()), "");
}

// 3b. A relay started afresh serves the room's history from Redis.
TEST_F(ScaleOutTest, RestartedRelayServesHistoryFromRedis) {
  ASSERT_TRUE(start_redis());
  RelayProcess* a = start_relay();
  ASSERT_TRUE(a);
  std::uint64_t epoch = 0;
  {
    LosslessClient talker;
    auto w = talker.connect_and_join(a->port(), "kept", "jun");
    ASSERT_TRUE(w);
    epoch = w->epoch;
    ASSERT_TRUE(post_paced(talker, "m", 10));
  }
  a->kill_now();
  RelayProcess* a2 = start_relay();
  ASSERT_TRUE(a2);
  LosslessClient reader;
  auto w = reader.connect_and_join(a2->port(), "kept", "mina", deadline_in(10s));
  ASSERT_TRUE(w);
  EXPECT_EQ(w->epoch, epoch);
  ASSERT_TRUE(reader.collect_until([&](const auto&) { return reader.msgs().size() >= 10; },
                                   deadline_in(10s)));
  EXPECT_EQ(bodies_of(reader.msgs()).front(), "m0");
  EXPECT_EQ(bodies_of(reader.msgs()).back(), "m9");
  EXPECT_EQ(check_contiguous(reader.msgs()), "");
}

// A client with an outbox, as the hubchat clients work: every message has an
// id and stays in the outbox until its own copy (or an `ack`) comes back;
// after a reconnect it resumes from its last seq and resends the outbox.
struct Peer {
  std::string nick, key;
  std::unique_ptr<LosslessClient> client;
  std::size_t read = 0;                       // events of client->history() looked at
  std::vector<Event> seen;                    // every msg, across connections
  std::map<std::string, std::string> outbox;  // id -> body
  std::uint64_t epoch = 0;
  std::vector<std::string> problems;
  std::set<std::string> granted;  // the nicks its welcomes gave it

  bool join(std::uint16_t port, const std::string& room) {
    client = std::make_unique<LosslessClient>();
    read = 0;
    if (!client->connect(port).upgraded()) return false;
    std::optional<Seq> since;
    if (!seen.empty()) since = seen.back().seq;
    if (!client->send_event(join_event(room, nick, key, since, epoch))) return false;
    auto welcome = client->wait_for([](const Event& e) { return e.type == EventType::welcome; },
                                    deadline_in(10s));
    if (!welcome) return false;
    epoch = welcome->epoch;
    // The dead relay's members stay listed until their entries expire, so
    // the old nick may be taken: the relay grants another.
    granted.insert(welcome->nick);
    for (const auto& [id, body] : outbox)
      if (!client->send_event(msg_event(body, id))) return false;
    return true;
  }
  bool send(const std::string& body, const std::string& id) {
    outbox[id] = body;
    return client->send_event(msg_event(body, id));
  }
  // Looks at what arrived; false once the connection has ended.
  bool pump() {
    client->drain();
    const auto& h = client->history();
    for (; read < h.size(); ++read) {
      const Event& e = h[read];
      if (e.type == EventType::missed) problems.push_back("missed: " + describe(e));
      if (e.type == EventType::ack) outbox.erase(e.id);
      if (e.type != EventType::msg) continue;
      if (!seen.empty() && e.seq != seen.back().seq + 1)
        problems.push_back("seq " + std::to_string(e.seq) + " after " +
                           std::to_string(seen.back().seq));
      seen.push_back(e);
      if (granted.count(e.from)) outbox.erase(e.id);
    }
    return client->end().kind == Received::Kind::timeout;
  }
};

// 3a. Two relays share one port (--reuse-port); SIGKILL one while its
// clients chat: they reconnect (to the other), resume with no loss or
// duplicate, and resend their outbox once.
TEST_F(ScaleOutTest, RelayDeathWithReusePort) {
  ASSERT_TRUE(start_redis());
  RelayProcess* a = start_relay({"--reuse-port"});
  ASSERT_TRUE(a);
  const std::uint16_t port = a->port();
  std::vector<Peer> peers(6);
  for (std::size_t i = 0; i < peers.size(); ++i) {
    peers[i].nick = "p" + std::to_string(i);
    peers[i].key = "key-" + std::to_string(i);
  }
  // The first three surely on A; the others wherever the kernel puts them.
  for (std::size_t i = 0; i < 3; ++i) ASSERT_TRUE(peers[i].join(port, "shared"));
  RelayProcess* b = start_relay({"--reuse-port"}, port);
  ASSERT_TRUE(b);
  for (std::size_t i = 3; i < peers.size(); ++i) ASSERT_TRUE(peers[i].join(port, "shared"));

  constexpr int kEach = 20;
  for (int n = 0; n < kEach / 2; ++n)
    for (Peer& p : peers) ASSERT_TRUE(p.send(p.nick + "-" + std::to_string(n), std::to_string(n)));
  a->kill_now();
  for (int n = kEach / 2; n < kEach; ++n) {
    for (Peer& p : peers) {
      // A dead connection reconnects (only B is left on the port) first.
      if (!p.pump() || !p.send(p.nick + "-" + std::to_string(n), std::to_string(n))) {
        p.pump();
        ASSERT_TRUE(p.join(port, "shared")) << p.nick << " could not rejoin";
        ASSERT_TRUE(p.send(p.nick + "-" + std::to_string(n), std::to_string(n)));
      }
    }
  }
  const std::size_t total = peers.size() * kEach;
  const Deadline deadline = deadline_in(30s);
  for (Peer& p : peers) {
    while (p.seen.size() < total || !p.outbox.empty()) {
      if (Clock::now() > deadline) break;
      if (!p.pump()) {
        ASSERT_TRUE(p.join(port, "shared")) << p.nick << " could not rejoin";
        continue;
      }
      p.client->collect_until([&](const auto& h) { return h.size() > p.read; }, deadline_in(200ms));
    }
    EXPECT_EQ(p.seen.size(), total) << p.nick;
    EXPECT_TRUE(p.outbox.empty()) << p.nick << ": " << p.outbox.size() << " never acknowledged";
    EXPECT_TRUE(p.problems.empty()) << p.nick << ": " << p.problems.front();
    std::multiset<std::string> bodies;
    for (const Event& e : p.seen) bodies.insert(e.body);
    for (const Peer& q : peers)
      for (int n = 0; n < kEach; ++n)
        EXPECT_EQ(bodies.count(q.nick + "-" + std::to_string(n)), 1u)
            << p.nick << " saw " << q.nick << "-" << n << " not exactly once";
  }
}

// 4a. The pub/sub connections killed during a burst of 1,000 messages: no
// loss, duplicate or reorder anywhere (the Stream fills the gap).
TEST_F(ScaleOutTest, PubsubKilledDuringABurst) {
  ASSERT_TRUE(start_redis());
  RelayProcess* a = start_relay();
  RelayProcess* b = start_relay();
  ASSERT_TRUE(a && b);
  LosslessClient la, lb;
  ASSERT_TRUE(la.connect_and_join(a->port(), "burst", "ann"));
  ASSERT_TRUE(lb.connect_and_join(b->port(), "burst", "ben"));
  constexpr int kEach = 500;
  for (int i = 0; i < kEach; ++i) {
    ASSERT_TRUE(la.send_msg("a" + std::to_string(i)));
    ASSERT_TRUE(lb.send_msg("b" + std::to_string(i)));
    if (i == 100 || i == 300) {
      // Both relays' subscribers (the second time: once they are back).
      std::string killed;
      const Deadline deadline = deadline_in(10s);
      while ((killed = redis_->command({"CLIENT", "KILL", "TYPE", "pubsub"})) == "0" &&
             Clock::now() < deadline)
        la.drain(), lb.drain(), std::this_thread::sleep_for(20ms);
      EXPECT_NE(killed, "0") << "no pub/sub connection to kill";
    }
    if (i % 50 == 0) la.drain(), lb.drain();
  }
  for (LosslessClient* c : {&la, &lb})
    ASSERT_TRUE(c->collect_until([&](const auto&) { return c->msgs().size() >= 2 * kEach; },
                                 deadline_in(30s)))
        << c->msgs().size();
  la.drain();
  lb.drain();
  EXPECT_EQ(la.msgs().size(), 2u * kEach);
  EXPECT_EQ(lb.msgs().size(), 2u * kEach);
  EXPECT_EQ(check_contiguous(la.msgs()), "");
  EXPECT_EQ(seqs_of(la.msgs()), seqs_of(lb.msgs()));
  EXPECT_EQ(bodies_of(la.msgs()), bodies_of(lb.msgs()));
}

// 4b. Redis out for 5 s during traffic, silent (SIGSTOP) or stopped (killed,
// restarted from its AOF): sends get the `unavailable` error, connections
// stay up, and every acknowledged message reaches every client once Redis is
// back.
void ScaleOutTest::traffic_through_outage(bool killed) {
  ASSERT_TRUE(killed ? start_redis({"--appendonly", "yes", "--appendfsync", "always"})
                     : start_redis());
  RelayProcess* a = start_relay();
  RelayProcess* b = start_relay();
  ASSERT_TRUE(a && b);
  Peer sender;
  sender.nick = "ann";
  sender.key = "key-ann";
  ASSERT_TRUE(sender.join(a->port(), "quiet"));
  LosslessClient reader;
  ASSERT_TRUE(reader.connect_and_join(b->port(), "quiet", "ben"));

  const auto started = Clock::now();
  bool out = false, back = false;
  for (int i = 0; Clock::now() - started < 12s; ++i) {
    if (!out && Clock::now() - started > 1s) {
      out = true;
      killed ? redis_->kill_now() : redis_->pause(true);
    }
    if (!back && Clock::now() - started > 6s) {
      back = true;
      if (killed)
        ASSERT_TRUE(redis_->start()) << redis_->error();
      else
        redis_->pause(false);
    }
    ASSERT_TRUE(sender.send("m" + std::to_string(i), std::to_string(i)));
    sender.client->collect_until([](const auto&) { return false; }, deadline_in(50ms));
    ASSERT_TRUE(sender.pump()) << "the connection must stay up";
  }
  std::size_t errors = 0;
  for (const Event& e : sender.client->history())
    if (e.type == EventType::error && e.code == "unavailable") ++errors;
  EXPECT_GT(errors, 0u) << "no send was refused while Redis was out";
  // What was acknowledged (its own copy came back) reaches the reader once.
  ASSERT_TRUE(sender.send("last", "last"));
  ASSERT_TRUE(
      sender.client->wait_for([](const Event& e) { return e.body == "last"; }, deadline_in(15s)));
  sender.pump();
  ASSERT_TRUE(
      reader.collect_until([](const auto& h) { return has_msg_body(h, "last"); }, deadline_in(15s)))
      << reader.end().describe();
  EXPECT_EQ(check_contiguous(reader.msgs()), "");
  std::multiset<std::string> got;
  for (const Event& e : reader.msgs()) got.insert(e.body);
  for (const Event& e : sender.seen) EXPECT_EQ(got.count(e.body), 1u) << e.body;
  EXPECT_EQ(reader.msgs().size(), sender.seen.size());
  EXPECT_TRUE(sender.problems.empty()) << sender.problems.front();
}

TEST_F(ScaleOutTest, SilentRedisGivesErrorsThenRecovers) {
  traffic_through_outage(false);
}

TEST_F(ScaleOutTest, StoppedRedisGivesErrorsThenRecovers) {
  traffic_through_outage(true);
}

// 4c. Redis restarted without persistence: the room's history is gone,
// which clients learn as `missed` (reason "restart"); with AOF
// (appendfsync always) a restart changes nothing a client can see.
TEST_F(ScaleOutTest, RedisRestartWithoutPersistenceIsMissed) {
  ASSERT_TRUE(start_redis());
  RelayProcess* a = start_relay();
  ASSERT_TRUE(a);
  LosslessClient talker, stayer;
  auto welcome = talker.connect_and_join(a->port(), "lost", "jun");
  ASSERT_TRUE(welcome);
  ASSERT_TRUE(stayer.connect_and_join(a->port(), "lost", "mina"));
  ASSERT_TRUE(post_paced(talker, "m", 3));
  const Seq k = talker.msgs().back().seq;
  leave(talker);

  redis_->kill_now();
  ASSERT_TRUE(redis_->start());
  // The connected client's history is void: it is closed 1012 and rejoins.
  const Received end = stayer.ws().wait_closed(deadline_in(15s));
  EXPECT_EQ(end.close_code, 1012) << end.describe();
  LosslessClient again;
  auto w2 = again.connect_and_join(a->port(), "lost", "jun", deadline_in(15s), k, welcome->epoch);
  ASSERT_TRUE(w2);
  EXPECT_NE(w2->epoch, welcome->epoch);
  auto missed =
      again.wait_for([](const Event& e) { return e.type == EventType::missed; }, deadline_in(5s));
  ASSERT_TRUE(missed) << describe(again.history());
  EXPECT_EQ(missed->reason, "restart");
}

TEST_F(ScaleOutTest, RedisRestartWithAofChangesNothing) {
  ASSERT_TRUE(start_redis({"--appendonly", "yes", "--appendfsync", "always"}));
  RelayProcess* a = start_relay();
  ASSERT_TRUE(a);
  LosslessClient talker, stayer;
  auto welcome = talker.connect_and_join(a->port(), "kept", "jun");
  ASSERT_TRUE(welcome);
  ASSERT_TRUE(stayer.connect_and_join(a->port(), "kept", "mina"));
  ASSERT_TRUE(post_paced(talker, "m", 3));
  const Seq k = talker.msgs().back().seq;
  leave(talker);

  redis_->kill_now();
  ASSERT_TRUE(redis_->start());
  LosslessClient again;
  auto w2 = again.connect_and_join(a->port(), "kept", "jun", deadline_in(15s), k, welcome->epoch);
  ASSERT_TRUE(w2);
  EXPECT_EQ(w2->epoch, welcome->epoch);
  // Posting goes on where it was, and the client that stayed sees it in order.
  std::optional<Event> echo;
  for (int attempt = 0; attempt < 50 && !echo; ++attempt) {
    ASSERT_TRUE(again.send_msg("after"));
    echo = again.wait_for(
        [](const Event& e) {
          return (e.type == EventType::msg && e.body == "after") ||
                 (e.type == EventType::error && e.code == "unavailable");
        },
        deadline_in(5s));
    if (echo && echo->type == EventType::error) echo.reset(), std::this_thread::sleep_for(100ms);
  }
  ASSERT_TRUE(echo);
  EXPECT_EQ(echo->seq, k + 1);
  ASSERT_TRUE(stayer.collect_until([](const auto& h) { return has_msg_body(h, "after"); },
                                   deadline_in(10s)))
      << stayer.end().describe();
  EXPECT_EQ(check_contiguous(stayer.msgs()), "");
  for (const Event& e : again.history()) EXPECT_NE(e.type, EventType::missed) << describe(e);
  for (const Event& e : stayer.history()) EXPECT_NE(e.type, EventType::missed) << describe(e);
}

// The room's member list as the relay gives it (a `members` request).
std::vector<std::string> members_of(LosslessClient& c) {
  Event request;
  request.type = EventType::members;
  if (!c.send_event(request)) return {"(send failed)"};
  auto page =
      c.wait_for([](const Event& e) { return e.type == EventType::members; }, deadline_in(5s));
  return page ? page->members : std::vector<std::string>{"(no reply)"};
}

// Asks until `pred(members)` holds or the deadline passes.
bool members_until(LosslessClient& c,
                   const std::function<bool(const std::vector<std::string>&)>& pred,
                   Deadline deadline, std::vector<std::string>& last) {
  for (;;) {
    last = members_of(c);
    if (pred(last)) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(100ms);  // the member list has no push channel to wait on
  }
}

bool lists(const std::vector<std::string>& members, const std::string& nick) {
  return std::find(members.begin(), members.end(), nick) != members.end();
}

// 5. Presence spans relays; a SIGKILLed relay's members are gone within
// 4/3 of --presence-ttl (its entries are no longer refreshed).
TEST_F(ScaleOutTest, PresenceSpansRelaysAndExpires) {
  ASSERT_TRUE(start_redis());
  RelayProcess* a = start_relay({"--presence-ttl", "3", "--presence-interval", "0"});
  RelayProcess* b = start_relay({"--presence-ttl", "3", "--presence-interval", "0"});
  ASSERT_TRUE(a && b);
  LosslessClient ann, amy, ben;
  ASSERT_TRUE(ann.connect_and_join(a->port(), "pres", "ann"));
  ASSERT_TRUE(amy.connect_and_join(a->port(), "pres", "amy"));
  ASSERT_TRUE(ben.connect_and_join(b->port(), "pres", "ben"));
  std::vector<std::string> seen;
  const auto everyone = [](const std::vector<std::string>& m) {
    return lists(m, "ann") && lists(m, "amy") && lists(m, "ben");
  };
  EXPECT_TRUE(members_until(ben, everyone, deadline_in(10s), seen)) << seen.size();
  EXPECT_TRUE(members_until(ann, everyone, deadline_in(10s), seen)) << seen.size();
  // A nick taken on another relay is taken here too.
  LosslessClient other;
  auto w = other.connect_and_join(b->port(), "pres", "ann");
  ASSERT_TRUE(w);
  EXPECT_NE(w->nick, "ann");
  other.ws().send_close(1000);
  other.ws().wait_closed(deadline_in(5s));

  const auto killed_at = Clock::now();
  a->kill_now();
  const auto only_ben = [](const std::vector<std::string>& m) {
    return !lists(m, "ann") && !lists(m, "amy") && lists(m, "ben");
  };
  ASSERT_TRUE(members_until(ben, only_ben, deadline_in(15s), seen));
  const auto took = Clock::now() - killed_at;
  EXPECT_LE(took, 3s * 4 / 3 + 1500ms) << "the dead relay's members stayed too long";
  // Ben heard them leave.
  std::set<std::string> left;
  for (const Event& e : ben.history())
    if (e.type == EventType::leave) left.insert(e.nick);
  EXPECT_TRUE(left.count("ann") && left.count("amy"));
}

}  // namespace
}  // namespace hubchat::test
