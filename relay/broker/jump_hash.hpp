// Which shard a room lives on: a jump consistent hash (Lamping and Veach,
// "A Fast, Minimal Memory, Consistent Hash Algorithm", 2014) of the 64-bit
// FNV-1a hash of the room name, as Centrifuge picks a Redis shard for a
// channel. Growing from N to N+1 shards moves only about 1/(N+1) of the
// rooms, all of them to the new shard; every relay computes the same answer
// from the name alone (no table to share), as long as it lists the shards
// in the same order.
#pragma once

#include <cstdint>
#include <string_view>

namespace hubchat::relay {

// 64-bit FNV-1a of `bytes`: stable across processes, builds and platforms
// (std::hash is not).
std::uint64_t fnv1a64(std::string_view bytes);

// The bucket in [0, buckets) of `key`; buckets must be at least 1.
std::uint32_t jump_hash(std::uint64_t key, std::uint32_t buckets);

// The shard in [0, shards) of a room.
inline std::uint32_t shard_of(std::string_view room, std::uint32_t shards) {
  return jump_hash(fnv1a64(room), shards);
}

}  // namespace hubchat::relay
