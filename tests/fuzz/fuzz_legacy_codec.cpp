// Fuzzes the legacy codec: a normalized message has no newline and no outer
// white space; split_frame is the inverse of joining with '\n'.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "shared/legacy_codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string normalized = hubchat::legacy::normalize_incoming(input);
  if (normalized.find('\n') != std::string::npos) std::abort();
  if (!normalized.empty() && (normalized.front() == ' ' || normalized.back() == ' ')) std::abort();
  if (hubchat::legacy::encode_body(input).size() != input.size()) std::abort();

  auto parts = hubchat::legacy::split_frame(input);
  std::string joined;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i) joined += '\n';
    joined += parts[i];
  }
  if (joined != input) std::abort();
  return 0;
}
