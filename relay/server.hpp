// The relay server: one lws context, one service thread. Owns the hub, the
// metrics and the pumps' shared scratch frame, and routes lws callbacks:
// WebSocket traffic to the pumps (read_pump.cpp, write_pump.cpp), GET
// /healthz and /metrics to http_routes, everything else under / to the
// --web-root mount.
#pragma once

#include <libwebsockets.h>

#include <array>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "relay/hub.hpp"
#include "relay/metrics.hpp"
#include "relay/options.hpp"
#include "relay/pumps.hpp"
#include "shared/batcher.hpp"

namespace hubchat::relay {

class Server {
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
  // A timer that keeps the service loop turning during shutdown.
  struct ShutdownTick {
    lws_sorted_usec_list_t sul;  // first member: the callback casts back
    lws_context* context;
  };
  static void on_shutdown_tick(lws_sorted_usec_list_t* sul);
  // The --flush-interval timer: wakes the readers of rooms with new events.
  struct FlushTick {
    lws_sorted_usec_list_t sul;  // first member: the callback casts back
    Server* server;
  };
  static void on_flush_tick(lws_sorted_usec_list_t* sul);

  int on_callback(lws* wsi, lws_callback_reasons reason, void* user, void* in, std::size_t len);
  bool origin_allowed(lws* wsi) const;
  void on_established(lws* wsi, Session& session);
  void begin_shutdown();

  const Options& options_;
  Metrics metrics_;
  Hub hub_;
  FrameBatcher batcher_;
  PumpContext pumps_;
  std::array<lws_protocols, 3> protocols_{};  // must outlive the context
  std::vector<lws_http_mount> mounts_;
  std::unordered_map<std::string, std::size_t> connections_per_ip_;
  lws_retry_bo_t retry_{};
  ShutdownTick shutdown_tick_{};
  FlushTick flush_tick_{};
  std::unique_ptr<lws_context, ContextDeleter> context_;
};

}  // namespace hubchat::relay
