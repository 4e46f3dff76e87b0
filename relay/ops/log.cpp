#include "relay/ops/log.hpp"

#include <cstdio>

namespace hubchat::relay {

std::optional<LogLevel> parse_log_level(std::string_view name) {
  if (name == "error") return LogLevel::error;
  if (name == "warn") return LogLevel::warn;
  if (name == "info") return LogLevel::info;
  if (name == "debug") return LogLevel::debug;
  return std::nullopt;
}

void Log::write(LogLevel level, const char* format, std::va_list args) const {
  if (!enabled(level)) return;
  // One fprintf per line: lines of one process never interleave on stderr.
  char line[1024];
  std::vsnprintf(line, sizeof line, format, args);
  std::fprintf(stderr, "relay: %s\n", line);
}

#define HUBCHAT_LOG_AT(name, level)               \
  void Log::name(const char* format, ...) const { \
    std::va_list args;                            \
    va_start(args, format);                       \
    write(level, format, args);                   \
    va_end(args);                                 \
  }
HUBCHAT_LOG_AT(error, LogLevel::error)
HUBCHAT_LOG_AT(warn, LogLevel::warn)
HUBCHAT_LOG_AT(info, LogLevel::info)
HUBCHAT_LOG_AT(debug, LogLevel::debug)
#undef HUBCHAT_LOG_AT

}  // namespace hubchat::relay
