// Fuzzes the UTF-8 validator against a straightforward reference decoder,
// and checks the name rules and prefix cutting never accept invalid text.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "shared/names.hpp"
#include "shared/utf8.hpp"

namespace {

// Reference: decode each sequence fully and check the code point's range.
bool reference_valid(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    std::size_t len;
    std::uint32_t cp, min;
    if (c < 0x80) {
      len = 1;
      cp = c;
      min = 0;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
      min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
      min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
      min = 0x10000;
    } else
      return false;
    if (i + len > s.size()) return false;
    for (std::size_t k = 1; k < len; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  const bool valid = hubchat::is_valid_utf8(text);
  if (valid != reference_valid(text)) std::abort();
  if (hubchat::is_valid_name(text, 64) && !valid) std::abort();
  if (valid) {
    std::size_t cut = hubchat::utf8_prefix_length(text, size / 2);
    if (cut > size / 2 || !hubchat::is_valid_utf8(text.substr(0, cut))) std::abort();
  }
  return 0;
}
