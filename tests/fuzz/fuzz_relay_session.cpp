// Fuzzes the relay's handling of clients after the handshake: the input is a
// script of operations (connect, message fragment, drain the write pump,
// disconnect) for a few sessions of either dialect, run through the same
// lws-free code the pumps use (inbound/outbound + hub). Checks: frames stay
// within the limit (or hold one oversize event), every lossless line the relay
// sends decodes, and cursors never move backwards.
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string_view>

#include "relay/hub/delivery.hpp"
#include "relay/hub/hub.hpp"
#include "relay/transport/inbound.hpp"
#include "shared/lossless_codec.hpp"

using namespace hubchat;
using namespace hubchat::relay;

namespace {

class Script {
 public:
  Script(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  bool done() const { return pos_ >= size_; }
  std::uint8_t byte() { return pos_ < size_ ? data_[pos_++] : 0; }
  std::string_view bytes(std::size_t n) {
    n = std::min(n, size_ - pos_);
    std::string_view out(reinterpret_cast<const char*>(data_ + pos_), n);
    pos_ += n;
    return out;
  }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
};

Options fuzz_options() {
  Options o;
  o.max_message_bytes = 256;
  o.max_frame_bytes = 128;
  o.history_events = 8;
  o.history_bytes = 2048;
  o.history_total_bytes = 8192;
  o.max_pending_reply_bytes = 512;
  o.rate_limit = 5;
  o.rate_burst = 4;
  o.presence_interval_ms = 0;  // presence goes out with each change: its paths are fuzzed
  return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const Options options = fuzz_options();
  Metrics metrics;
  struct : HubDriver {
    void wake(Session&) override {}
    bool push(Session&) override { return false; }
    void arm_flush(unsigned) override {}
    double now() const override { return 0; }
    void flush_next_turn() override {}
    void arm_presence_flush() override {}
  } driver;
  Hub hub(options, metrics, driver, 1234);
  FrameBatcher batcher(options.max_frame_bytes);
  std::array<std::optional<Session>, 4> sessions;
  auto now = std::chrono::steady_clock::time_point(std::chrono::seconds(1000));

  // As the server does when a connection is gone: requests of this session
  // still at the broker must not be answered to it (its slot is reused).
  auto disconnect = [&](std::optional<Session>& s) {
    hub.closed(*s);
    s.reset();
  };

  Script script(data, size);
  while (!script.done()) {
    const std::uint8_t op = script.byte();
    auto& slot = sessions[(op >> 3) & 3];
    now += std::chrono::milliseconds(script.byte());
    switch (op & 7) {
      case 0:
      case 1:  // connect
        if (slot) break;
        slot.emplace();
        slot->dialect = (op & 0x20) ? Dialect::lossless : Dialect::legacy;
        if (slot->dialect == Dialect::legacy)
          hub.join_live(*slot, (op & 0x40) ? "r1" : "lobby", hub.guest_nick());
        break;
      case 2:
      case 3:
      case 4: {  // a fragment of a message
        if (!slot) break;
        Fragment fragment;
        fragment.binary = (op & 0x20) && (op & 0x40);
        fragment.last = !(op & 0x80);
        fragment.data = script.bytes(script.byte());
        if (on_fragment(options, hub, *slot, fragment, now)) disconnect(slot);
        break;
      }
      case 5:
      case 6: {  // the write pump drains this client (after the flush timer, with 0x80)
        if (op & 0x80) hub.end_of_turn();
        if (!slot) break;
        for (int rounds = 0; rounds < 64; ++rounds) {
          const Seq before = slot->cursor;
          Outbound out = hub.delivery().next_frame(batcher, *slot);
          if (out == Outbound::close) {
            disconnect(slot);
            break;
          }
          if (slot->cursor < before) std::abort();
          if (out == Outbound::nothing) break;
          if (batcher.events() > 1 && batcher.frame().size() > options.max_frame_bytes)
            std::abort();
          if (slot->dialect == Dialect::lossless) {
            for (auto line : lossless::split_batch(batcher.frame())) {
              Event e;
              lossless::DecodeError error;
              if (!lossless::decode(line, e, error)) std::abort();
            }
          }
          if (!Delivery::has_more(*slot)) break;
        }
        break;
      }
      case 7:  // disconnect
        if (slot) disconnect(slot);
        break;
    }
  }
  for (auto& slot : sessions)
    if (slot) disconnect(slot);
  if (hub.history_bytes() > options.history_total_bytes + 4096) std::abort();
  return 0;
}
