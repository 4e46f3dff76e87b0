// The client's WebSocket transport interface. ChatSession talks only to this,
// so the same session logic runs over libwebsockets (desktop,
// native_transport.hpp), emscripten/websocket.h (browser, web_transport.hpp)
// and an in-memory fake (tests).
//
// Poll style rather than callbacks: the native transport produces events on
// its lws service thread and the browser one from JS callbacks; queueing them
// and handing them out from poll() on the UI thread means the session never
// runs concurrently with the UI and needs no locks.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace hubchat::client {

struct TransportEvent {
  enum class Kind {
    opened,   // handshake done; `subprotocol` is the one the server accepted
              // ("" when it picked none: a gorilla-style legacy server)
    message,  // one complete text message (fragments already reassembled) in `text`
    closed,   // the connection closed; `code` (1006 if abnormal) and `text` = reason
    error,    // the connection failed or broke; `text` says why (no `closed` follows)
  };
  Kind kind = Kind::message;
  std::string text;
  std::string subprotocol;
  int code = 0;

  bool operator==(const TransportEvent&) const = default;
};

class Transport {
 public:
  virtual ~Transport() = default;

  // Starts connecting to a ws:// (or wss://, where supported) URL with
  // host, optional port, path and query, offering `subprotocols` in order of
  // preference. Any previous connection is closed first and its pending
  // events are dropped. Failure is reported through poll() (error), never
  // thrown; returns false only if the URL cannot be parsed (then no event).
  virtual bool connect(std::string_view url, const std::vector<std::string>& subprotocols) = 0;

  // Queues one text message. Returns false when not open (the text is
  // dropped). Messages are sent in order.
  virtual bool send_text(std::string_view text) = 0;

  // Closes the connection (WebSocket close with `code` and `reason` if open).
  // Final from the caller's view: no further event of this connection is
  // delivered by poll(). Harmless when not connected.
  virtual void close(int code = 1000, std::string_view reason = {}) = 0;

  // Appends the events that happened since the last call, in order. Call
  // from the UI loop (ChatSession::tick does). Each connect() yields
  // `opened` then `message`*, ending with exactly one `closed` or `error`,
  // unless close() was called first.
  virtual void poll(std::vector<TransportEvent>& out) = 0;
};

// The transport of the platform being built: NativeTransport (lws) natively,
// WebTransport under Emscripten. Defined by whichever of the two is linked
// (CMake target `hubchat_transport` picks it).
std::unique_ptr<Transport> make_platform_transport();

}  // namespace hubchat::client
