// Fuzzes batch splitting and the batcher: splitting never yields an empty or
// '\n'-containing line, and packing the lines into frames preserves every
// byte and boundary.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "shared/batcher.hpp"
#include "shared/legacy_codec.hpp"
#include "shared/lossless_codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::size_t limit = 16 + data[0] * 4;
  std::string_view frame(reinterpret_cast<const char*>(data + 1), size - 1);
  auto lines = hubchat::lossless::split_batch(frame);
  for (auto line : lines)
    if (line.empty() || line.find('\n') != std::string_view::npos) std::abort();

  hubchat::FrameBatcher batcher(limit, 8);
  std::size_t next = 0;
  std::string rejoined;
  while (next < lines.size()) {
    batcher.clear();
    while (next < lines.size() && batcher.add(lines[next])) ++next;
    if (batcher.empty()) std::abort();  // the first event always fits
    if (batcher.events() > 1 && batcher.frame().size() > limit) std::abort();
    // The frame is exactly the lines joined by '\n': split on every '\n'.
    for (auto part : hubchat::legacy::split_frame(batcher.frame())) {
      rejoined += part;
      rejoined += '\n';
    }
  }
  std::string expected;
  for (auto line : lines) {
    expected += line;
    expected += '\n';
  }
  if (rejoined != expected) std::abort();
  return 0;
}
