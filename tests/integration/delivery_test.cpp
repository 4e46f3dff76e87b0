// Fan-out correctness: every client of a room receives every message of that
// room exactly once and in one global order; rooms do not leak into each other.
#include <map>

#include "relay_test_fixture.hpp"

namespace hubchat::test {
namespace {

struct RoomSetup {
  std::string room;
  int clients;
  int senders;  // the first `senders` clients also send
  int per_sender;
};

TEST_F(RelayTest, EveryClientGetsEveryRoomMessageOnceInOrder) {
  ASSERT_TRUE(start_relay());
  const std::vector<RoomSetup> rooms = {{"alpha", 6, 3, 30}, {"beta", 4, 2, 20}};

  std::map<std::string, std::vector<std::unique_ptr<LosslessClient>>> members;
  std::map<LosslessClient*, std::string> nick_of;
  for (const RoomSetup& r : rooms) {
    for (int i = 0; i < r.clients; ++i) {
      auto c = std::make_unique<LosslessClient>();
      const std::string nick = r.room + std::to_string(i);
      auto welcome = c->connect_and_join(port(), r.room, nick);
      ASSERT_TRUE(welcome) << "client " << nick << " got no welcome";
      ASSERT_EQ(welcome->room, r.room);
      nick_of[c.get()] = welcome->nick;
      members[r.room].push_back(std::move(c));
    }
  }

  // Interleave the senders of both rooms so isolation is actually exercised.
  const int max_rounds = 30;
  for (int i = 0; i < max_rounds; ++i) {
    for (const RoomSetup& r : rooms) {
      if (i >= r.per_sender) continue;
      for (int s = 0; s < r.senders; ++s)
        ASSERT_TRUE(members[r.room][s]->send_msg(r.room + "/" + std::to_string(s) + "/" +
                                                 std::to_string(i)));
    }
  }
  // Each sender waits for the echo of its own last message, so every message
  // is in the log before the END marker; then END bounds what clients read.
  for (const RoomSetup& r : rooms) {
    for (int s = 0; s < r.senders; ++s) {
      const std::string last =
          r.room + "/" + std::to_string(s) + "/" + std::to_string(r.per_sender - 1);
      ASSERT_TRUE(members[r.room][s]->collect_until(
          [&](const std::vector<Event>& h) { return has_msg_body(h, last); }, deadline_in(10s)))
          << "sender " << s << " of " << r.room << " never saw its own last message";
    }
    ASSERT_TRUE(members[r.room][0]->send_msg(r.room + "/END"));
  }

  for (const RoomSetup& r : rooms) {
    std::vector<Event> reference;
    for (auto& c : members[r.room]) {
      SCOPED_TRACE("client " + nick_of[c.get()]);
      ASSERT_TRUE(c->collect_until(
          [&](const std::vector<Event>& h) { return has_msg_body(h, r.room + "/END"); },
          deadline_in(10s)))
          << "END never arrived; end: " << c->end().describe();
      EXPECT_TRUE(c->decode_errors().empty()) << c->decode_errors().front();
      EXPECT_EQ(check_contiguous(c->history()), "");

      const std::vector<Event> msgs = c->msgs();
      // Exactly once: the count is exact and no seq repeats.
      ASSERT_EQ(msgs.size(), static_cast<std::size_t>(r.senders * r.per_sender + 1))
          << describe(msgs, 200);
      // Isolation: only this room's messages.
      for (const Event& m : msgs) {
        EXPECT_EQ(m.room, r.room) << describe(m);
        EXPECT_EQ(m.body.rfind(r.room + "/", 0), 0u) << "foreign message: " << describe(m);
      }
      // Each sender's messages in the order sent, from the sender's nick.
      std::map<std::string, int> next_index;
      for (const Event& m : msgs) {
        if (m.body == r.room + "/END") continue;
        const std::string sender = m.body.substr(0, m.body.rfind('/'));
        const int index = std::stoi(m.body.substr(m.body.rfind('/') + 1));
        EXPECT_EQ(index, next_index[sender]++) << "out of order: " << describe(m);
        const int s = std::stoi(sender.substr(sender.find('/') + 1));
        EXPECT_EQ(m.from, nick_of[members[r.room][s].get()]);
      }
      // One global order: every client sees the same (seq, from, body) list.
      if (reference.empty()) {
        reference = msgs;
      } else {
        ASSERT_EQ(msgs.size(), reference.size());
        for (std::size_t i = 0; i < msgs.size(); ++i) {
          EXPECT_EQ(msgs[i].seq, reference[i].seq) << i;
          EXPECT_EQ(msgs[i].body, reference[i].body) << i;
          EXPECT_EQ(msgs[i].from, reference[i].from) << i;
        }
      }
    }
  }
}

}  // namespace
}  // namespace hubchat::test
