// UTF-8 validation: every class of malformed input is rejected.
#include <gtest/gtest.h>

#include "shared/utf8.hpp"

using hubchat::is_valid_utf8;
using hubchat::utf8_prefix_length;

TEST(Utf8, AcceptsAsciiHangulAndAllSequenceLengths) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("plain ascii, long enough for the 8-byte fast path"));
  EXPECT_TRUE(is_valid_utf8("안녕하세요"));
  EXPECT_TRUE(is_valid_utf8("\xC2\x80"));          // U+0080, smallest 2-byte
  EXPECT_TRUE(is_valid_utf8("\xE0\xA0\x80"));      // U+0800, smallest 3-byte
  EXPECT_TRUE(is_valid_utf8("\xF0\x90\x80\x80"));  // U+10000, smallest 4-byte
  EXPECT_TRUE(is_valid_utf8("\xF4\x8F\xBF\xBF"));  // U+10FFFF, the largest
  EXPECT_TRUE(is_valid_utf8("\xED\x9F\xBF"));      // U+D7FF, just below surrogates
}

TEST(Utf8, RejectsMalformedSequences) {
  EXPECT_FALSE(is_valid_utf8("\x80"));              // lone continuation
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xC1\xBF"));          // overlong
  EXPECT_FALSE(is_valid_utf8("\xE0\x9F\xBF"));      // overlong 3-byte
  EXPECT_FALSE(is_valid_utf8("\xF0\x8F\xBF\xBF"));  // overlong 4-byte
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));      // U+D800 surrogate
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xF5\x80\x80\x80"));  // invalid lead
  EXPECT_FALSE(is_valid_utf8("\xFF"));
  EXPECT_FALSE(is_valid_utf8("\xEC\x95"));          // truncated 안
  EXPECT_FALSE(is_valid_utf8("abcdefgh\xEC\x95"));  // truncated after the fast path
  EXPECT_FALSE(is_valid_utf8("\xC3\x28"));          // bad continuation
}

TEST(Utf8, PrefixLengthCutsOnCodePointBoundaries) {
  std::string_view hangul = "안녕";  // 2 x 3 bytes
  EXPECT_EQ(utf8_prefix_length(hangul, 6), 6u);
  EXPECT_EQ(utf8_prefix_length(hangul, 5), 3u);
  EXPECT_EQ(utf8_prefix_length(hangul, 3), 3u);
  EXPECT_EQ(utf8_prefix_length(hangul, 2), 0u);
  EXPECT_EQ(utf8_prefix_length("abc", 2), 2u);
}
