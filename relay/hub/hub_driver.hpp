// What the hub needs from the transport (the server, or a test): wake a
// session's write pump, write to it now, and run the hub's timers.
#pragma once

#include <cstdint>
#include <string_view>

namespace hubchat::relay {

struct Session;

class HubDriver {
 public:
  // Asks for the session's write pump to run soon.
  virtual void wake(Session& session) = 0;
  // Writes the session's next frame now if the transport can; false when
  // it has to wait for the write pump instead.
  virtual bool push(Session& session) = 0;
  // Asks for Hub::flush() after `delay_ms` (a gathering delay: the fixed
  // --flush-interval, or a busy room's --coalesce-ms).
  virtual void arm_flush(unsigned delay_ms) = 0;
  // The loop's clock, in seconds (monotonic; fixed within a loop turn).
  virtual double now() const = 0;
  // Keeps the loop from sleeping: Hub::end_of_turn() has work left and
  // runs again once the loop has looked at its sockets.
  virtual void flush_next_turn() = 0;
  // Asks for Hub::flush_presence() after --presence-interval.
  virtual void arm_presence_flush() = 0;
  // A moderation action was taken: logged by the server (who, what, where, target).
  virtual void log_moderation(std::string_view /*action*/, std::string_view /*who*/,
                              std::string_view /*room*/, std::string_view /*target*/) {}
  // The verdict on Hub::publish_as(ticket): accepted with `seq`, or not
  // posted (the broker was unavailable). For the operator API; a driver
  // without it ignores it.
  virtual void api_published(std::uint64_t /*ticket*/, bool /*accepted*/, std::uint64_t /*seq*/) {}

 protected:
  ~HubDriver() = default;
};

}  // namespace hubchat::relay
