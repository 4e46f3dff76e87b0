// Reconnect delays for a crowd: exponential backoff with full jitter (a
// uniformly random delay up to the capped exponential), so 10,000 clients
// dropped at the same instant do not come back at the same instant either.
#pragma once

#include <cstdint>

namespace hubchat::bench {

struct BackoffPolicy {
  double base_s = 0.1;  // attempt 0 waits up to this long
  double cap_s = 2.0;   // no attempt waits longer
  unsigned max_attempts = 12;
};

// Delay before reconnect attempt `attempt` (0 = the first after a drop);
// `unit` is a random number in [0, 1).
std::int64_t backoff_delay_ns(const BackoffPolicy& policy, unsigned attempt, double unit);

}  // namespace hubchat::bench
