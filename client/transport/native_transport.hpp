// Desktop implementation of the Transport interface on libwebsockets 4.1.
//
// Why a service thread: lws 4.1's lws_service() ignores its timeout ("Set to
// 0; ignored; for backward compatibility", lws-service.h) and sleeps until lws
// itself has something to do, so it cannot be pumped non-blockingly from a UI
// frame loop. Each connection therefore gets its own lws_context serviced on
// its own thread (Debian's lws has LWS_MAX_SMP 1: one service thread per
// context). The UI thread talks to it only through a mutex-protected inbox and
// outbox and wakes it with lws_cancel_service(), the one lws call documented
// as safe from another thread. A context per connection also makes close()
// final: destroying it guarantees no stale event of an old connection leaks
// into the next one.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "client/transport/transport.hpp"
#include "client/transport/ws_url.hpp"

namespace hubchat::client {

class NativeTransport final : public Transport {
 public:
  struct Options {
    // PEM file of CA certificates trusted for wss:// on top of the system
    // store ("" = the system store only), e.g. a private CA's certificate.
    // lws only logs a file it cannot load and then refuses every server, so
    // callers check it first with check_ca_file().
    std::string ca_file;
  };

  NativeTransport();
  explicit NativeTransport(Options options);
  ~NativeTransport() override;

  NativeTransport(const NativeTransport&) = delete;
  NativeTransport& operator=(const NativeTransport&) = delete;

  // ws://host[:port][/path][?query], also wss:// (TLS: the system CA store
  // plus Options::ca_file) and IPv6 literals ("ws://[::1]:8080/ws").
  bool connect(std::string_view url, const std::vector<std::string>& subprotocols) override;
  bool send_text(std::string_view text) override;
  // Sends a close frame when open and waits briefly (at most ~300 ms) for the
  // handshake, then tears the connection down.
  void close(int code = 1000, std::string_view reason = {}) override;
  void poll(std::vector<TransportEvent>& out) override;

  // What lws is given for a URL (WsUrl::parse; exposed for tests).
  using Url = WsUrl;
  static bool parse_url(std::string_view url, Url& out);

  // "" when `path` is a readable file holding at least one PEM certificate;
  // otherwise why not, naming the file (for a startup error).
  static std::string check_ca_file(const std::string& path);

 private:
  class Connection;  // lws state: keeps libwebsockets.h out of this header
  Options options_;
  std::unique_ptr<Connection> connection_;
};

}  // namespace hubchat::client
