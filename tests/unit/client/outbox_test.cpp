// Exactly-once sends on the client (docs/client.md, "Outbox"): a message
// stays in its room's outbox until the relay's `ack` comes back (a `msg`
// with its id does not count: anyone in the room can send that id),
// is sent again with the same id after a reconnect (with the same sender
// key), and waits there while the client is reconnecting.
#include <gtest/gtest.h>

#include "client/session/chat_session.hpp"
#include "shared/lossless_codec.hpp"
#include "tests/support/events.hpp"
#include "tests/unit/client/fake_transport.hpp"
#include "tests/unit/client/relay_events.hpp"

namespace hubchat::client {
namespace {

using namespace std::chrono_literals;
using testing::FakeTransport;
using testing::server_accepts;
using testing::server_closes;
using testing::server_sends;

using hubchat::test::decode;

std::string welcome(Seq next) {
  return lossless::encode(testing::welcome("lobby", next, {"mina"}));
}

std::string echo(Seq seq, const std::string& body, const std::string& id) {
  Event e = testing::msg("lobby", seq, "mina", body);
  e.id = id;
  return lossless::encode(e);
}

std::string ack(Seq seq, const std::string& id) {
  Event e;
  e.type = EventType::ack;
  e.room = "lobby";
  e.id = id;
  e.seq = seq;
  return lossless::encode(e);
}

class OutboxTest : public ::testing::Test {
 protected:
  OutboxTest()
      : session_(std::make_unique<FakeTransport>(state_), ChatSession::Options{},
                 [] { return 0.5; }) {
    session_.connect(ConnectParams{"ws://relay:8080/ws", "mina", "lobby"}, now_);
  }
  void tick(std::chrono::milliseconds advance = 0ms) {
    now_ += advance;
    session_.tick(now_);
  }
  void open_and_welcome(Seq next) {
    server_accepts(state_, "hubchat.v1");
    server_sends(state_, welcome(next));
    tick();
  }
  std::vector<Event> sent(EventType type) const {
    std::vector<Event> out;
    for (const std::string& text : state_.sent)
      if (Event e = decode(text); e.type == type) out.push_back(e);
    return out;
  }
  const std::deque<OutgoingMessage>& outbox() const {
    return session_.model().find_room("lobby")->outbox();
  }
  // The messages sent so far are exactly one: `body` under its old `id`.
  void expect_resent_once(const std::string& id, const std::string& body) const {
    const auto resent = sent(EventType::msg);
    ASSERT_EQ(resent.size(), 1u);
    EXPECT_EQ(resent[0].id, id);
    EXPECT_EQ(resent[0].body, body);
  }
  void drop_and_reconnect() {
    server_closes(state_, 1006, "gone");
    tick();
    tick(10s);  // past any backoff
    state_.sent.clear();
  }

  FakeTransport::State state_;
  ChatSession session_;
  TimePoint now_{std::chrono::seconds{1000}};
};

TEST_F(OutboxTest, AMessageIsSendingUntilItsAckComesBack) {
  open_and_welcome(1);
  ASSERT_TRUE(session_.send_message("hello"));
  const auto msgs = sent(EventType::msg);
  ASSERT_EQ(msgs.size(), 1u);
  ASSERT_FALSE(msgs[0].id.empty());
  ASSERT_EQ(outbox().size(), 1u);
  EXPECT_EQ(outbox()[0].body, "hello");
  EXPECT_EQ(outbox()[0].id, msgs[0].id);
  // The copy shows as a line but acknowledges nothing: only the ack does.
  server_sends(state_, echo(1, "hello", msgs[0].id));
  tick();
  ASSERT_EQ(outbox().size(), 1u);
  ASSERT_EQ(session_.model().find_room("lobby")->lines().size(), 1u);
  server_sends(state_, ack(1, msgs[0].id));
  tick();
  EXPECT_TRUE(outbox().empty());
  ASSERT_EQ(session_.model().find_room("lobby")->lines().size(), 1u);
}

TEST_F(OutboxTest, EveryJoinCarriesTheSameSenderKey) {
  open_and_welcome(1);
  const auto first = sent(EventType::join);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_GE(first[0].key.size(), 16u) << "a key that can be guessed protects nothing";
  drop_and_reconnect();
  server_accepts(state_, "hubchat.v1");
  tick();
  const auto again = sent(EventType::join);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].key, first[0].key);
}

