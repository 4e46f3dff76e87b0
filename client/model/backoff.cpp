// Reconnect backoff schedule (see backoff.hpp).
#include "client/model/backoff.hpp"

#include <algorithm>
#include <random>

namespace hubchat::client {
namespace {

Backoff::Random default_random() {
  // Seeded per instance: two clients restarted by the same relay restart must
  // not pick the same delays, which is the point of jitter.
  std::random_device device;
  std::mt19937_64 engine{(static_cast<std::uint64_t>(device()) << 32) ^ device()};
  std::uniform_real_distribution<double> unit{0.0, 1.0};
  return [engine, unit]() mutable { return unit(engine); };
}

std::chrono::milliseconds lerp(std::chrono::milliseconds lo, std::chrono::milliseconds hi,
                               double t) {
  // Clamp t: an injected source might return exactly 1.0 (or garbage).
  t = std::clamp(t, 0.0, 1.0);
  const auto span = static_cast<double>((hi - lo).count());
  return lo + std::chrono::milliseconds{static_cast<std::int64_t>(span * t)};
}

}  // namespace

Backoff::Backoff() : Backoff(Options{}) {}

Backoff::Backoff(Options options) : Backoff(options, default_random()) {}

Backoff::Backoff(Options options, Random random)
    : options_(options), random_(random ? std::move(random) : default_random()) {
  if (options_.cap < options_.base) options_.cap = options_.base;
}

std::chrono::milliseconds Backoff::next_ceiling() const {
  if (options_.jitter == Jitter::decorrelated) {
    const auto prev = attempt_ == 0 ? options_.base : previous_;
    return std::min(options_.cap, std::max(options_.base, prev * 3));
  }
  // base * 2^attempt, without overflowing: stop doubling at the cap.
  auto ceiling = options_.base;
  for (int i = 0; i < attempt_ && ceiling < options_.cap; ++i) ceiling *= 2;
  return std::min(ceiling, options_.cap);
}

std::chrono::milliseconds Backoff::next() {
  std::chrono::milliseconds delay;
  if (options_.jitter == Jitter::decorrelated) {
    delay = std::min(options_.cap, lerp(options_.base, next_ceiling(), random_()));
    previous_ = delay;
  } else {
    delay = lerp(std::chrono::milliseconds{0}, next_ceiling(), random_());
  }
  ++attempt_;
  return delay;
}

void Backoff::reset() {
  attempt_ = 0;
  previous_ = std::chrono::milliseconds{0};
}

}  // namespace hubchat::client
