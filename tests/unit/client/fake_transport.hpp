// An in-memory Transport for ChatSession tests: records what the session
// sends and lets the test inject what a server would answer.
#pragma once

#include <string>
#include <vector>

#include "client/transport/transport.hpp"

namespace hubchat::client::testing {

class FakeTransport final : public Transport {
 public:
  // Shared with the test after the session takes ownership of the transport.
  struct State {
    std::vector<std::string> urls;                  // every connect() URL
    std::vector<std::vector<std::string>> offered;  // subprotocols per connect()
    std::vector<std::string> sent;                  // every send_text(), in order
    std::vector<TransportEvent> pending;            // delivered at the next poll()
    bool open = false;
    bool connecting = false;
    int closes = 0;
  };

  explicit FakeTransport(State& state) : state_(state) {}

  bool connect(std::string_view url, const std::vector<std::string>& subprotocols) override {
    if (url.rfind("ws://", 0) != 0 && url.rfind("wss://", 0) != 0) return false;
    state_.pending.clear();
    state_.open = false;
    state_.connecting = true;
    state_.urls.emplace_back(url);
    state_.offered.push_back(subprotocols);
    return true;
  }
  bool send_text(std::string_view text) override {
    if (!state_.open) return false;
    state_.sent.emplace_back(text);
    return true;
  }
  void close(int, std::string_view) override {
    if (state_.open || state_.connecting) ++state_.closes;
    state_.open = false;
    state_.connecting = false;
    state_.pending.clear();
  }
  void poll(std::vector<TransportEvent>& out) override {
    for (auto& event : state_.pending) out.push_back(std::move(event));
    state_.pending.clear();
  }

 private:
  State& state_;
};

// Helpers to script the server side.
inline void server_accepts(FakeTransport::State& state, std::string subprotocol) {
  state.open = true;
  state.connecting = false;
  state.pending.push_back({TransportEvent::Kind::opened, {}, std::move(subprotocol), 0});
}
inline void server_sends(FakeTransport::State& state, std::string frame) {
  state.pending.push_back({TransportEvent::Kind::message, std::move(frame), {}, 0});
}
inline void server_closes(FakeTransport::State& state, int code, std::string reason) {
  state.open = false;
  state.connecting = false;
  state.pending.push_back({TransportEvent::Kind::closed, std::move(reason), {}, code});
}
inline void connection_fails(FakeTransport::State& state, std::string why) {
  state.open = false;
  state.connecting = false;
  state.pending.push_back({TransportEvent::Kind::error, std::move(why), {}, 0});
}

}  // namespace hubchat::client::testing
