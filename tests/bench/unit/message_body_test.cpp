// Unit tests for the stamped message body and the client payload of both dialects.
#include <gtest/gtest.h>

#include <string>

#include "tests/bench/loadgen/message_body.hpp"

namespace hubchat::bench {
namespace {

TEST(MessageBody, RoundTripAndPadding) {
  std::string body;
  const BodyStamp in{7, 123456, 987654321012345ull};
  append_body(body, "lgtag01", in, 64);
  EXPECT_EQ(body.size(), 64u);
  EXPECT_EQ(body.find('\n'), std::string::npos);
  BodyStamp out;
  ASSERT_TRUE(parse_body(body, "lgtag01", out));
  EXPECT_EQ(out.sender, 7u);
  EXPECT_EQ(out.seq, 123456u);
  EXPECT_EQ(out.sent_ns, 987654321012345ull);
}

TEST(MessageBody, NeverCutBelowTheStamp) {
  std::string body;
  append_body(body, "t", BodyStamp{1, 2, 3}, 1);
  EXPECT_EQ(body, "t.1.2.3.");
  BodyStamp out;
  EXPECT_TRUE(parse_body(body, "t", out));
}

TEST(MessageBody, RejectsOtherTagsAndGarbage) {
  std::string body;
  append_body(body, "lgaaaaaa", BodyStamp{1, 2, 3}, 40);
  BodyStamp out;
  EXPECT_FALSE(parse_body(body, "lgbbbbbb", out));
  EXPECT_FALSE(parse_body("lgaaaaaa.x.2.3.", "lgaaaaaa", out));
  EXPECT_FALSE(parse_body("lgaaaaaa.1.2", "lgaaaaaa", out));
  EXPECT_FALSE(parse_body("hello", "lgaaaaaa", out));
}

TEST(MessagePayload, LosslessIsAMsgEvent) {
  std::string p;
  append_message_payload(p, Dialect::lossless, "t", BodyStamp{1, 2, 3}, 10);
  EXPECT_EQ(p, R"({"type":"msg","body":"t.1.2.3.xx"})");
  p.clear();
  append_message_payload(p, Dialect::legacy, "t", BodyStamp{1, 2, 3}, 10);
  EXPECT_EQ(p, "t.1.2.3.xx");
}

}  // namespace
}  // namespace hubchat::bench
