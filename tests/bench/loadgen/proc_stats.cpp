// /proc and getrusage readings (see proc_stats.hpp).
#include "tests/bench/loadgen/proc_stats.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <charconv>
#include <fstream>
#include <sstream>
#include <string>

namespace hubchat::bench {
namespace {

std::optional<std::string> slurp(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

double seconds(const timeval& tv) {
  return static_cast<double>(tv.tv_sec) + tv.tv_usec / 1e6;
}

}  // namespace

double self_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

std::optional<unsigned long long> parse_stat_cpu_ticks(std::string_view stat) {
  // "pid (comm) state ppid ... utime(14) stime(15)": comm may hold spaces and
  // ')', so count fields after the last ')'. Field 3 (state) is the first.
  const std::size_t close = stat.rfind(')');
  if (close == std::string_view::npos) return std::nullopt;
  std::string_view rest = stat.substr(close + 1);
  unsigned long long values[2] = {0, 0};
  int field = 2;
  while (!rest.empty() && field < 15) {
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    std::size_t end = rest.find(' ');
    if (end == std::string_view::npos) end = rest.size();
    ++field;
    if (field == 14 || field == 15) {
      auto [p, ec] = std::from_chars(rest.data(), rest.data() + end, values[field - 14]);
      if (ec != std::errc{}) return std::nullopt;
    }
    rest.remove_prefix(end);
  }
  if (field < 15) return std::nullopt;
  return values[0] + values[1];
}

std::optional<long long> parse_status_rss_bytes(std::string_view status) {
  const std::size_t at = status.find("VmRSS:");
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view rest = status.substr(at + 6);
  while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
  long long kb = 0;
  auto [p, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), kb);
  if (ec != std::errc{}) return std::nullopt;
  return kb * 1024;
}

std::optional<double> process_cpu_seconds(pid_t pid) {
  auto text = slurp("/proc/" + std::to_string(pid) + "/stat");
  if (!text) return std::nullopt;
  auto ticks = parse_stat_cpu_ticks(*text);
  if (!ticks) return std::nullopt;
  return static_cast<double>(*ticks) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

std::optional<long long> process_rss_bytes(pid_t pid) {
  auto text = slurp("/proc/" + std::to_string(pid) + "/status");
  if (!text) return std::nullopt;
  return parse_status_rss_bytes(*text);
}

}  // namespace hubchat::bench
