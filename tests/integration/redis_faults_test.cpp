// Issue 15's defects 1-9, one test each (defect 4 also has unit tests in
// tests/unit/client/outbox_test.cpp): real redis-server and real relays
// (--redis), faults injected by PID and by Redis's CLIENT KILL. A relay is
// SIGSTOPped while its connections are killed so that "the outage" has a
// known extent (it cannot reconnect before the test has posted). Each test
// says how the code before the fix (ce54d65) failed it.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "client/model/chat_model.hpp"
#include "tests/integration/redis_relays_fixture.hpp"
#include "tests/support/events.hpp"

namespace hubchat::test {
namespace {

class RedisFaultsTest : public RedisRelaysTest {
 protected:
  void TearDown() override {
    for (const auto& relay : relays_)
      if (relay->pid() > 0) ::kill(relay->pid(), SIGCONT);  // never leave one stopped
    RedisRelaysTest::TearDown();
  }

  // Redis client ids of `relay`'s connections, split by kind (pub/sub or
  // commands), from CLIENT LIST matched against the relay's local ports.
  struct RelayClients {
    std::vector<std::string> pubsub, command;
  };
  RelayClients clients_of(const RelayProcess& relay) {
    RelayClients out;
    const auto ports = local_ports_connected_to(relay.pid(), redis_->port());
    std::istringstream lines(redis_->command({"CLIENT", "LIST"}));
    for (std::string line; std::getline(lines, line);) {
      std::map<std::string, std::string> f;
      std::istringstream words(line);
      for (std::string w; words >> w;)
        if (const auto eq = w.find('='); eq != std::string::npos)
          f[w.substr(0, eq)] = w.substr(eq + 1);
      const std::string& addr = f["addr"];
      const auto colon = addr.rfind(':');
      if (colon == std::string::npos) continue;
      const auto port = static_cast<std::uint16_t>(std::stoul(addr.substr(colon + 1)));
      if (std::find(ports.begin(), ports.end(), port) == ports.end()) continue;
      const bool pubsub =
          f["sub"] != "0" || f["psub"] != "0" || f["flags"].find('P') != std::string::npos;
      (pubsub ? out.pubsub : out.command).push_back(f["id"]);
    }
    return out;
  }
  void kill_ids(const std::vector<std::string>& ids) {
    for (const std::string& id : ids) redis_->command({"CLIENT", "KILL", "ID", id});
  }
};

// Stops a relay for the scope (SIGSTOP/SIGCONT): its sockets stay open but
// it reads nothing, so a killed connection is noticed only when it resumes.
class Stopped {
 public:
  explicit Stopped(const RelayProcess& relay) : pid_(relay.pid()) { ::kill(pid_, SIGSTOP); }
  ~Stopped() { ::kill(pid_, SIGCONT); }
  Stopped(const Stopped&) = delete;
  Stopped& operator=(const Stopped&) = delete;

 private:
  pid_t pid_;
};

// Joins `room` as `nick` with sender key `key`; the welcome, or nullopt.
std::optional<Event> join_keyed(LosslessClient& c, std::uint16_t port, const std::string& room,
                                const std::string& nick, const std::string& key,
                                std::optional<Seq> since = std::nullopt, std::uint64_t epoch = 0) {
  if (!c.connect(port).upgraded()) return std::nullopt;
  if (!c.send_event(join_event(room, nick, key, since, epoch))) return std::nullopt;
  return c.wait_for([](const Event& e) { return e.type == EventType::welcome; }, deadline_in(10s));
}

// Sends `body` with `id` and waits for the relay's ack of it.
std::optional<Event> post_acked(LosslessClient& c, const std::string& body, const std::string& id) {
  if (!c.send_event(msg_event(body, id))) return std::nullopt;
  return c.wait_for([&](const Event& e) { return e.type == EventType::ack && e.id == id; },
                    deadline_in(10s));
}

bool has_body(const LosslessClient& c, const std::string& body) {
  return has_msg_body(c.history(), body);
}

// Every (epoch, seq) any client was shown, with the body it carried: one
// body per (epoch, seq), or the seq a client saw names two messages.
class SeqWitness {
 public:
  // The messages of one connection, whose welcome said `epoch`.
  void note(const std::string& who, std::uint64_t epoch, const LosslessClient& c) {
    for (const Event& e : c.msgs()) {
      const auto [it, fresh] = bodies_.emplace(std::make_pair(epoch, e.seq), e.body);
      if (!fresh && it->second != e.body)
        conflicts_.push_back(who + ": epoch " + std::to_string(epoch) + " seq " +
                             std::to_string(e.seq) + " is '" + e.body + "' and '" + it->second +
                             "'");
    }
  }
  const std::vector<std::string>& conflicts() const { return conflicts_; }