TEST_F(OutboxTest, AnUnacknowledgedMessageIsSentAgainWithItsIdAfterAReconnect) {
  open_and_welcome(1);
  ASSERT_TRUE(session_.send_message("lost in flight?"));
  const std::string id = sent(EventType::msg).at(0).id;
  drop_and_reconnect();  // before the echo came
  ASSERT_EQ(outbox().size(), 1u);
  server_accepts(state_, "hubchat.v1");
  tick();
  EXPECT_TRUE(sent(EventType::msg).empty()) << "nothing before the welcome";
  server_sends(state_, welcome(2));
  tick();
  ASSERT_NO_FATAL_FAILURE(expect_resent_once(id, "lost in flight?"));
  // The relay had it: it says so, and the message is not shown twice.
  server_sends(state_, echo(1, "lost in flight?", id) + "\n" + ack(1, id));
  tick();
  EXPECT_TRUE(outbox().empty());
  EXPECT_EQ(session_.model().find_room("lobby")->lines().size(), 1u);
}

TEST_F(OutboxTest, WhileReconnectingMessagesWaitInTheOutboxInOrder) {
  open_and_welcome(1);
  drop_and_reconnect();
  ASSERT_TRUE(session_.send_message("one"));
  ASSERT_TRUE(session_.send_message("two"));
  EXPECT_TRUE(sent(EventType::msg).empty());
  ASSERT_EQ(outbox().size(), 2u);
  server_accepts(state_, "hubchat.v1");
  server_sends(state_, welcome(1));
  tick();
  const auto msgs = sent(EventType::msg);
  ASSERT_EQ(msgs.size(), 2u);
  EXPECT_EQ(msgs[0].body, "one");
  EXPECT_EQ(msgs[1].body, "two");
  EXPECT_NE(msgs[0].id, msgs[1].id);
  server_sends(state_, ack(7, msgs[1].id));  // acknowledgements in any order
  tick();
  ASSERT_EQ(outbox().size(), 1u);
  EXPECT_EQ(outbox()[0].body, "one");
}

TEST_F(OutboxTest, AnotherClientsIdsDoNotClearOurs) {
  open_and_welcome(1);
  ASSERT_TRUE(session_.send_message("mine"));
  server_sends(state_, echo(1, "theirs", "1"));  // a counter id of someone else's
  tick();
  EXPECT_EQ(outbox().size(), 1u);
}

// Ids are visible to the whole room: a member who copies ours (by accident
// or on purpose) must not make our unsent message look delivered.
TEST_F(OutboxTest, AnotherMembersMessageWithOurExactIdDoesNotClearOurs) {
  open_and_welcome(1);
  ASSERT_TRUE(session_.send_message("mine"));
  const std::string id = sent(EventType::msg).at(0).id;
  Event theirs = testing::msg("lobby", 1, "eve", "not yours");
  theirs.id = id;
  server_sends(state_, lossless::encode(theirs));
  tick();
  ASSERT_EQ(outbox().size(), 1u);
  EXPECT_EQ(outbox()[0].body, "mine");
  // Still unacknowledged, so a reconnect sends it again with its id.
  drop_and_reconnect();
  server_accepts(state_, "hubchat.v1");
  server_sends(state_, welcome(2));
  tick();
  ASSERT_NO_FATAL_FAILURE(expect_resent_once(id, "mine"));
}

// The ack names the room the message went to: after a switch it still
// clears that room's outbox, not the active one's.
TEST_F(OutboxTest, AnAckClearsTheRoomItNames) {
  open_and_welcome(1);
  ASSERT_TRUE(session_.send_message("for the lobby"));
  const std::string id = sent(EventType::msg).at(0).id;
  session_.switch_room("other");
  tick();
  server_sends(state_, ack(1, id));  // room "lobby"
  tick();
  EXPECT_TRUE(outbox().empty());
}

TEST_F(OutboxTest, ALegacyServerGetsWhatWaitedAndNothingIsKept) {
  ASSERT_TRUE(session_.send_message("queued before open"));
  server_accepts(state_, "");  // gorilla-style: no subprotocol
  tick();
  ASSERT_EQ(state_.sent.size(), 1u);
  EXPECT_EQ(state_.sent[0], "queued before open");
  EXPECT_TRUE(outbox().empty());
}

}  // namespace
}  // namespace hubchat::client
