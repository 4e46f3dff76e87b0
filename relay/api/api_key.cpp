#include "relay/api/api_key.hpp"

#include <openssl/crypto.h>

#include <fstream>

namespace hubchat::relay {

bool ApiKeyGate::matches(std::string_view authorization) const {
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.size() != kBearer.size() + key_.size()) return false;
  if (authorization.substr(0, kBearer.size()) != kBearer) return false;
  // Same length as the key here, so only the content can differ: compared
  // without an early exit.
  return CRYPTO_memcmp(authorization.data() + kBearer.size(), key_.data(), key_.size()) == 0;
}

void ApiKeyGate::prune(Clock::time_point now) {
  std::erase_if(failures_, [&](const auto& entry) { return now - entry.second.since >= kWindow; });
  // Still too many live windows: forget the oldest half of them at once, so
  // a flood pays for the scan rarely.
  while (failures_.size() >= kMaxTracked) {
    auto oldest = failures_.begin();
    for (auto it = failures_.begin(); it != failures_.end(); ++it)
      if (it->second.since < oldest->second.since) oldest = it;
    failures_.erase(oldest);
  }
}

ApiAuth ApiKeyGate::check(std::string_view address, std::string_view authorization,
                          Clock::time_point now) {
  auto it = failures_.find(std::string(address));
  if (it != failures_.end() && now - it->second.since >= kWindow) {
    failures_.erase(it);
    it = failures_.end();
  }
  // A throttled address is not told whether this guess was right.
  if (it != failures_.end() && it->second.count >= kMaxFailures) return ApiAuth::throttled;
  if (matches(authorization)) return ApiAuth::ok;
  if (it == failures_.end()) {
    if (failures_.size() >= kMaxTracked) prune(now);
    it = failures_.emplace(std::string(address), Failures{now, 0}).first;
  }
  ++it->second.count;
  return ApiAuth::unauthorized;
}

std::optional<std::string> load_api_key(const std::string& path, std::string& error) {
  std::ifstream in(path);
  if (!in) {
    error = "cannot read " + path;
    return std::nullopt;
  }
  std::string line;
  std::getline(in, line);
  constexpr std::string_view kSpace = " \t\r\n";
  const auto begin = line.find_first_not_of(kSpace);
  const auto end = line.find_last_not_of(kSpace);
  std::string key = begin == std::string::npos ? "" : line.substr(begin, end - begin + 1);
  if (key.size() < kMinApiKeyBytes) {
    error = path + ": the API key must be at least " + std::to_string(kMinApiKeyBytes) + " bytes";
    return std::nullopt;
  }
  return key;
}

}  // namespace hubchat::relay
