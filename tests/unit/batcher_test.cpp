// The batcher: frames never exceed the limit, boundaries and bytes survive,
// an oversize event goes out alone.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "shared/batcher.hpp"
#include "shared/lossless_codec.hpp"

using hubchat::FrameBatcher;

namespace {

// Packs all events into frames, like the write pump does.
std::vector<std::string> pack_all(FrameBatcher& batcher, const std::vector<std::string>& events) {
  std::vector<std::string> frames;
  std::size_t next = 0;
  while (next < events.size()) {
    batcher.clear();
    while (next < events.size() && batcher.add(events[next])) ++next;
    frames.emplace_back(batcher.frame());
  }
  return frames;
}

}  // namespace

TEST(Batcher, FillsExactlyUpToTheLimit) {
  FrameBatcher batcher(9);
  EXPECT_TRUE(batcher.add("aaaa"));  // 4
  EXPECT_TRUE(batcher.add("bbbb"));  // 4 + 1 + 4 = 9: at the limit
  EXPECT_FALSE(batcher.add("c"));    // 11: over
  EXPECT_EQ(batcher.frame(), "aaaa\nbbbb");
  EXPECT_EQ(batcher.events(), 2u);

  batcher.clear();
  EXPECT_TRUE(batcher.add("aaaa"));
  EXPECT_TRUE(batcher.add("bbb"));  // 8: under the limit
  EXPECT_FALSE(batcher.fits("c"));  // 10: over by one
}

TEST(Batcher, OversizeEventGoesAloneAndWhole) {
  FrameBatcher batcher(8);
  std::string big(100, 'x');
  EXPECT_TRUE(batcher.add(big));
  EXPECT_EQ(batcher.frame(), big);
  EXPECT_FALSE(batcher.add("y"));
  auto frames = pack_all(batcher, {"a", big, "b"});
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(frames[0], "a");
  EXPECT_EQ(frames[1], big);
  EXPECT_EQ(frames[2], "b");
}

TEST(Batcher, ManyEventsKeepBoundariesBytesAndOrder) {
  std::vector<std::string> events;
  for (int i = 0; i < 1000; ++i) {
    hubchat::Event e;
    e.type = hubchat::EventType::msg;
    e.seq = static_cast<hubchat::Seq>(i + 1);
    e.body = "message " + std::to_string(i) + "\n두 번째 줄";
    events.push_back(hubchat::lossless::encode(e));
  }
  const std::size_t limit = 1024;
  FrameBatcher batcher(limit, 16);
  auto frames = pack_all(batcher, events);
  EXPECT_LT(frames.size(), events.size() / 5);  // coalesced
  std::vector<std::string> unpacked;
  for (const auto& frame : frames) {
    EXPECT_LE(frame.size(), limit);
    for (auto line : hubchat::lossless::split_batch(frame)) unpacked.emplace_back(line);
  }
  EXPECT_EQ(unpacked, events);
}

TEST(Batcher, HeadroomPrecedesTheFrame) {
  FrameBatcher batcher(64, 16);
  batcher.add("abc");
  EXPECT_EQ(std::string_view(batcher.frame_data(), 3), "abc");
  batcher.frame_data()[-16] = 'h';  // writable headroom, as lws_write needs
  EXPECT_EQ(batcher.frame(), "abc");
}
