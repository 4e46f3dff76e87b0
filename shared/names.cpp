#include "shared/names.hpp"

#include <cstdint>

#include "shared/utf8.hpp"

namespace hubchat {
namespace {

// Decodes the code point at text[i] (text is valid UTF-8) and advances i.
std::uint32_t next_code_point(std::string_view text, std::size_t& i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[i + k]); };
  std::uint32_t cp;
  std::size_t len;
  if (byte(0) < 0x80) {
    cp = byte(0), len = 1;
  } else if (byte(0) < 0xE0) {
    cp = byte(0) & 0x1F, len = 2;
  } else if (byte(0) < 0xF0) {
    cp = byte(0) & 0x0F, len = 3;
  } else {
    cp = byte(0) & 0x07, len = 4;
  }
  for (std::size_t k = 1; k < len; ++k) cp = (cp << 6) | (byte(k) & 0x3F);
  i += len;
  return cp;
}

bool is_forbidden(std::uint32_t cp) {
  return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) ||       // controls
         (cp >= 0x202A && cp <= 0x202E) ||                // bidi embeddings/overrides
         (cp >= 0x2066 && cp <= 0x2069) ||                // bidi isolates
         cp == 0x200E || cp == 0x200F || cp == 0x061C ||  // bidi marks
         cp == 0x2028 || cp == 0x2029;                    // line/paragraph separators
}

}  // namespace

bool is_valid_name(std::string_view name, std::size_t max_bytes) {
  if (name.empty() || name.size() > max_bytes || !is_valid_utf8(name)) return false;
  if (name.front() == ' ' || name.back() == ' ') return false;
  for (std::size_t i = 0; i < name.size();)
    if (is_forbidden(next_code_point(name, i))) return false;
  return true;
}

}  // namespace hubchat
