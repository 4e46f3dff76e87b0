// What one worker thread counted; merged across threads for the report.
#pragma once

#include <cstdint>
#include <map>

#include "tests/bench/loadgen/latency_histogram.hpp"

namespace hubchat::bench {

struct Stats {
  // connections
  std::uint64_t connected = 0;                    // reached ready (lossless: got the welcome)
  std::uint64_t connect_failures = 0;             // refused, reset or timed out before ready
  std::map<std::uint16_t, std::uint64_t> closes;  // close frames received, by code
  std::uint64_t hangups = 0;                      // EOF/reset after ready without a close frame
  std::uint64_t protocol_errors = 0;              // malformed frames from the server
  std::uint64_t pings = 0;                        // pings answered
  // sending
  std::uint64_t sent = 0;
  std::uint64_t sent_in_window = 0;   // send stamp in [warm-up end, measure end)
  std::uint64_t max_send_lag_ns = 0;  // open-loop: worst lateness behind schedule
  // receiving
  std::uint64_t delivered = 0;            // our messages received, any time
  std::uint64_t delivered_in_window = 0;  // ... whose send stamp is in the window
  std::uint64_t received_in_window = 0;   // ... received (clock) inside the window
  std::uint64_t frames_in_window = 0;     // text frames received inside the window
  std::uint64_t frames = 0;
  std::uint64_t largest_frame = 0;  // payload bytes of the largest data frame
  std::uint64_t bytes = 0;
  std::uint64_t gaps = 0;          // times a sender's seq jumped forward
  std::uint64_t missing = 0;       // seqs skipped by those jumps
  std::uint64_t duplicates = 0;    // same seq as the last one from that sender
  std::uint64_t out_of_order = 0;  // seq below the last one from that sender
  std::uint64_t foreign = 0;       // bodies that are not this run's
  std::uint64_t other_events = 0;  // lossless join/leave/welcome... lines
  LatencyHistogram latency;        // ns, messages sent in the window

  void merge(const Stats& other);
  std::uint64_t closes_total() const;
};

// The counters that add up across threads (the closes map, the maxima and the
// histogram merge their own way, below). A new counter goes here once.
inline constexpr std::uint64_t Stats::*kSummedCounters[] = {
    &Stats::connected,
    &Stats::connect_failures,
    &Stats::hangups,
    &Stats::protocol_errors,
    &Stats::pings,
    &Stats::sent,
    &Stats::sent_in_window,
    &Stats::delivered,
    &Stats::delivered_in_window,
    &Stats::received_in_window,
    &Stats::frames_in_window,
    &Stats::frames,
    &Stats::bytes,
    &Stats::gaps,
    &Stats::missing,
    &Stats::duplicates,
    &Stats::out_of_order,
    &Stats::foreign,
    &Stats::other_events,
};

inline void Stats::merge(const Stats& o) {
  for (auto counter : kSummedCounters) this->*counter += o.*counter;
  for (const auto& [code, n] : o.closes) closes[code] += n;
  if (o.max_send_lag_ns > max_send_lag_ns) max_send_lag_ns = o.max_send_lag_ns;
  if (o.largest_frame > largest_frame) largest_frame = o.largest_frame;
  latency.merge(o.latency);
}

inline std::uint64_t Stats::closes_total() const {
  std::uint64_t n = 0;
  for (const auto& [code, count] : closes) n += count;
  return n;
}

}  // namespace hubchat::bench
