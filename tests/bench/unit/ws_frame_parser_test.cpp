// Unit tests for the load generator's server-frame parser and receiver: whole
// frames, both dialects' payloads, frames split across reads at every byte,
// extended lengths, fragmentation, pings, closes and protocol errors.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/bench/loadgen/message_body.hpp"
#include "tests/bench/loadgen/ws_frame_parser.hpp"

namespace hubchat::bench {
namespace {

// A server frame: unmasked.
std::string server_frame(WsOpcode op, std::string_view payload, bool fin = true) {
  std::string f;
  f.push_back(static_cast<char>((fin ? 0x80 : 0) | static_cast<int>(op)));
  if (payload.size() < 126) {
    f.push_back(static_cast<char>(payload.size()));
  } else if (payload.size() <= 0xFFFF) {
    f.push_back(126);
    f.push_back(static_cast<char>(payload.size() >> 8));
    f.push_back(static_cast<char>(payload.size() & 0xFF));
  } else {
    f.push_back(127);
    for (int shift = 56; shift >= 0; shift -= 8)
      f.push_back(static_cast<char>((static_cast<std::uint64_t>(payload.size()) >> shift) & 0xFF));
  }
  f.append(payload);
  return f;
}

struct Recorder {
  std::vector<std::string> messages, pings;
  std::vector<std::uint16_t> closes;
  void on_message(std::string_view p) { messages.emplace_back(p); }
  void on_ping(std::string_view p) { pings.emplace_back(p); }
  void on_close(std::uint16_t code) { closes.push_back(code); }
};

TEST(ParseServerFrame, SmallTextFrame) {
  const std::string f = server_frame(WsOpcode::text, "hello");
  ParsedFrame p = parse_server_frame(f, 1 << 20);
  ASSERT_EQ(p.status, ParseStatus::frame);
  EXPECT_EQ(p.opcode, WsOpcode::text);
  EXPECT_TRUE(p.fin);
  EXPECT_EQ(p.payload, "hello");
  EXPECT_EQ(p.consumed, f.size());
}

TEST(ParseServerFrame, ExtendedLengths) {
  for (std::size_t size : {125u, 126u, 65535u, 65536u, 200000u}) {
    const std::string payload(size, 'a');
    const std::string f = server_frame(WsOpcode::text, payload);
    ParsedFrame p = parse_server_frame(f, 1 << 20);
    ASSERT_EQ(p.status, ParseStatus::frame) << size;
    EXPECT_EQ(p.payload.size(), size);
    EXPECT_EQ(p.consumed, f.size());
  }
}

TEST(ParseServerFrame, ReportsWhatItNeeds) {
  const std::string f = server_frame(WsOpcode::text, std::string(300, 'z'));
  EXPECT_EQ(parse_server_frame(f.substr(0, 1), 1 << 20).needed, 2u);
  EXPECT_EQ(parse_server_frame(f.substr(0, 3), 1 << 20).needed, 4u);
  ParsedFrame p = parse_server_frame(f.substr(0, 10), 1 << 20);
  EXPECT_EQ(p.status, ParseStatus::need_more);
  EXPECT_EQ(p.needed, f.size());
}

TEST(ParseServerFrame, RejectsMaskedReservedAndBadControl) {
  std::string masked = server_frame(WsOpcode::text, "x");
  masked[1] = static_cast<char>(masked[1] | 0x80);
  EXPECT_EQ(parse_server_frame(masked, 100).status, ParseStatus::error);
  std::string rsv = server_frame(WsOpcode::text, "x");
  rsv[0] = static_cast<char>(rsv[0] | 0x40);
  EXPECT_EQ(parse_server_frame(rsv, 100).status, ParseStatus::error);
  EXPECT_EQ(parse_server_frame(server_frame(WsOpcode::ping, std::string(126, 'p')), 1000).status,
            ParseStatus::error);
  EXPECT_EQ(parse_server_frame(server_frame(WsOpcode::ping, "p", false), 1000).status,
            ParseStatus::error);
  EXPECT_EQ(parse_server_frame(server_frame(WsOpcode::text, std::string(101, 'a')), 100).status,
            ParseStatus::error);
}

TEST(CloseCode, BigEndianOr1005) {
  EXPECT_EQ(close_code_of(std::string("\x0f\xa1slow", 6)), 4001);
  EXPECT_EQ(close_code_of(""), 1005);
}

// A stream of frames of both dialects plus control frames.
std::string mixed_stream() {
  std::string s;
  s += server_frame(WsOpcode::text, "alpha\nbeta\ngamma");  // legacy: 3 bodies
  s += server_frame(WsOpcode::ping, "pp");
  s += server_frame(WsOpcode::text,
                    R"({"type":"msg","room":"r","seq":1,"ts":2,"from":"a","body":"b1"})"
                    "\n"
                    R"({"type":"join","room":"r","seq":2,"ts":3,"nick":"n"})"
                    "\n"
                    R"({"type":"msg","room":"r","seq":3,"ts":4,"from":"a","body":"b2"})");
  s += server_frame(WsOpcode::text, std::string(70000, 'L'));
  s += server_frame(WsOpcode::pong, "");
  s += server_frame(WsOpcode::close, std::string("\x03\xe9", 2));
  return s;
}

void expect_mixed(const Recorder& r) {
  ASSERT_EQ(r.messages.size(), 3u);
  EXPECT_EQ(r.messages[0], "alpha\nbeta\ngamma");
  EXPECT_EQ(r.messages[2].size(), 70000u);
  ASSERT_EQ(r.pings.size(), 1u);
  EXPECT_EQ(r.pings[0], "pp");
  ASSERT_EQ(r.closes.size(), 1u);
  EXPECT_EQ(r.closes[0], 1001);
}

TEST(WsReceiver, WholeStreamInOneRead) {
  WsReceiver rx;
  Recorder r;
  ASSERT_TRUE(rx.receive(mixed_stream(), r));
  expect_mixed(r);
  EXPECT_EQ(rx.frames(), 3u);
  EXPECT_EQ(rx.largest_frame(), 70000u);  // data frames only: not the close or ping
  EXPECT_TRUE(rx.idle());
}

TEST(WsReceiver, EverySplitPointInTwoReads) {
  const std::string s = mixed_stream();
  // Every split point in the first 400 bytes and around the large frame's edges.
  std::vector<std::size_t> cuts;
  for (std::size_t i = 0; i < 400; ++i) cuts.push_back(i);
  for (std::size_t i = s.size() - 200; i <= s.size(); ++i) cuts.push_back(i);
  for (std::size_t cut : cuts) {
    WsReceiver rx;
    Recorder r;
    ASSERT_TRUE(rx.receive(std::string_view(s).substr(0, cut), r)) << cut;
    ASSERT_TRUE(rx.receive(std::string_view(s).substr(cut), r)) << cut;
    expect_mixed(r);
  }
}

TEST(WsReceiver, OneByteAtATime) {
  const std::string s = mixed_stream();
  WsReceiver rx;
  Recorder r;
  for (char ch : s) ASSERT_TRUE(rx.receive(std::string_view(&ch, 1), r));
  expect_mixed(r);
}

TEST(WsReceiver, ReassemblesFragmentsAroundAPing) {
  std::string s = server_frame(WsOpcode::text, "one\ntw", false);
  s += server_frame(WsOpcode::ping, "x");
  s += server_frame(WsOpcode::continuation, "o\nthr", false);
  s += server_frame(WsOpcode::continuation, "ee", true);
  for (std::size_t cut = 0; cut <= s.size(); ++cut) {
    WsReceiver rx;
    Recorder r;
    ASSERT_TRUE(rx.receive(std::string_view(s).substr(0, cut), r));
    ASSERT_TRUE(rx.receive(std::string_view(s).substr(cut), r));
    ASSERT_EQ(r.messages.size(), 1u);
    EXPECT_EQ(r.messages[0], "one\ntwo\nthree");
    EXPECT_EQ(rx.largest_frame(), 6u);  // per frame, not per reassembled message
    EXPECT_EQ(r.pings.size(), 1u);
  }
}

TEST(WsReceiver, ProtocolErrors) {
  Recorder r;
  WsReceiver a;
  EXPECT_FALSE(a.receive(server_frame(WsOpcode::binary, "b"), r));
  WsReceiver b;
  EXPECT_FALSE(b.receive(server_frame(WsOpcode::continuation, "c"), r));
  WsReceiver c;
  std::string two_starts =
      server_frame(WsOpcode::text, "a", false) + server_frame(WsOpcode::text, "b");
  EXPECT_FALSE(c.receive(two_starts, r));
}

// Both dialects through the body scanner, fed from a split stream.
TEST(ForEachBody, LegacyAndLosslessFrames) {
  std::vector<std::string> bodies;
  auto collect = [&](std::string_view b) { bodies.emplace_back(b); };
  EXPECT_EQ(for_each_body(Dialect::legacy, "a\nbb\nccc", collect), 0u);
  EXPECT_EQ(bodies, (std::vector<std::string>{"a", "bb", "ccc"}));
  bodies.clear();
  const std::string lossless =
      R"({"type":"welcome","room":"r","nick":"n","epoch":1,"seq":1,"first":1,"members":["n"]})"
      "\n"
      R"({"type":"msg","room":"r","seq":1,"ts":2,"from":"a","body":"first"})"
      "\n"
      R"({"type":"leave","room":"r","seq":2,"ts":3,"nick":"a"})"
      "\n"
      R"({"type":"msg","room":"r","seq":3,"ts":4,"from":"b","body":"second"})"
      "\n";
  EXPECT_EQ(for_each_body(Dialect::lossless, lossless, collect), 2u);
  EXPECT_EQ(bodies, (std::vector<std::string>{"first", "second"}));
}

}  // namespace
}  // namespace hubchat::bench
