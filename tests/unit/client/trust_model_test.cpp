// The model's side of trust and moderation (docs/client.md, "Signing in" and
// "Moderation"): a `deleted` event or a tombstone turns a message into
// "message deleted" with its body gone, a verified sender's uid is kept, the
// welcome's uid and role decide what the user may delete, and a refusal is
// recorded and told in its room.
#include <gtest/gtest.h>

#include "client/model/chat_model.hpp"
#include "tests/unit/client/relay_events.hpp"

namespace hubchat::client {
namespace {

Event deleted_event(const std::string& room, Seq seq, const std::string& by) {
  Event e = testing::event_in(EventType::deleted, room);
  e.seq = seq;
  e.by = by;
  return e;
}

const Line& message_at(const ChatModel& model, Seq seq) {
  for (const Line& line : model.find_room("lobby")->lines())
    if (line.kind == LineKind::message && line.seq == seq) return line;
  ADD_FAILURE() << "no message " << seq;
  static const Line none;
  return none;
}

class TrustModelTest : public ::testing::Test {
 protected:
  TrustModelTest() {
    model_.set_active_room("lobby");
    model_.apply(testing::welcome("lobby", 1, {"jun", "mina"}));
  }
  ChatModel model_;
};

TEST_F(TrustModelTest, DeletedEventShowsMessageDeletedAndDropsTheBody) {
  model_.apply(testing::msg("lobby", 1, "jun", "secret plans"));
  model_.apply(testing::msg("lobby", 2, "jun", "stays"));
  const auto version = model_.version();
  model_.apply(deleted_event("lobby", 1, "mod"));

  const Line& gone = message_at(model_, 1);
  EXPECT_TRUE(gone.deleted);
  EXPECT_EQ(gone.body, "");
  EXPECT_EQ(gone.by, "mod");
  EXPECT_EQ(describe(gone), "message deleted");
  EXPECT_GT(model_.version(), version);
  EXPECT_FALSE(message_at(model_, 2).deleted);
  EXPECT_EQ(describe(message_at(model_, 2)), "stays");
}

TEST_F(TrustModelTest, DeletedEventForAMessageNotHeldChangesNothing) {
  model_.apply(testing::msg("lobby", 1, "jun", "hi"));
  const auto lines = model_.find_room("lobby")->lines();
  model_.apply(deleted_event("lobby", 7, "mod"));
  EXPECT_EQ(model_.find_room("lobby")->lines(), lines);
}

TEST_F(TrustModelTest, TombstoneInTheHistoryIsADeletedMessage) {
  Event tombstone = testing::msg("lobby", 1, "jun", "");
  tombstone.deleted = true;
  tombstone.by = "mod";
  model_.apply(tombstone);
  EXPECT_TRUE(message_at(model_, 1).deleted);
  EXPECT_EQ(describe(message_at(model_, 1)), "message deleted");
}

TEST_F(TrustModelTest, TombstoneOfAMessageAlreadyHeldDeletesIt) {
  model_.apply(testing::msg("lobby", 1, "jun", "old body"));
  Event tombstone = testing::msg("lobby", 1, "jun", "");
  tombstone.deleted = true;
  tombstone.by = "mod";
  model_.apply(tombstone);  // a resume's replay overlapping what we hold
  EXPECT_TRUE(message_at(model_, 1).deleted);
  EXPECT_EQ(message_at(model_, 1).body, "");
}

TEST_F(TrustModelTest, VerifiedSenderKeepsItsUid) {
  Event signed_msg = testing::msg("lobby", 1, "jun", "hello");
  signed_msg.uid = "u-jun";
  model_.apply(signed_msg);
  model_.apply(testing::msg("lobby", 2, "guest-1", "hi"));
  EXPECT_EQ(message_at(model_, 1).uid, "u-jun");
  EXPECT_EQ(message_at(model_, 2).uid, "");
}

TEST_F(TrustModelTest, WelcomeGivesTheIdentityAndAGuestHasNone) {
  EXPECT_FALSE(model_.verified());
  Event welcome = testing::welcome("lobby", 1, {"mina"});
  welcome.uid = "u-mina";
  welcome.role = "moderator";
  model_.apply(welcome);
  EXPECT_TRUE(model_.verified());
  EXPECT_EQ(model_.uid(), "u-mina");
  EXPECT_TRUE(model_.moderator());

  model_.apply(testing::welcome("lobby", 1, {"mina"}));  // joined again, as a guest
  EXPECT_FALSE(model_.verified());
  EXPECT_FALSE(model_.moderator());
}

TEST_F(TrustModelTest, AMemberMayDeleteOnlyItsOwnVerifiedMessages) {
  Event welcome = testing::welcome("lobby", 1, {"jun", "mina"});
  welcome.uid = "u-mina";
  welcome.role = "member";
  model_.apply(welcome);
  Event mine = testing::msg("lobby", 1, "mina", "mine");
  mine.uid = "u-mina";
  Event theirs = testing::msg("lobby", 2, "jun", "theirs");
  theirs.uid = "u-jun";
  Event guest_same_nick = testing::msg("lobby", 3, "mina", "a guest's, same nick");
  model_.apply(mine);
  model_.apply(theirs);
  model_.apply(guest_same_nick);
  EXPECT_FALSE(model_.moderator());
  EXPECT_TRUE(model_.may_delete(message_at(model_, 1)));
  EXPECT_FALSE(model_.may_delete(message_at(model_, 2)));
  EXPECT_FALSE(model_.may_delete(message_at(model_, 3)));  // a nick is no proof
}

TEST_F(TrustModelTest, AModeratorMayDeleteAnyMessageButNotADeletedOne) {
  Event welcome = testing::welcome("lobby", 1, {"jun", "mina"});
  welcome.uid = "u-mina";
  welcome.role = "admin";
  model_.apply(welcome);
  model_.apply(testing::msg("lobby", 1, "jun", "a guest's"));
  EXPECT_TRUE(model_.may_delete(message_at(model_, 1)));
  model_.apply(deleted_event("lobby", 1, "mina"));
  EXPECT_FALSE(model_.may_delete(message_at(model_, 1)));
}

TEST_F(TrustModelTest, RefusalIsRecordedAndToldInItsRoom) {
  model_.refuse({RefusalKind::join, "lobby", "you may not join #ops"});
  EXPECT_EQ(model_.refusal().kind, RefusalKind::join);
  EXPECT_EQ(model_.refusal().text, "you may not join #ops");
  const Line& last = model_.find_room("lobby")->lines().back();
  EXPECT_EQ(last.kind, LineKind::system);
  EXPECT_EQ(last.body, "you may not join #ops");
  EXPECT_STREQ(to_string(model_.refusal().kind), "join");

  model_.clear_refusal();
  EXPECT_EQ(model_.refusal().kind, RefusalKind::none);
}

TEST_F(TrustModelTest, StatusTextSaysTheRefusalNotTheCloseCode) {
  ConnectionStatus status;
  status.state = ConnectionState::disconnected;
  status.last_error = "closed (4404 kicked by mod)";
  model_.set_connection(status);
  model_.refuse({RefusalKind::kicked, "lobby", "kicked by mod"});
  EXPECT_EQ(model_.status_text(Clock::now()), "Disconnected: kicked by mod");
}

}  // namespace
}  // namespace hubchat::client
