#pragma once
// Kafka's murmur2 hash and default partitioner, bit-for-bit as the Java client
// computes them (Utils.murmur2, Utils.toPositive, BuiltInPartitioner), so a key
// lands on the same partition whichever client produced it.

#include "protocol/codec.h"

#include <cstdint>
#include <string_view>

namespace sluice::protocol {

// MurmurHash2, 32-bit, seed 0x9747b28c, returned as Java's signed int.
int32_t murmur2(byte_view data);
int32_t murmur2(std::string_view data);

// Java's Utils.toPositive: clears the sign bit (not abs(), which overflows).
constexpr int32_t to_positive(int32_t v) { return v & 0x7fffffff; }

// The partition for a non-null key: toPositive(murmur2(key)) % num_partitions.
// num_partitions must be > 0.
int32_t default_partition(byte_view key, int32_t num_partitions);

}  // namespace sluice::protocol
