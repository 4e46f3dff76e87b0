// The legacy (gorilla) dialect: trimming, newline replacement, frame splitting.
#include <gtest/gtest.h>

#include "shared/legacy_codec.hpp"

namespace legacy = hubchat::legacy;

TEST(LegacyCodec, IncomingIsTrimmedAndNewlinesBecomeSpaces) {
  EXPECT_EQ(legacy::normalize_incoming("  hi\nthere  "), "hi there");
  EXPECT_EQ(legacy::normalize_incoming("\n\nx\n"), "x");
  EXPECT_EQ(legacy::normalize_incoming(" \t\r\n "), "");
  EXPECT_EQ(legacy::normalize_incoming("안녕\n하세요"), "안녕 하세요");
}

TEST(LegacyCodec, OutgoingBodiesHaveNoNewline) {
  EXPECT_EQ(legacy::encode_body("line one\nline two\n"), "line one line two ");
  EXPECT_EQ(legacy::encode_body("keep  inner  spaces"), "keep  inner  spaces");
}

TEST(LegacyCodec, SplitFrameKeepsEveryMessage) {
  // Every part, the empty one included, in order.
  EXPECT_EQ(legacy::split_frame("a\nb b\n\nc"),
            (std::vector<std::string_view>{"a", "b b", "", "c"}));
  EXPECT_EQ(legacy::split_frame("single").size(), 1u);
}
