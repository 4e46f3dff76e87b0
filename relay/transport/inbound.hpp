// What the readPump does with the bytes lws hands it, without lws: reassemble
// fragments up to the limit, enforce the input rules (text only, UTF-8,
// size, rate), decode in the session's dialect and pass requests to the hub.
// Kept lws-free so it can be fuzzed and unit-tested.
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

#include "relay/auth/access_policy.hpp"
#include "relay/hub/hub.hpp"
#include "relay/ops/metrics.hpp"
#include "relay/ops/options.hpp"
#include "relay/transport/session.hpp"

namespace hubchat::relay {

struct Fragment {
  std::string_view data;
  bool binary = false;
  bool last = true;  // the final piece of the message
};

// A close the caller must perform now; code 0 means keep the connection.
struct CloseAction {
  std::uint16_t code = 0;
  const char* reason = "";
  CloseReason counted_as = CloseReason::peer;
  explicit operator bool() const { return code != 0; }
};

// `access`: the relay's AccessPolicy (null: everyone may do everything).
CloseAction on_fragment(const Options& options, Hub& hub, Session& session, Fragment fragment,
                        std::chrono::steady_clock::time_point now, AccessPolicy* access = nullptr);

}  // namespace hubchat::relay
