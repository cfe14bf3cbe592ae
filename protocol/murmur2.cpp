#include "protocol/murmur2.h"

#include <stdexcept>

namespace sluice::protocol {

int32_t murmur2(byte_view data) {
    // Java works on signed ints with wrapping arithmetic and >>> shifts; unsigned
    // 32-bit arithmetic gives the same bits.
    constexpr uint32_t seed = 0x9747b28cu;
    constexpr uint32_t m = 0x5bd1e995u;
    constexpr int r = 24;

    const size_t n = data.size();
    uint32_t h = seed ^ uint32_t(n);
    const uint8_t* p = data.data();
    for (size_t i = 0; i + 4 <= n; i += 4) {
        uint32_t k = uint32_t(p[i]) | uint32_t(p[i + 1]) << 8 | uint32_t(p[i + 2]) << 16 |
                     uint32_t(p[i + 3]) << 24;
        k *= m;
        k ^= k >> r;
        k *= m;
        h *= m;
        h ^= k;
    }
    const uint8_t* tail = p + (n & ~size_t(3));
    switch (n & 3) {
        case 3:
            h ^= uint32_t(tail[2]) << 16;
            [[fallthrough]];
        case 2:
            h ^= uint32_t(tail[1]) << 8;
            [[fallthrough]];
        case 1:
            h ^= uint32_t(tail[0]);
            h *= m;
    }
    h ^= h >> 13;
    h *= m;
    h ^= h >> 15;
    return static_cast<int32_t>(h);
}

int32_t murmur2(std::string_view data) {
    return murmur2(byte_view(reinterpret_cast<const uint8_t*>(data.data()), data.size()));
}

int32_t default_partition(byte_view key, int32_t num_partitions) {
    if (num_partitions <= 0) throw std::invalid_argument("default_partition: no partitions");
    return to_positive(murmur2(key)) % num_partitions;
}

}  // namespace sluice::protocol
