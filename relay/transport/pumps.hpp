// The two pumps of the seed's design, as lws service-loop callbacks:
//   read_pump  = LWS_CALLBACK_RECEIVE: socket -> hub
//   write_pump = LWS_CALLBACK_SERVER_WRITEABLE: room log -> socket
// Both return 0 to keep the connection, -1 to close it (the close code and
// reason are set with lws_close_reason before returning -1).
#pragma once

#include <cstddef>

#include "relay/auth/access_policy.hpp"
#include "relay/hub/hub.hpp"
#include "relay/ops/metrics.hpp"
#include "relay/ops/options.hpp"
#include "relay/transport/session.hpp"
#include "shared/batcher.hpp"

struct lws;

namespace hubchat::relay {

// What both pumps work with; one instance, owned by the server.
struct PumpContext {
  const Options& options;
  Hub& hub;
  Metrics& metrics;
  FrameBatcher& batcher;  // shared scratch frame: no per-recipient allocation
  bool shutting_down = false;
  AccessPolicy* access = nullptr;  // trust: who may join and post (null: everyone)
};

int read_pump(PumpContext& ctx, lws* wsi, Session& session, const char* data, std::size_t len);
int write_pump(PumpContext& ctx, lws* wsi, Session& session);
// The flush timer's shortcut: writes the session's next frame now, outside a
// writable callback. False when it must wait for write_pump instead.
bool push_frame(PumpContext& ctx, Session& session);

// Closes now with the code and reason the session was marked with
// (Delivery::close): returns -1 for the callback to return. The close is
// counted in the metrics when the connection is gone.
int close_now(lws* wsi, const Session& session);

}  // namespace hubchat::relay