 private:
  std::map<std::pair<std::uint64_t, Seq>, std::string> bodies_;
  std::vector<std::string> conflicts_;
};

// Defect 1. Redis restarts from an older RDB snapshot (the room at seq 6,
// the snapshot at 3). Before: same epoch, new messages became seqs 4 and 5
// again, the reader on A heard nothing, and a client resuming on B with
// since=6 got a plain welcome: the witness saw two bodies for seq 4.
TEST_F(RedisFaultsTest, RollbackToAnOlderSnapshotIsToldAndForksNoSeq) {
  ASSERT_TRUE(start_redis());  // RDB only by SAVE below, loaded at start
  RelayProcess* a = start_relay();
  RelayProcess* b = start_relay();
  ASSERT_TRUE(a && b);
  LosslessClient writer, reader;
  const auto w0 = writer.connect_and_join(a->port(), "snap", "wes");
  ASSERT_TRUE(w0);
  const auto r0 = reader.connect_and_join(a->port(), "snap", "rae");
  ASSERT_TRUE(r0);
  ASSERT_TRUE(post_paced(writer, "old", 3));
  ASSERT_EQ(redis_->command({"SAVE"}), "OK");
  ASSERT_TRUE(post_paced(writer, "lost", 3));
  ASSERT_TRUE(reader.collect_until([](const auto& h) { return has_msg_body(h, "lost2"); },
                                   deadline_in(10s)));
  const Seq top = writer.msgs().back().seq;
  ASSERT_EQ(top, 6u);

  // As SHUTDOWN NOSAVE: the process ends without writing; start() loads dump.rdb.
  redis_->kill_now();
  ASSERT_TRUE(redis_->start()) << redis_->error();
  ASSERT_EQ(redis_->command({"DBSIZE"}) == "0", false) << "the snapshot was not loaded";

  // The reader on A is told: its view of the room is void (1012), or it
  // gets a `missed` reset in the same connection.
  const auto told = [](const Event& e) {
    return e.type == EventType::missed && e.reason == "restart";
  };
  const bool reset_in_place = reader.wait_for(told, deadline_in(15s)).has_value();
  if (!reset_in_place) {
    EXPECT_EQ(reader.end().close_code, 1012)
        << "the reader on A was not told: " << reader.end().describe() << " "
        << describe(reader.history());
  }

  SeqWitness witness;
  witness.note("writer", w0->epoch, writer);
  witness.note("reader", r0->epoch, reader);

  // The writer comes back (resuming where it was) and posts two more.
  LosslessClient writer2;
  const auto w1 =
      writer2.connect_and_join(a->port(), "snap", "wes", deadline_in(15s), top, w0->epoch);
  ASSERT_TRUE(w1);
  ASSERT_TRUE(post_paced(writer2, "new", 2)) << describe(writer2.history());

  // A client resuming on B from seq 6 of the old epoch.
  LosslessClient resumer;
  const auto rb =
      resumer.connect_and_join(b->port(), "snap", "ros", deadline_in(15s), top, w0->epoch);
  ASSERT_TRUE(rb);
  ASSERT_TRUE(resumer.collect_until([](const auto& h) { return has_msg_body(h, "new1"); },
                                    deadline_in(10s)))
      << describe(resumer.history());
  const bool resumer_told = rb->epoch != w0->epoch ||
                            std::any_of(resumer.history().begin(), resumer.history().end(),
                                        [](const Event& e) { return e.type == EventType::missed; });
  EXPECT_TRUE(resumer_told) << "resuming at seq " << top
                            << " of the old epoch after a rollback gave no sign of it: "
                            << describe(resumer.history());
  witness.note("writer2", w1->epoch, writer2);
  witness.note("resumer", rb->epoch, resumer);
  EXPECT_TRUE(witness.conflicts().empty()) << witness.conflicts().front();
}

// Defect 2. A catch-up past the Stream's trim: A's subscriber is gone while
// B posts 10 into a 5-entry Stream. Before: the reader on A jumped from 2 to
// 8 with no `missed`.
TEST_F(RedisFaultsTest, CatchUpPastTheTrimIsMissedThenInOrder) {
  ASSERT_TRUE(start_redis());
  RelayProcess* a = start_relay({"--history-events", "5"});
  RelayProcess* b = start_relay({"--history-events", "5"});
  ASSERT_TRUE(a && b);
  LosslessClient reader, talker;
  ASSERT_TRUE(reader.connect_and_join(a->port(), "trim", "rae"));
  ASSERT_TRUE(talker.connect_and_join(b->port(), "trim", "tom"));
  ASSERT_TRUE(post_paced(talker, "p", 2));
  ASSERT_TRUE(
      reader.collect_until([](const auto& h) { return has_msg_body(h, "p1"); }, deadline_in(10s)));
  {
    Stopped stopped(*a);
    const auto ids = clients_of(*a);
    ASSERT_FALSE(ids.pubsub.empty()) << "relay A has no subscriber";
    kill_ids(ids.pubsub);
    ASSERT_TRUE(post_paced(talker, "q", 10));  // seqs 3..12; the Stream keeps 8..12
  }
  ASSERT_TRUE(
      reader.collect_until([](const auto& h) { return has_msg_body(h, "q9"); }, deadline_in(15s)))
      << describe(reader.history());
  std::set<Seq> covered;
  for (const Event& e : reader.history()) {
    if (e.type == EventType::missed)
      for (Seq s = e.missed_from; s <= e.missed_to; ++s) covered.insert(s);
    if (e.type == EventType::msg) covered.insert(e.seq);
  }
  for (Seq s = 1; s <= 12; ++s)
    EXPECT_TRUE(covered.count(s)) << "seq " << s << " neither arrived nor was reported missed: "
                                  << describe(reader.history(), 40);
  std::vector<Seq> seqs;
  for (const Event& e : reader.msgs()) seqs.push_back(e.seq);
  EXPECT_TRUE(std::is_sorted(seqs.begin(), seqs.end())) << describe(reader.history(), 40);
  EXPECT_EQ(std::set<Seq>(seqs.begin(), seqs.end()).size(), seqs.size()) << "a duplicate";
}

// Defect 3. A's subscriber is killed, two messages are posted, and A's
// catch-up read then fails once: the room's meta key is swapped for a string
// (WRONGTYPE) until Redis has answered that read with the error, then put
// back. In a quiet room nothing else shows the gap, so only a retry brings
// the two. Before (ce54d65): the failed read was never retried and the reader
// never got them. (Killing A's command connection as well did not reproduce
// it there: A happened to reconnect its command connection first.)
TEST_F(RedisFaultsTest, AFailedCatchUpReadIsRetriedInAQuietRoom) {
  ASSERT_TRUE(start_redis());
  RelayProcess* a = start_relay();
  RelayProcess* b = start_relay();
  ASSERT_TRUE(a && b);
  LosslessClient reader, talker;
  ASSERT_TRUE(reader.connect_and_join(a->port(), "quiet", "rae"));
  ASSERT_TRUE(talker.connect_and_join(b->port(), "quiet", "tom"));
  ASSERT_TRUE(post_paced(talker, "before", 1));
  ASSERT_TRUE(reader.collect_until([](const auto& h) { return has_msg_body(h, "before0"); },
                                   deadline_in(10s)));
  const std::string meta = redis_->command({"KEYS", "test:*:meta"});
  ASSERT_FALSE(meta.empty());
  ASSERT_EQ(meta.find('\n'), std::string::npos) << "one room, one meta key: " << meta;
  const auto wrongtype_errors = [&] {
    const std::string info = redis_->command({"INFO", "errorstats"});
    const std::string field = "errorstat_WRONGTYPE:count=";
    const auto at = info.find(field);
    return at == std::string::npos ? 0 : std::stoi(info.substr(at + field.size()));
  };
  {
    Stopped stopped(*a);
    const auto ids = clients_of(*a);
    ASSERT_FALSE(ids.pubsub.empty());
    kill_ids(ids.pubsub);
    ASSERT_TRUE(post_paced(talker, "gap", 2));
    ASSERT_EQ(redis_->command({"RENAME", meta, "test:kept-meta"}), "OK");
    ASSERT_EQ(redis_->command({"SET", meta, "not a hash"}), "OK");
  }
  // A resumes, resubscribes and reads: that read fails.
  const Deadline failed_by = deadline_in(10s);
  while (wrongtype_errors() == 0 && Clock::now() < failed_by)
    std::this_thread::sleep_for(10ms);  // Redis has no push for its error counters
  ASSERT_GT(wrongtype_errors(), 0) << "A's catch-up read never ran";
  ASSERT_EQ(redis_->command({"DEL", meta}), "1");
  ASSERT_EQ(redis_->command({"RENAME", "test:kept-meta", meta}), "OK");
  // Nothing more is posted: only a retry brings them.
  ASSERT_TRUE(
      reader.collect_until([](const auto& h) { return has_msg_body(h, "gap1"); }, deadline_in(15s)))
      << describe(reader.history());
  EXPECT_TRUE(has_body(reader, "gap0"));
  EXPECT_EQ(check_contiguous(reader.msgs()), "");
}

// Defect 4, across relays: another member's message with my id neither
// acks me nor keeps mine from being posted. Before: clients cleared the
// outbox on any msg with the id, and the relay sent no ack for a first post.
TEST_F(RedisFaultsTest, AnotherMembersIdDoesNotAcknowledgeMine) {
  ASSERT_TRUE(start_redis());
  RelayProcess* a = start_relay();
  RelayProcess* b = start_relay();
  ASSERT_TRUE(a && b);
  LosslessClient mina, eve;
  ASSERT_TRUE(join_keyed(mina, a->port(), "ids", "mina", "key-of-mina"));
  ASSERT_TRUE(join_keyed(eve, b->port(), "ids", "eve", "key-of-eve"));

  // Mina's client holds "hello" under id "m-1" and has not sent it yet.
  client::ChatModel model;
  model.apply(*mina.history().begin());  // the welcome
  model.queue_outgoing("ids", "m-1", "hello");

  ASSERT_TRUE(post_acked(eve, "not hers", "m-1"));
  ASSERT_TRUE(mina.collect_until([](const auto& h) { return has_msg_body(h, "not hers"); },
                                 deadline_in(10s)));
  for (const Event& e : mina.history()) {
    EXPECT_NE(e.type, EventType::ack) << "an ack for someone else's message: " << describe(e);
    if (e.type != EventType::welcome) model.apply(e);
  }
  ASSERT_EQ(model.find_room("ids")->outbox().size(), 1u) << "eve's m-1 cleared mina's";

  // Mina's own m-1 is posted (another key) and acknowledged to her alone.
  mina.clear_history();
  const auto ack = post_acked(mina, "hello", "m-1");
  ASSERT_TRUE(ack) << describe(mina.history());
  EXPECT_EQ(ack->room, "ids");
  ASSERT_TRUE(
      mina.collect_until([](const auto& h) { return has_msg_body(h, "hello"); }, deadline_in(10s)));
  for (const Event& e : mina.history()) model.apply(e);
  EXPECT_TRUE(model.find_room("ids")->outbox().empty());
  ASSERT_TRUE(
      eve.collect_until([](const auto& h) { return has_msg_body(h, "hello"); }, deadline_in(10s)));
  for (const Event& e : eve.history())
    EXPECT_FALSE(e.type == EventType::ack && e.seq == ack->seq) << "eve got mina's ack";
}

// Defect 5. Room "x" with key "a}:sent:b" and room "x}:sent:a" with key "b",
// one id: before, both mapped to the Redis key test:{x}:sent:a}:sent:b\n1,
// and the second was not posted (its ack named the first room's seq).
TEST_F(RedisFaultsTest, DedupeKeysOfDifferentRoomsCannotCollide) {
  ASSERT_TRUE(start_redis());
  RelayProcess* a = start_relay();
  ASSERT_TRUE(a);
  LosslessClient one, two, watcher;
  ASSERT_TRUE(join_keyed(one, a->port(), "x", "one", "a}:sent:b"));
  ASSERT_TRUE(join_keyed(two, a->port(), "x}:sent:a", "two", "b"));
  ASSERT_TRUE(watcher.connect_and_join(a->port(), "x}:sent:a", "wat"));
  ASSERT_TRUE(one.send_event(msg_event("in x", "1")));
  ASSERT_TRUE(
      one.collect_until([](const auto& h) { return has_msg_body(h, "in x"); }, deadline_in(10s)));
  ASSERT_TRUE(two.send_event(msg_event("in the other", "1")));
  EXPECT_TRUE(watcher.collect_until([](const auto& h) { return has_msg_body(h, "in the other"); },
                                    deadline_in(10s)))
      << "the second room's message was not posted: " << describe(two.history());
  EXPECT_TRUE(two.collect_until([](const auto& h) { return has_msg_body(h, "in the other"); },
                                deadline_in(10s)));
  // Whatever acks came name each sender's own room.
  for (const Event& e : one.history())
    EXPECT_FALSE(e.type == EventType::ack && e.room != "x") << describe(e);
  for (const Event& e : two.history())
    EXPECT_FALSE(e.type == EventType::ack && e.room != "x}:sent:a") << describe(e);
}

// Defect 6. A join alone leaves no key without a TTL. Before: fetch.lua
// wrote the room's epoch with no expiry.
TEST_F(RedisFaultsTest, AJoinAloneLeavesNoPermanentKey) {
  ASSERT_TRUE(start_redis());
  RelayProcess* a = start_relay();
  ASSERT_TRUE(a);
  LosslessClient c;
  ASSERT_TRUE(c.connect_and_join(a->port(), "fresh-room", "jo"));
  // "fresh-room" in hex, as the keys' hash tag spells it.
  const std::string tag = "{66726573682d726f6f6d}";
  std::istringstream keys(redis_->command({"KEYS", "test:*"}));
  int found = 0;
  for (std::string key; std::getline(keys, key);) {
    if (key.find(tag) == std::string::npos && key.find("fresh-room") == std::string::npos) continue;
    ++found;
    EXPECT_NE(redis_->command({"TTL", key}), "-1") << key << " has no TTL after a join alone";
  }
  // The join did write something (the epoch); else there is nothing to check.
  EXPECT_GT(found, 0) << redis_->command({"KEYS", "*"});
}

// Defect 7. 2,000 rooms with one member each on A; A's subscriber is killed
// and one message posted into every room before A notices: every room is
// whole afterwards, within the bound. Before (ce54d65) the rooms came back
// too (2,000 is not enough to hurt a local Redis), but every read and post
// shipped the script's full text with EVAL: that is what fails there.
TEST_F(RedisFaultsTest, ResubscribingManyRoomsLeavesEveryRoomWhole) {
  constexpr int kRooms = 2000;
  ASSERT_TRUE(start_redis());
  RelayProcess* a = start_relay({"--max-connections-per-ip", "10000"});
  RelayProcess* b = start_relay({"--max-connections-per-ip", "10000"});
  ASSERT_TRUE(a && b);
  const auto started = Clock::now();
  std::vector<std::unique_ptr<LosslessClient>> members;
  for (int i = 0; i < kRooms; ++i) {
    members.push_back(std::make_unique<LosslessClient>());
    ASSERT_TRUE(members.back()->connect(a->port()).upgraded()) << i;
    ASSERT_TRUE(members.back()->send_join("many-" + std::to_string(i), "m"));
  }
  for (int i = 0; i < kRooms; ++i)
    ASSERT_TRUE(members[i]->wait_for([](const Event& e) { return e.type == EventType::welcome; },
                                     deadline_in(20s)))
        << i;
  LosslessClient poster;
  ASSERT_TRUE(poster.connect(b->port()).upgraded());
  ASSERT_EQ(redis_->command({"CONFIG", "RESETSTAT"}), "OK");  // count from here
  {
    Stopped stopped(*a);
    const auto ids = clients_of(*a);
    ASSERT_FALSE(ids.pubsub.empty());
    kill_ids(ids.pubsub);
    for (int i = 0; i < kRooms; ++i) {
      ASSERT_TRUE(poster.send_event(join_event("many-" + std::to_string(i), "poster", "kp")));
      const std::string id = std::to_string(i);
      ASSERT_TRUE(poster.send_event(msg_event("in " + id, id)));
      // Every 100th (and the last) is waited for before the switch: what is
      // in flight (and the request budget) stays bounded, and the last echo
      // means all were posted (one connection: its posts run in order).
      if (i % 100 == 99 || i == kRooms - 1) {
        const std::string body = "in " + id;
        ASSERT_TRUE(
            poster.wait_for([&](const Event& e) { return e.body == body; }, deadline_in(10s)))
            << describe(poster.history());
      }
    }
  }
  int whole = 0;
  const Deadline deadline = deadline_in(40s);
  for (int i = 0; i < kRooms; ++i) {
    const std::string body = "in " + std::to_string(i);
    if (members[i]->collect_until([&](const auto& h) { return has_msg_body(h, body); }, deadline))
      ++whole;
  }
  EXPECT_EQ(whole, kRooms) << "rooms that did not get their message after the resubscribe";
  EXPECT_LT(Clock::now() - started, 60s);
  // The scripts went by SHA: the 2,000 catch-up reads and 2,000 posts did not
  // each ship the script's text (EVAL only as the NOSCRIPT fallback).
  const std::string stats = redis_->command({"INFO", "commandstats"});
  const auto calls_of = [&](const std::string& command) {
    const std::string field = "cmdstat_" + command + ":calls=";
    const auto at = stats.find(field);
    return at == std::string::npos ? 0L : std::stol(stats.substr(at + field.size()));
  };
  EXPECT_LE(calls_of("eval"), 8) << stats;
  EXPECT_GE(calls_of("evalsha"), 2 * kRooms) << stats;
}

// libfaketime from Debian's faketime package ("" if not installed). Preloaded
// directly: the faketime command forks, so the PID the test holds would not
// be the relay's.
std::string libfaketime() {
  std::error_code ec;
  for (const auto& dir : std::filesystem::directory_iterator("/usr/lib", ec)) {
    const auto lib = dir.path() / "faketime" / "libfaketime.so.1";
    if (std::filesystem::exists(lib, ec)) return lib.string();
  }
  return {};
}

// A script that runs the relay with its wall clock moved by `offset` (e.g.
// "+1h"), for HUBCHAT_RELAY; deleted when this goes out of scope.
class ShiftedClockRelay {
 public:
  explicit ShiftedClockRelay(const std::string& offset)
      : path_(::testing::TempDir() + "relay-clock-" + std::to_string(::getpid()) + ".sh") {
    std::ofstream out(path_);
    // Only the wall clock moves: the relay's timers run on the monotonic one.
    out << "#!/bin/sh\nexport LD_PRELOAD='" << libfaketime() << "' FAKETIME='" << offset
        << "' FAKETIME_DONT_FAKE_MONOTONIC=1\nexec '" << relay_binary() << "' \"$@\"\n";
    out.close();
    std::filesystem::permissions(path_, std::filesystem::perms::owner_all);
  }
  ~ShiftedClockRelay() { std::filesystem::remove(path_); }
  ShiftedClockRelay(const ShiftedClockRelay&) = delete;
  ShiftedClockRelay& operator=(const ShiftedClockRelay&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Defect 8. Presence expiry on Redis's clock: a relay an hour ahead must not
// expire the members of another relay. Before: each relay scored entries
// and expired them by its own wall clock.
TEST_F(RedisFaultsTest, ARelayWithItsClockAheadExpiresNoOneElse) {
#if defined(__SANITIZE_ADDRESS__)
  // ASan's runtime must come first in the relay's library list; a preloaded
  // libfaketime cannot. The plain build runs this test.
  GTEST_SKIP() << "libfaketime cannot be preloaded into an AddressSanitizer build";
#endif
  if (libfaketime().empty()) GTEST_SKIP() << "faketime not installed (scripts/install-deps.sh)";
  ASSERT_TRUE(start_redis());
  const std::vector<std::string> presence{"--presence-ttl", "3", "--presence-interval", "0"};
  RelayProcess* a = start_relay(presence);
  ASSERT_TRUE(a);
  const std::string real = relay_binary();
  const ShiftedClockRelay shifted("+1h");
  ::setenv("HUBCHAT_RELAY", shifted.path().c_str(), 1);
  RelayProcess* ahead = start_relay(presence);
  ::setenv("HUBCHAT_RELAY", real.c_str(), 1);
  ASSERT_TRUE(ahead);
  LosslessClient ann, ben;
  ASSERT_TRUE(ann.connect_and_join(a->port(), "clock", "ann"));
  ASSERT_TRUE(ben.connect_and_join(ahead->port(), "clock", "ben"));
  // Three TTLs of refreshes: ann stays listed on the relay that is ahead,
  // and ben hears no leave of hers.
  const Deadline until = deadline_in(9s);
  bool listed_once = false;
  while (Clock::now() < until) {
    Event request;
    request.type = EventType::members;
    ASSERT_TRUE(ben.send_event(request));
    auto page =
        ben.wait_for([](const Event& e) { return e.type == EventType::members; }, deadline_in(5s));
    ASSERT_TRUE(page);
    const bool has_ann =
        std::find(page->members.begin(), page->members.end(), "ann") != page->members.end();
    if (has_ann) listed_once = true;
    if (listed_once) {
      EXPECT_TRUE(has_ann) << "ann was expired by the relay whose clock is ahead";
    }
    std::this_thread::sleep_for(300ms);  // polling: the member list has no push channel
  }
  EXPECT_TRUE(listed_once);
  for (const Event& e : ben.history())
    EXPECT_FALSE(e.type == EventType::leave && e.nick == "ann") << describe(e);
}

// Defect 8b. A nick two relays both hold (two joins within one round trip
// to Redis both keep it: docs/redis.md) stays listed while one of them is
// still there: a leave on A removes A's entry, not B's. Before: A dropped
// the nick from its own list at the local leave, though B still held it.
TEST_F(RedisFaultsTest, ALocalLeaveKeepsANickAnotherRelayHolds) {
  ASSERT_TRUE(start_redis());
  const std::vector<std::string> presence{"--presence-ttl", "3", "--presence-interval", "0"};
  RelayProcess* a = start_relay(presence);
  RelayProcess* b = start_relay(presence);
  ASSERT_TRUE(a && b);
  // The race is the relays' to win or lose: try rooms until both kept "ann".
  for (int attempt = 0; attempt < 20; ++attempt) {
    const std::string room = "twice-" + std::to_string(attempt);
    LosslessClient on_a, on_b, watcher;
    ASSERT_TRUE(on_a.connect(a->port()).upgraded());
    ASSERT_TRUE(on_b.connect(b->port()).upgraded());
    ASSERT_TRUE(on_a.send_join(room, "ann"));
    ASSERT_TRUE(on_b.send_join(room, "ann"));
    const auto welcome = [](const Event& e) { return e.type == EventType::welcome; };
    const auto wa = on_a.wait_for(welcome, deadline_in(10s));
    const auto wb = on_b.wait_for(welcome, deadline_in(10s));
    ASSERT_TRUE(wa && wb);
    if (wa->nick != "ann" || wb->nick != "ann") continue;
    ASSERT_TRUE(watcher.connect_and_join(a->port(), room, "wat"));
    on_a.ws().send_close(1000);
    on_a.ws().wait_closed(deadline_in(5s));
    // Past A's leave and a full TTL of heartbeats: B's ann is still listed.
    const Deadline until = deadline_in(4s);
    while (Clock::now() < until) {
      Event request;
      request.type = EventType::members;
      ASSERT_TRUE(watcher.send_event(request));
      const auto page = watcher.wait_for(
          [](const Event& e) { return e.type == EventType::members; }, deadline_in(5s));
      ASSERT_TRUE(page);
      EXPECT_NE(std::find(page->members.begin(), page->members.end(), "ann"), page->members.end())
          << "A's leave removed the ann that B still holds";
      if (HasFailure()) return;
      std::this_thread::sleep_for(300ms);  // polling: the member list has no push channel
    }
    return;
  }
  GTEST_SKIP() << "the two joins never raced in 20 tries: nothing to check";
}

// Defect 9a. After a room switch an ack names the room the message went to,
// both for a first post and for a resend the relay already had. Before: it
// named the session's room at reply time (the resend's ack said "second").
TEST_F(RedisFaultsTest, AnAckNamesTheRoomTheMessageWentTo) {
  ASSERT_TRUE(start_redis());
  RelayProcess* a = start_relay();
  ASSERT_TRUE(a);
  LosslessClient c, watcher;
  ASSERT_TRUE(watcher.connect_and_join(a->port(), "first", "wat"));
  ASSERT_TRUE(join_keyed(c, a->port(), "first", "sam", "key-sam"));
  // The switch goes out right behind the message, before its ack can come.
  ASSERT_TRUE(c.send_event(msg_event("to first", "s-1")));
  ASSERT_TRUE(c.send_event(join_event("second", "sam", "key-sam")));
  ASSERT_TRUE(watcher.collect_until([](const auto& h) { return has_msg_body(h, "to first"); },
                                    deadline_in(10s)));
  // Back in "first", the same message again (as after a lost connection),
  // and away at once: the relay recognizes it and acks it.
  ASSERT_TRUE(c.send_event(join_event("first", "sam", "key-sam")));
  ASSERT_TRUE(
      c.wait_for([](const Event& e) { return e.type == EventType::welcome && e.room == "first"; },
                 deadline_in(10s)));
  const std::size_t resent_at = c.history().size();
  ASSERT_TRUE(c.send_event(msg_event("to first", "s-1")));
  ASSERT_TRUE(c.send_event(join_event("second", "sam", "key-sam")));
  ASSERT_TRUE(c.collect_until(
      [&](const auto& h) {
        return std::any_of(h.begin() + static_cast<long>(resent_at), h.end(),
                           [](const Event& e) { return e.type == EventType::ack; });
      },
      deadline_in(10s)))
      << describe(c.history());
  c.drain();
  for (const Event& e : c.history()) {
    if (e.type != EventType::ack) continue;
    EXPECT_EQ(e.room, "first") << describe(e);
    EXPECT_EQ(e.id, "s-1");
  }
  // Posted once.
  EXPECT_EQ(std::count_if(watcher.history().begin(), watcher.history().end(),
                          [](const Event& e) { return e.body == "to first"; }),
            1);
}

// Defect 9b. A room named "}x" under Redis: before, its hash tag was empty
// (CROSSSLOT on Cluster); it must join and carry messages.
TEST_F(RedisFaultsTest, ARoomNamedWithABraceWorks) {
  ASSERT_TRUE(start_redis());
  RelayProcess* a = start_relay();
  RelayProcess* b = start_relay();
  ASSERT_TRUE(a && b);
  LosslessClient c, d;
  ASSERT_TRUE(c.connect_and_join(a->port(), "}x", "cy"));
  ASSERT_TRUE(d.connect_and_join(b->port(), "}x", "di"));
  ASSERT_TRUE(post_paced(c, "b", 2));
  ASSERT_TRUE(
      d.collect_until([](const auto& h) { return has_msg_body(h, "b1"); }, deadline_in(10s)));
  // Every key of the room has a non-empty hash tag.
  std::istringstream keys(redis_->command({"KEYS", "test:*"}));
  for (std::string key; std::getline(keys, key);)
    EXPECT_EQ(key.find("{}"), std::string::npos) << key;
}

}  // namespace
}  // namespace hubchat::test
