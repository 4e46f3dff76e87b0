// Log-linear latency histogram (HdrHistogram-style): values below 2^kLinearBits
// are counted exactly; above, each power-of-two range is split into
// 2^(kLinearBits-1) equal buckets, so a reported value is within 1/128 (0.8%)
// of the true one. Fixed-size counters, no per-sample storage, mergeable.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace hubchat::bench {

class LatencyHistogram {
 public:
  static constexpr unsigned kLinearBits = 8;  // exact below 256
  static constexpr std::size_t kSubBuckets = std::size_t{1} << (kLinearBits - 1);
  static constexpr std::size_t kBuckets =
      (std::size_t{1} << kLinearBits) + (64 - kLinearBits) * kSubBuckets;

  void record(std::uint64_t value) {
    ++counts_[index_of(value)];
    ++total_;
    if (value > max_) max_ = value;
    if (value < min_) min_ = value;
  }
  void merge(const LatencyHistogram& other);
  void reset();

  std::uint64_t count() const { return total_; }
  std::uint64_t max() const { return total_ ? max_ : 0; }
  std::uint64_t min() const { return total_ ? min_ : 0; }
  // Smallest recorded-bucket value v such that at least `quantile` of samples
  // are <= v (reported as the bucket's upper bound, capped at max()).
  // quantile in [0, 1]; 0 when empty.
  std::uint64_t percentile(double quantile) const;
  double mean() const;

  static std::size_t index_of(std::uint64_t value);
  static std::uint64_t lowest_of(std::size_t index);   // smallest value in bucket
  static std::uint64_t highest_of(std::size_t index);  // largest value in bucket

 private:
  std::array<std::uint64_t, kBuckets> counts_{};
  std::uint64_t total_ = 0;
  std::uint64_t max_ = 0;
  std::uint64_t min_ = UINT64_MAX;
};

}  // namespace hubchat::bench
