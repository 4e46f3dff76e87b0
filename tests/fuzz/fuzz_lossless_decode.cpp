// Fuzzes the lossless decoder: any input either decodes or yields a
// documented error code, and whatever decodes re-encodes to an equal event.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "shared/lossless_codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view line(reinterpret_cast<const char*>(data), size);
  hubchat::Event event;
  hubchat::lossless::DecodeError error;
  if (!hubchat::lossless::decode(line, event, error)) {
    if (error.code != "bad_json" && error.code != "bad_event") std::abort();
    return 0;
  }
  std::string encoded = hubchat::lossless::encode(event);
  if (encoded.find('\n') != std::string::npos) std::abort();
  hubchat::Event again;
  if (!hubchat::lossless::decode(encoded, again, error)) std::abort();
  // Fields a type does not carry are dropped by encode(); compare re-encodings.
  if (hubchat::lossless::encode(again) != encoded) std::abort();
  return 0;
}
