// CPU and memory readings: this process (getrusage) and, by pid, the server
// (/proc/PID/stat utime+stime, /proc/PID/status VmRSS).
#pragma once

#include <sys/types.h>
#include <optional>
#include <string_view>

namespace hubchat::bench {

// User + system CPU seconds of this whole process (all threads).
double self_cpu_seconds();

// User + system CPU seconds of process `pid` (all its threads); nullopt if gone.
std::optional<double> process_cpu_seconds(pid_t pid);

// Resident set size of process `pid` in bytes; nullopt if gone.
std::optional<long long> process_rss_bytes(pid_t pid);

// Parses the text of /proc/PID/stat: utime + stime in clock ticks.
std::optional<unsigned long long> parse_stat_cpu_ticks(std::string_view stat);

// Parses the text of /proc/PID/status: VmRSS in bytes.
std::optional<long long> parse_status_rss_bytes(std::string_view status);

}  // namespace hubchat::bench
