#pragma once
// Record-batch compression codecs, with the framings Kafka uses:
//   gzip   - RFC 1952 gzip stream (zlib)
//   snappy - xerial snappy-java framing (magic "\x82SNAPPY\0", version, compatible
//            version, then [int32 length, snappy block]...) on compress; decompress
//            accepts xerial framing and a raw snappy block
//   lz4    - LZ4 frame format (KIP-57: correct header checksum)
//   zstd   - zstd frame
// Decompression is bounded: output larger than `max_output` throws decode_error,
// so a small malicious input cannot exhaust memory.

#include "protocol/codec.h"

#include <string_view>

namespace sluice::protocol {

enum class compression : int8_t { none = 0, gzip = 1, snappy = 2, lz4 = 3, zstd = 4 };

std::string_view compression_name(compression c);
// Accepts Kafka's names: none, gzip, snappy, lz4, zstd (and "uncompressed", "producer"
// are handled by config, not here). Returns false for anything else.
bool parse_compression(std::string_view name, compression& out);

bytes compress(compression c, byte_view input, int level = -1);
bytes decompress(compression c, byte_view input, size_t max_output = 256u << 20);

}  // namespace sluice::protocol
