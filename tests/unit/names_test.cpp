// Nick and room name rules: length at/under/over the bound, forbidden characters.
#include <gtest/gtest.h>

#include <string>

#include "shared/names.hpp"

using hubchat::is_valid_name;

TEST(Names, LengthBound) {
  EXPECT_TRUE(is_valid_name(std::string(31, 'a'), 32));
  EXPECT_TRUE(is_valid_name(std::string(32, 'a'), 32));
  EXPECT_FALSE(is_valid_name(std::string(33, 'a'), 32));
  EXPECT_FALSE(is_valid_name("", 32));
}

TEST(Names, AcceptsHangulAndSpacesInside) {
  EXPECT_TRUE(is_valid_name("민아", 32));
  EXPECT_TRUE(is_valid_name("room one", 32));
}

TEST(Names, RejectsControlBidiAndEdgeSpaces) {
  EXPECT_FALSE(is_valid_name("a\nb", 32));
  EXPECT_FALSE(is_valid_name(std::string("a\0b", 3), 32));
  EXPECT_FALSE(is_valid_name("a\x7f", 32));
  EXPECT_FALSE(is_valid_name("a\xC2\x85", 32));         // U+0085 (C1 control)
  EXPECT_FALSE(is_valid_name("evil\xE2\x80\xAE", 32));  // U+202E right-to-left override
  EXPECT_FALSE(is_valid_name("x\xE2\x81\xA6y", 32));    // U+2066 isolate
  EXPECT_FALSE(is_valid_name(" lead", 32));
  EXPECT_FALSE(is_valid_name("trail ", 32));
  EXPECT_FALSE(is_valid_name("\xFF", 32));
}
