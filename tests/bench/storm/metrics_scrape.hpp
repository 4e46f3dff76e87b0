// Reads the relay's /metrics from the driver itself, so a scrape sits exactly
// between two steps of a scenario (before and after an attack, at the last
// welcome of a storm): a blocking HTTP/1.0 GET with a deadline, and a lookup
// of one sample in Prometheus text.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hubchat::bench {

// Body of GET `path` from host:port, or nullopt (refused, timeout, not 200).
std::optional<std::string> http_get(const std::string& host, int port, std::string_view path,
                                    double timeout_s);

// Value of the sample named exactly `name` (no labels) in Prometheus text.
std::optional<double> metric_value(std::string_view text, std::string_view name);

}  // namespace hubchat::bench
