// Browser implementation of the Transport interface on emscripten's
// <emscripten/websocket.h> (link with -lwebsocket.js; only built under
// Emscripten). The browser's WebSocket calls back on the main thread between
// frames; the callbacks only queue events, handed out by poll().
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "client/transport/transport.hpp"

namespace hubchat::client {

class WebTransport final : public Transport {
 public:
  WebTransport() = default;
  ~WebTransport() override;

  // The callbacks hold `this`: not copyable, not movable.
  WebTransport(const WebTransport&) = delete;
  WebTransport& operator=(const WebTransport&) = delete;

  bool connect(std::string_view url, const std::vector<std::string>& subprotocols) override;
  bool send_text(std::string_view text) override;
  void close(int code = 1000, std::string_view reason = {}) override;
  void poll(std::vector<TransportEvent>& out) override;

  // Called from the emscripten C callbacks (web_transport.cpp) only.
  void on_open();
  void on_message(std::string text, bool is_text);
  void on_error();
  void on_close(int code, std::string reason);

 private:
  int socket_ = 0;  // EMSCRIPTEN_WEBSOCKET_T; 0 = none
  bool open_ = false;
  bool finished_ = false;
  std::vector<TransportEvent> inbox_;
};

}  // namespace hubchat::client
