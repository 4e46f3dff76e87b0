// Full-jitter backoff (see backoff.hpp).
#include "tests/bench/storm/backoff.hpp"

#include <algorithm>
#include <cmath>

namespace hubchat::bench {

std::int64_t backoff_delay_ns(const BackoffPolicy& policy, unsigned attempt, double unit) {
  // 2^attempt overflows nothing here: the cap is reached long before.
  const double ceiling = std::min(
      policy.cap_s, policy.base_s * std::ldexp(1.0, static_cast<int>(std::min(attempt, 30u))));
  const double delay = ceiling * std::clamp(unit, 0.0, 1.0);
  return static_cast<std::int64_t>(delay * 1e9);
}

}  // namespace hubchat::bench
