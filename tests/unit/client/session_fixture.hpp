// The base of the ChatSession tests' fixtures: one session over a
// FakeTransport whose state the test scripts, and a clock the test moves.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "client/session/chat_session.hpp"
#include "tests/support/events.hpp"
#include "tests/unit/client/fake_transport.hpp"

namespace hubchat::client::testing {

class SessionFixture : public ::testing::Test {
 protected:
  // A fresh session (a page load): the transport's state starts empty.
  void start_session(Backoff::Random random, std::unique_ptr<DialectMemory> memory = nullptr) {
    session_.reset();
    state_ = FakeTransport::State{};
    session_ =
        std::make_unique<ChatSession>(std::make_unique<FakeTransport>(state_),
                                      ChatSession::Options{}, std::move(random), std::move(memory));
  }

  // Moves the clock, then lets the session act.
  void tick(std::chrono::milliseconds advance = std::chrono::milliseconds{0}) {
    now_ += advance;
    session_->tick(now_);
  }

  // The requests of `type` the session sent, in order.
  std::vector<Event> sent(EventType type) const {
    std::vector<Event> out;
    for (const std::string& text : state_.sent)
      if (Event e = hubchat::test::decode(text); e.type == type) out.push_back(e);
    return out;
  }

  FakeTransport::State state_;
  std::unique_ptr<ChatSession> session_;
  TimePoint now_{std::chrono::seconds{1000}};
};

}  // namespace hubchat::client::testing
