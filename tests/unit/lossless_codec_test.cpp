// The lossless dialect: round trips, escaping, hostile JSON, batch splitting.
#include <gtest/gtest.h>

#include "shared/lossless_codec.hpp"

using namespace hubchat;

namespace {

Event round_trip(const Event& in) {
  std::string line = lossless::encode(in);
  EXPECT_EQ(line.find('\n'), std::string::npos) << line;
  Event out;
  lossless::DecodeError error;
  EXPECT_TRUE(lossless::decode(line, out, error)) << error.message << " in " << line;
  return out;
}

}  // namespace

TEST(LosslessCodec, MessageWithNewlinesHangulAndControlsRoundTrips) {
  Event msg;
  msg.type = EventType::msg;
  msg.room = "lobby";
  msg.seq = 42;
  msg.ts = 1764000000123;
  msg.from = "민아";
  msg.body = "line one\nline two \"quoted\" \\ back\ttab \x01 안녕 🙂";
  EXPECT_EQ(round_trip(msg), msg);
}

TEST(LosslessCodec, EveryEventTypeRoundTrips) {
  Event welcome;
  welcome.type = EventType::welcome;
  welcome.room = "r";
  welcome.nick = "n";
  welcome.epoch = 99;
  welcome.seq = 7;
  welcome.first = 3;
  welcome.members = {"a", "b c", "다"};
  EXPECT_EQ(round_trip(welcome), welcome);

  Event join;
  join.type = EventType::join;
  join.room = "r";
  join.nick = "n";
  join.has_since = true;
  join.since = 0;
  join.epoch = 5;
  EXPECT_EQ(round_trip(join), join);

  Event missed;
  missed.type = EventType::missed;
  missed.room = "r";
  missed.reason = "evicted";
  missed.missed_from = 4;
  missed.missed_to = 9;
  EXPECT_EQ(round_trip(missed), missed);

  Event error;
  error.type = EventType::error;
  error.code = "bad_json";
  error.message = "x";
  EXPECT_EQ(round_trip(error), error);

  Event nick;
  nick.type = EventType::nick;
  nick.room = "r";
  nick.seq = 2;
  nick.ts = 1;
  nick.from = "old";
  nick.nick = "new";
  EXPECT_EQ(round_trip(nick), nick);

  Event leave;
  leave.type = EventType::leave;
  leave.room = "r";
  leave.seq = 3;
  leave.ts = 1;
  leave.nick = "gone";
  EXPECT_EQ(round_trip(leave), leave);
}

TEST(LosslessCodec, DecodesEscapesAndSurrogatePairs) {
  Event e;
  lossless::DecodeError error;
  ASSERT_TRUE(lossless::decode(
      R"( {"type":"msg","body":"a\u00e9\uD83D\uDE42\/\n","extra":{"nested":[1,2.5,-3e2,null]}} )",
      e, error))
      << error.message;
  EXPECT_EQ(e.body, "a\xC3\xA9\xF0\x9F\x99\x82/\n");
}

TEST(LosslessCodec, RejectsHostileInputWithACode) {
  struct Case {
    const char* line;
    const char* code;
  };
  const Case cases[] = {
      {"", "bad_json"},
      {"[]", "bad_json"},
      {"{\"type\":\"msg\"", "bad_json"},
      {"{\"type\":\"msg\",\"body\":\"raw\ncontrol\"}", "bad_json"},
      {R"({"type":"msg","body":"\ud800"})", "bad_json"},
      {R"({"type":"msg","body":"\x"})", "bad_json"},
      {R"({"type":"msg"} trailing)", "bad_json"},
      {R"({"body":"no type"})", "bad_event"},
      {R"({"type":"shout"})", "bad_event"},
      {R"({"type":"msg","body":5})", "bad_event"},
      {R"({"type":"join","room":"r","since":-1})", "bad_event"},
      {R"({"type":"join","room":"r","since":1.5})", "bad_event"},
      {R"({"type":"join","room":"r","since":9007199254740992})", "bad_event"},
  };
  for (const Case& c : cases) {
    Event e;
    lossless::DecodeError error;
    EXPECT_FALSE(lossless::decode(c.line, e, error)) << c.line;
    EXPECT_EQ(error.code, c.code) << c.line;
  }
}

TEST(LosslessCodec, DeepNestingIsRefusedNotRecursedForever) {
  std::string line = R"({"type":"msg","x":)" + std::string(10000, '[') + "]}";
  Event e;
  lossless::DecodeError error;
  EXPECT_FALSE(lossless::decode(line, e, error));
  EXPECT_EQ(error.code, "bad_json");
}

TEST(LosslessCodec, NullSinceMeansNoSince) {
  Event e;
  lossless::DecodeError error;
  ASSERT_TRUE(lossless::decode(R"({"type":"join","room":"r","since":null})", e, error));
  EXPECT_FALSE(e.has_since);
}

TEST(LosslessCodec, SplitBatchSkipsEmptyLinesAndTrailingNewline) {
  EXPECT_EQ(lossless::split_batch("{\"a\":1}\n\n{\"b\":2}\r\n{\"c\":3}\n"),
            (std::vector<std::string_view>{R"({"a":1})", R"({"b":2})", R"({"c":3})"}));
  EXPECT_TRUE(lossless::split_batch("").empty());
  EXPECT_TRUE(lossless::split_batch("\n\n").empty());
}
