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
  auto parts = legacy::split_frame("a\nb b\n\nc");
  ASSERT_EQ(parts.size(), 4u);
  EXPECT_EQ(parts[0], "a");
  EXPECT_EQ(parts[1], "b b");
  EXPECT_EQ(parts[2], "");
  EXPECT_EQ(parts[3], "c");
  EXPECT_EQ(legacy::split_frame("single").size(), 1u);
}
