#include "relay/broker/jump_hash.hpp"

namespace hubchat::relay {

std::uint64_t fnv1a64(std::string_view bytes) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;  // the FNV-1a 64-bit offset basis
  for (unsigned char byte : bytes) {
    hash ^= byte;
    hash *= 0x100000001b3ULL;  // the FNV 64-bit prime
  }
  return hash;
}

std::uint32_t jump_hash(std::uint64_t key, std::uint32_t buckets) {
  // Walk the key's jumps with a linear congruential generator seeded by the
  // key: each step says where the key would next move as buckets grow; the
  // last jump below `buckets` is its bucket. About ln(buckets) steps.
  std::int64_t bucket = -1;
  std::int64_t next = 0;
  while (next < static_cast<std::int64_t>(buckets)) {
    bucket = next;
    key = key * 2862933555777941757ULL + 1;
    const double fraction = static_cast<double>(1ULL << 31) / static_cast<double>((key >> 33) + 1);
    next = static_cast<std::int64_t>(static_cast<double>(bucket + 1) * fraction);
  }
  return static_cast<std::uint32_t>(bucket);
}

}  // namespace hubchat::relay
