// Event builders and decode() for the tests, written once: the join and msg
// requests a test client sends, and a lossless line read back into an Event
// (a line that does not decode fails the calling test, naming the line).
// Header-only, so the client, unit and integration tests share it without
// another library.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "shared/event.hpp"
#include "shared/lossless_codec.hpp"

namespace hubchat::test {

// A join of `room` as `nick`, with the sender `key` when given, and resuming
// after `since` in `epoch` when `since` is given.
inline Event join_event(const std::string& room, const std::string& nick,
                        const std::string& key = {}, std::optional<Seq> since = std::nullopt,
                        std::uint64_t epoch = 0) {
  Event e;
  e.type = EventType::join;
  e.room = room;
  e.nick = nick;
  e.key = key;
  if (since) {
    e.has_since = true;
    e.since = *since;
    e.epoch = epoch;
  }
  return e;
}

// A chat message with the message id `id` ("" = none).
inline Event msg_event(const std::string& body, const std::string& id = {}) {
  Event e;
  e.type = EventType::msg;
  e.body = body;
  e.id = id;
  return e;
}

// One lossless line as an Event; a line that does not decode fails the test.
inline Event decode(std::string_view line) {
  Event event;
  lossless::DecodeError error;
  EXPECT_TRUE(lossless::decode(line, event, error)) << line << ": " << error.message;
  return event;
}

}  // namespace hubchat::test
