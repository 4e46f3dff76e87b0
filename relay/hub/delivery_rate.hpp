// How many deliveries a second the relay is offering its readers (an event
// times the members it goes to), smoothed over about a second: the fan-out's
// measure of "busy". An exponential average, so one number per relay and no
// per-event history.
#pragma once

#include <cmath>
#include <cstddef>

namespace hubchat::relay {

class DeliveryRate {
 public:
  static constexpr double kSeconds = 1.0;  // the time constant

  // `deliveries` were offered at `now` (seconds, monotonic).
  void add(double now, std::size_t deliveries) {
    decay_to(now);
    weight_ += static_cast<double>(deliveries);
  }
  // Deliveries a second, as of `now`.
  double per_second(double now) {
    decay_to(now);
    return weight_ / kSeconds;
  }

 private:
  void decay_to(double now) {
    if (now > at_) weight_ *= std::exp(-(now - at_) / kSeconds);
    at_ = now;
  }
  double weight_ = 0;
  double at_ = 0;
};

}  // namespace hubchat::relay
