// Reconnect delay schedule for the chat client: exponential backoff with
// jitter (full or decorrelated, after the AWS architecture blog's analysis),
// base 0.5 s, cap 15 s. Deterministic given an injected random source so the
// schedule can be unit-tested. Pure C++ (no OS headers): builds with em++.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>

namespace hubchat::client {

class Backoff {
 public:
  enum class Jitter {
    // delay = uniform(0, min(cap, base * 2^attempt)). Spreads a thundering
    // herd best; a delay may be close to 0.
    full,
    // delay = min(cap, uniform(base, previous * 3)). Never below base.
    decorrelated,
  };

  struct Options {
    std::chrono::milliseconds base{500};
    std::chrono::milliseconds cap{15000};
    Jitter jitter = Jitter::full;
  };

  // Returns a uniformly distributed number in [0, 1). Injected so tests can
  // make the schedule deterministic.
  using Random = std::function<double()>;

  // Default options, random source seeded from std::random_device.
  Backoff();
  explicit Backoff(Options options);
  Backoff(Options options, Random random);

  // Delay to wait before the next connection attempt, and advances the
  // attempt counter. Always within [0, cap] (full) or [base, cap]
  // (decorrelated).
  std::chrono::milliseconds next();

  // Upper bound of the delay the next call to next() can return (the
  // "ceiling" before jitter). Useful for tests and for display.
  std::chrono::milliseconds next_ceiling() const;

  // Forget the failures: call after a successful connection.
  void reset();

  // Number of next() calls since construction or the last reset().
  int attempt() const { return attempt_; }

  const Options& options() const { return options_; }

 private:
  Options options_;
  Random random_;
  int attempt_ = 0;
  std::chrono::milliseconds previous_{0};  // decorrelated: last delay returned
};

}  // namespace hubchat::client
