// The one clock the generator uses: CLOCK_MONOTONIC (std::chrono::steady_clock) in ns.
#pragma once

#include <cstdint>
#include <ctime>

namespace hubchat::bench {

inline std::int64_t now_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

inline std::int64_t seconds_to_ns(double s) {
  return static_cast<std::int64_t>(s * 1e9);
}

}  // namespace hubchat::bench
