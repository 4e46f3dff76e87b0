// The relay's log: lines on stderr (journald adds the time and the unit), at
// most --log-level. At the default level (info) the relay writes a line at
// startup and shutdown and one per connection end, never one per message.
#pragma once

#include <cstdarg>
#include <optional>
#include <string_view>

namespace hubchat::relay {

enum class LogLevel { error, warn, info, debug };

std::optional<LogLevel> parse_log_level(std::string_view name);

class Log {
 public:
  explicit Log(LogLevel level) : level_(level) {}
  bool enabled(LogLevel level) const { return level <= level_; }
  void error(const char* format, ...) const __attribute__((format(printf, 2, 3)));
  void warn(const char* format, ...) const __attribute__((format(printf, 2, 3)));
  void info(const char* format, ...) const __attribute__((format(printf, 2, 3)));
  void debug(const char* format, ...) const __attribute__((format(printf, 2, 3)));

 private:
  void write(LogLevel level, const char* format, std::va_list args) const;
  LogLevel level_;
};

}  // namespace hubchat::relay
