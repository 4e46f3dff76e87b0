// Bucket arithmetic and percentiles of LatencyHistogram.
#include "tests/bench/loadgen/latency_histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace hubchat::bench {

std::size_t LatencyHistogram::index_of(std::uint64_t value) {
  constexpr std::uint64_t kLinear = std::uint64_t{1} << kLinearBits;
  if (value < kLinear) return static_cast<std::size_t>(value);
  const unsigned msb = 63u - static_cast<unsigned>(std::countl_zero(value));  // >= kLinearBits
  const unsigned shift = msb - (kLinearBits - 1);
  const std::size_t sub = static_cast<std::size_t>(value >> shift) & (kSubBuckets - 1);
  return static_cast<std::size_t>(kLinear) + (msb - kLinearBits) * kSubBuckets + sub;
}

std::uint64_t LatencyHistogram::lowest_of(std::size_t index) {
  constexpr std::size_t kLinear = std::size_t{1} << kLinearBits;
  if (index < kLinear) return index;
  const std::size_t octave = (index - kLinear) / kSubBuckets;  // msb - kLinearBits
  const std::size_t sub = (index - kLinear) % kSubBuckets;
  const unsigned msb = static_cast<unsigned>(octave) + kLinearBits;
  const unsigned shift = msb - (kLinearBits - 1);
  return (std::uint64_t{kSubBuckets + sub}) << shift;
}

std::uint64_t LatencyHistogram::highest_of(std::size_t index) {
  if (index + 1 >= kBuckets) return UINT64_MAX;
  return lowest_of(index + 1) - 1;
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  for (std::size_t i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
  total_ += other.total_;
  max_ = std::max(max_, other.max_);
  min_ = std::min(min_, other.min_);
}

void LatencyHistogram::reset() {
  *this = LatencyHistogram{};
}

std::uint64_t LatencyHistogram::percentile(double quantile) const {
  if (total_ == 0) return 0;
  quantile = std::clamp(quantile, 0.0, 1.0);
  auto rank = static_cast<std::uint64_t>(std::ceil(quantile * static_cast<double>(total_)));
  rank = std::clamp<std::uint64_t>(rank, 1, total_);
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < kBuckets; ++i) {
    seen += counts_[i];
    if (seen >= rank) return std::clamp(highest_of(i), min(), max_);
  }
  return max_;
}

double LatencyHistogram::mean() const {
  if (total_ == 0) return 0;
  long double sum = 0;
  for (std::size_t i = 0; i < kBuckets; ++i) {
    if (counts_[i] == 0) continue;
    const long double lo = static_cast<long double>(lowest_of(i));
    const long double hi = static_cast<long double>(highest_of(i));
    sum += counts_[i] * (lo + hi) / 2;
  }
  return static_cast<double>(sum / total_);
}

}  // namespace hubchat::bench
