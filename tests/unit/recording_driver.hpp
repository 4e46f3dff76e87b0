// A HubDriver for the hub's unit tests: counts what the hub asks of the
// transport, and accepts a direct write (push) only where a test says so.
#pragma once

#include <functional>
#include <map>

#include "relay/hub/hub.hpp"

namespace hubchat::relay {

struct RecordingDriver final : HubDriver {
  std::map<Session*, int> wakes, pushes;
  int flush_arms = 0, presence_arms = 0, next_turn_flushes = 0;
  unsigned last_flush_delay_ms = 0;
  double clock = 1000;  // the loop's time; tests move it
  std::function<bool(Session&)> accepts_push;  // unset: every push is declined

  void wake(Session& session) override { ++wakes[&session]; }
  bool push(Session& session) override {
    ++pushes[&session];
    return accepts_push && accepts_push(session);
  }
  void arm_flush(unsigned delay_ms) override {
    ++flush_arms;
    last_flush_delay_ms = delay_ms;
  }
  double now() const override { return clock; }
  void flush_next_turn() override { ++next_turn_flushes; }
  void arm_presence_flush() override { ++presence_arms; }
};

}  // namespace hubchat::relay
