// The relay server: one lws context on the relay's event loop (libev/epoll),
// one thread. Owns the hub, the metrics and the pumps' shared scratch frame,
// and routes lws callbacks:
// WebSocket traffic to the pumps (read_pump.cpp, write_pump.cpp), GET
// /healthz and /metrics to http_routes, every other GET or HEAD to the
// --web-root files (static_files).
#pragma once

#include <libwebsockets.h>

#include <array>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "relay/auth/access_policy.hpp"
#include "relay/broker/broker.hpp"
#include "relay/http/api_routes.hpp"
#include "relay/http/static_files.hpp"
#include "relay/hub/hub.hpp"
#include "relay/ops/log.hpp"
#include "relay/ops/metrics.hpp"
#include "relay/ops/options.hpp"
#include "relay/transport/event_loop.hpp"
#include "relay/transport/pumps.hpp"
#include "relay/transport/reuse_port_listener.hpp"
#include "shared/batcher.hpp"

namespace hubchat::relay {

class Server final : private HubDriver {
 public:
  explicit Server(const Options& options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Serves until SIGINT/SIGTERM, then closes every client with 1001.
  // Returns the process exit code.
  int run();

  // The one lws callback for every protocol (lws takes a plain function).
  static int callback_c(lws* wsi, lws_callback_reasons reason, void* user, void* in,
                        std::size_t len);

 private:
  struct ContextDeleter {
    void operator()(lws_context* context) const;
  };

  int on_callback(lws* wsi, lws_callback_reasons reason, void* user, void* in, std::size_t len);
  // HubDriver: how the hub reaches sockets and timers.
  void wake(Session& session) override;
  bool push(Session& session) override;
  void arm_flush(unsigned delay_ms) override;
  double now() const override;
  void flush_next_turn() override;
  void arm_presence_flush() override;
  void log_moderation(std::string_view action, std::string_view who, std::string_view room,
                      std::string_view target) override;
  void api_published(std::uint64_t ticket, bool accepted, std::uint64_t seq) override {
    api_.published(ticket, accepted, seq);
  }

  bool origin_allowed(lws* wsi) const;
  void on_established(lws* wsi, Session& session);
  // The client's address (--trusted-proxy aware); `peer_port`, if given, gets its port.
  std::string client_address_of(lws* wsi, std::uint16_t* peer_port = nullptr) const;
  void log_connection_end(const Session& session) const;
  void on_stop_signal();
  void begin_shutdown();

  const Options& options_;
  EventLoop loop_;  // outlives the context, which runs on it
  // --flush-interval: wakes the readers of rooms with new events.
  EventLoop::Timer flush_timer_;
  EventLoop::Timer next_turn_;  // keeps the loop from waiting while the hub has work left
  // --presence-interval: sends each room's gathered presence changes.
  EventLoop::Timer presence_timer_;
  // lws 4.1's libev glue can miss an earlier deadline for its own timers
  // (handshake and ping timeouts) while a later one is armed; waking lws
  // every 100 ms bounds how late they can be.
  EventLoop::Timer lws_timer_kick_;
  EventLoop::Timer shutdown_timer_;  // polls for the last client to go
  // --auth-key: closes connections whose token ran out (once a second).
  EventLoop::Timer expiry_timer_;
  std::chrono::steady_clock::time_point shutdown_deadline_{};
  Log log_;
  Metrics metrics_;
  // --redis: the Redis broker; null: the hub's own in-memory broker.
  std::unique_ptr<Broker> broker_;
  Hub hub_;
  AccessPolicy access_;  // tokens, --anonymous, --private-room
  ApiRoutes api_;        // /api/* (--api-key-file)
  FrameBatcher batcher_;
  PumpContext pumps_;
  std::array<lws_protocols, 3> protocols_{};  // must outlive the context
  lws_http_mount mount_{};                    // "/", to our callback; outlives the context
  std::optional<WebRoot> web_root_;           // --web-root, if given
  std::unordered_map<std::string, std::size_t> connections_per_ip_;
  lws_retry_bo_t retry_{};
  std::unique_ptr<ReusePortListener> listener_;  // --reuse-port: our socket, not lws's
  std::unique_ptr<lws_context, ContextDeleter> context_;
};

}  // namespace hubchat::relay
