// The operator API's gate (--api-key-file): a request is let in when its
// `Authorization: Bearer KEY` names the configured key, compared in constant
// time so the answer's timing says nothing about how much of a guess was
// right. Guessing is also throttled: an address with kMaxFailures wrong or
// missing keys within kWindow is answered 429 until that window has passed,
// whatever it sends. lws-free, so it is unit-testable.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace hubchat::relay {

enum class ApiAuth : unsigned char { ok, unauthorized, throttled };

class ApiKeyGate {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::size_t kMaxFailures = 10;
  static constexpr std::chrono::seconds kWindow{60};
  // Addresses remembered at most (a flood of distinct addresses cannot grow
  // the map without bound: the oldest windows are dropped first).
  static constexpr std::size_t kMaxTracked = 4096;

  explicit ApiKeyGate(std::string key) : key_(std::move(key)) {}

  // `authorization`: the header's value ("" when absent).
  ApiAuth check(std::string_view address, std::string_view authorization, Clock::time_point now);

 private:
  struct Failures {
    Clock::time_point since;  // start of the current window
    std::size_t count = 0;
  };
  bool matches(std::string_view authorization) const;
  void prune(Clock::time_point now);

  std::string key_;
  std::unordered_map<std::string, Failures> failures_;
};

// Reads the key from `path`: the file's first line, surrounding whitespace
// trimmed. nullopt (and `error`) if it cannot be read or is shorter than
// kMinApiKeyBytes.
inline constexpr std::size_t kMinApiKeyBytes = 16;
std::optional<std::string> load_api_key(const std::string& path, std::string& error);

}  // namespace hubchat::relay
