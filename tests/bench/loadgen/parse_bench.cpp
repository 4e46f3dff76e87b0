// loadgen_parse_bench: how many deliveries/s the generator's receive path
// (frame parser + body scan + stamp parse + seq check + histogram) handles on
// one core, without sockets. Feeds coalesced lossless frames of up to 16 KiB
// in 256 KiB chunks that split frames anywhere. Prints one JSON line.
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "tests/bench/loadgen/latency_histogram.hpp"
#include "tests/bench/loadgen/message_body.hpp"
#include "tests/bench/loadgen/ws_frame_parser.hpp"

namespace {

using namespace hubchat::bench;

constexpr std::string_view kTag = "lgparse1";
constexpr std::uint32_t kSenders = 10;

struct Sink {
  LatencyHistogram histogram;
  std::vector<std::uint32_t> last = std::vector<std::uint32_t>(kSenders, 0);
  std::uint64_t delivered = 0, bad = 0;
  void on_message(std::string_view payload) {
    for_each_body(Dialect::lossless, payload, [&](std::string_view body) {
      BodyStamp s;
      if (!parse_body(body, kTag, s) || s.sender >= kSenders) {
        ++bad;
        return;
      }
      ++delivered;
      histogram.record(s.sent_ns % 1'000'000);
      std::uint32_t& l = last[s.sender];
      if (s.seq > l) l = s.seq;
    });
  }
  void on_ping(std::string_view) {}
  void on_close(std::uint16_t) {}
};

// A stream of server frames, each packing lossless msg lines up to 16 KiB.
std::string make_stream(std::size_t messages, std::size_t* count) {
  std::string stream, frame, line;
  std::uint32_t seq = 0;
  auto flush = [&] {
    if (frame.empty()) return;
    frame.pop_back();  // trailing '\n'
    stream.push_back(static_cast<char>(0x81));
    stream.push_back(126);
    stream.push_back(static_cast<char>(frame.size() >> 8));
    stream.push_back(static_cast<char>(frame.size() & 0xFF));
    stream += frame;
    frame.clear();
  };
  for (std::size_t i = 0; i < messages; ++i) {
    line = "{\"type\":\"msg\",\"room\":\"bench\",\"seq\":" + std::to_string(i + 1) +
           ",\"ts\":1764000000000,\"from\":\"lg" + std::to_string(i % kSenders) + "\",\"body\":\"";
    append_body(line, kTag, BodyStamp{static_cast<std::uint32_t>(i % kSenders), ++seq, 123456789},
                64);
    line += "\"}\n";
    if (frame.size() + line.size() > 16 * 1024) flush();
    frame += line;
  }
  flush();
  *count = messages;
  return stream;
}

}  // namespace

int main() {
  std::size_t per_pass = 0;
  const std::string stream = make_stream(200'000, &per_pass);
  Sink sink;
  WsReceiver rx;
  constexpr std::size_t kChunk = 256 * 1024;
  const auto start = std::chrono::steady_clock::now();
  int passes = 0;
  while (std::chrono::steady_clock::now() - start < std::chrono::seconds(2)) {
    for (std::size_t at = 0; at < stream.size(); at += kChunk)
      rx.receive(std::string_view(stream).substr(at, kChunk), sink);
    ++passes;
  }
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "{\"deliveries_per_s\":%.0f,\"bytes_per_s\":%.0f,\"delivered\":%llu,\"bad\":%llu,"
      "\"frames\":%zu}\n",
      static_cast<double>(sink.delivered) / secs,
      static_cast<double>(stream.size()) * passes / secs,
      static_cast<unsigned long long>(sink.delivered), static_cast<unsigned long long>(sink.bad),
      rx.frames());
  return sink.bad == 0 && sink.delivered == per_pass * static_cast<std::size_t>(passes) ? 0 : 1;
}
