// What an allocation really takes from the heap, for memory bounds that must
// match what the process holds: glibc's malloc rounds each request up to a
// 16-byte chunk with an 8-byte header (32 bytes at least), and a std::string
// of up to 15 characters allocates nothing (its buffer is inline).
#pragma once

#include <cstddef>
#include <string>

namespace hubchat {

constexpr std::size_t heap_chunk_bytes(std::size_t requested) {
  if (requested == 0) return 0;
  const std::size_t chunk = (requested + 8 + 15) & ~std::size_t{15};
  return chunk < 32 ? 32 : chunk;
}

inline std::size_t heap_bytes(const std::string& text) {
  constexpr std::size_t kInline = 15;  // libstdc++'s short-string buffer
  return text.capacity() > kInline ? heap_chunk_bytes(text.capacity() + 1) : 0;
}

}  // namespace hubchat
