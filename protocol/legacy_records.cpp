#include "protocol/legacy_records.h"

#include "protocol/compression.h"
#include "protocol/record_batch.h"

#include <zlib.h>

#include <optional>
#include <stdexcept>
#include <vector>

namespace sluice::protocol {
namespace {

// One legacy entry, as written by write_legacy_message and read by
// read_message_set (field table in legacy_records.h):
//
// clang-format off
//   +--------+--------+-------+-------+-------+-----------+--------+-----+--------+-------+
//   | offset | msgSize| crc   | magic | attrs | timestamp | keyLen | key | valLen | value |
//   | int64  | int32  | u32   | int8  | int8  | int64     | int32  |     | int32  |       |
//   |        |        |       |       |       | magic 1   | -1=null|     | -1=null|       |
//   +--------+--------+-------+-------+-------+-----------+--------+-----+--------+-------+
//   |<- log overhead->|<------------------- msgSize bytes ------------------------------>|
//                             |<------------------ covered by crc ----------------------->|
// clang-format on
constexpr size_t log_overhead = 12;
constexpr size_t crc_offset = 12;                                // within an entry
constexpr size_t magic_offset = 16;                              // within an entry
constexpr size_t min_message_size_v0 = 4 + 1 + 1 + 4 + 4;        // crc magic attrs keyLen valLen
constexpr size_t min_message_size_v1 = min_message_size_v0 + 8;  // + timestamp
constexpr int8_t timestamp_type_bit = 0x08;
constexpr int8_t codec_mask = 0x07;

struct legacy_error {
    error_code code;
    std::string message;
};

[[noreturn]] void fail(error_code code, std::string message) {
    throw legacy_error{code, std::move(message)};
}

struct legacy_message {
    int64_t offset = 0;
    int8_t magic = 0;
    int8_t attributes = 0;
    int64_t timestamp = -1;
    std::optional<byte_view> key;
    std::optional<byte_view> value;

    compression codec() const { return static_cast<compression>(attributes & codec_mask); }
    bool log_append_time() const { return magic >= 1 && (attributes & timestamp_type_bit); }
};

uint32_t crc32_ieee(const uint8_t* p, size_t n) {
    return static_cast<uint32_t>(crc32_z(crc32(0, nullptr, 0), p, n));
}

std::optional<byte_view> read_legacy_bytes(reader& r, const char* what) {
    int32_t n = r.i32();
    if (n < -1) fail(error_code::corrupt_message, std::string("negative ") + what + " length");
    if (n == -1) return std::nullopt;
    if (size_t(n) > r.remaining())
        fail(error_code::corrupt_message, std::string(what) + " length exceeds the message");
    return r.take(size_t(n));
}

// Reads a whole MessageSet, calling f for each message. Every entry must be whole
// and valid (a producer or a compressor wrote it, nothing cut it short).
template <class F>
void read_message_set(byte_view set, const char* where, F&& f) {
    size_t pos = 0;
    while (pos < set.size()) {
        auto rest = set.subspan(pos);
        if (rest.size() < log_overhead)
            fail(error_code::corrupt_message, std::string("truncated message header in ") + where);
        reader hr(rest.subspan(0, log_overhead));
        legacy_message m;
        m.offset = hr.i64();
        int32_t size = hr.i32();
        if (size < int32_t(min_message_size_v0))
            fail(error_code::corrupt_message,
                 "message size " + std::to_string(size) + " is too small in " + where);
        if (size_t(size) > rest.size() - log_overhead)
            fail(error_code::corrupt_message, std::string("truncated message in ") + where);
        auto body = rest.subspan(crc_offset, size_t(size));
        reader r(body);
        uint32_t stored_crc = r.u32();
        m.magic = r.i8();
        if (m.magic != 0 && m.magic != 1)
            fail(error_code::corrupt_message, "message magic " + std::to_string(m.magic) +
                                                  " in a legacy message set (" + where + ")");
        if (m.magic == 1 && size_t(size) < min_message_size_v1)
            fail(error_code::corrupt_message,
                 "message size " + std::to_string(size) + " is too small in " + where);
        if (crc32_ieee(body.data() + 4, body.size() - 4) != stored_crc)
            fail(error_code::corrupt_message, std::string("message CRC mismatch in ") + where);
        m.attributes = r.i8();
        if (m.magic == 1) m.timestamp = r.i64();
        m.key = read_legacy_bytes(r, "key");
        m.value = read_legacy_bytes(r, "value");
        if (!r.empty())
            fail(error_code::corrupt_message,
                 std::string("trailing bytes in a message in ") + where);
        f(m);
        pos += log_overhead + size_t(size);
    }
}

// XXH32 for inputs shorter than 16 bytes (an LZ4 frame descriptor is at most 14),
// with seed 0, which is what the LZ4 frame header checksum needs.
uint32_t xxh32_short(const uint8_t* p, size_t n) {
    constexpr uint32_t p1 = 2654435761u, p2 = 2246822519u, p3 = 3266489917u, p4 = 668265263u,
                       p5 = 374761393u;
    auto rotl = [](uint32_t x, int r) { return (x << r) | (x >> (32 - r)); };
    uint32_t h = p5 + uint32_t(n);
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        uint32_t k = uint32_t(p[i]) | uint32_t(p[i + 1]) << 8 | uint32_t(p[i + 2]) << 16 |
                     uint32_t(p[i + 3]) << 24;
        h = rotl(h + k * p3, 17) * p4;
    }
    for (; i < n; ++i) h = rotl(h + p[i] * p5, 11) * p1;
    h ^= h >> 15;
    h *= p2;
    h ^= h >> 13;
    h *= p3;
    h ^= h >> 16;
    return h;
}

// LZ4 frame: magic 04 22 4D 18 | FLG | BD | [content size 8] | [dict id 4] | HC.
// HC = (XXH32(FLG .. end of descriptor) >> 8) & 0xff. Kafka 0.8-0.9 hashed the
// magic too; rewrite HC so the standard decoder accepts those frames.
void fix_lz4_header_checksum(bytes& frame) {
    if (frame.size() < 7 || frame[0] != 0x04 || frame[1] != 0x22 || frame[2] != 0x4d ||
        frame[3] != 0x18)
        return;
    uint8_t flg = frame[4];
    size_t descriptor = 2 + ((flg & 0x08) ? 8 : 0) + ((flg & 0x01) ? 4 : 0);
    if (frame.size() < 4 + descriptor + 1) return;
    frame[4 + descriptor] = uint8_t(xxh32_short(frame.data() + 4, descriptor) >> 8);
}

bytes inflate_wrapper(const legacy_message& m, size_t max_inflated) {
    byte_view value = *m.value;
    bytes patched;
    if (m.codec() == compression::lz4 && m.magic == 0) {
        patched.assign(value.begin(), value.end());
        fix_lz4_header_checksum(patched);
        value = patched;
    }
    try {
        return decompress(m.codec(), value, max_inflated);
    } catch (const decode_error& e) {
        fail(error_code::corrupt_message, std::string("compressed message set: ") + e.what());
    }
}

std::optional<bytes> copy(const std::optional<byte_view>& v) {
    if (!v) return std::nullopt;
    return bytes(v->begin(), v->end());
}

// Writes one uncompressed legacy entry (layout above).
void write_legacy_message(writer& w, int8_t magic, int64_t offset, int8_t attributes,
                          int64_t timestamp, const std::optional<byte_view>& key,
                          const std::optional<byte_view>& value) {
    w.i64(offset);
    size_t size_at = w.reserve(4);
    size_t crc_at = w.reserve(4);
    w.i8(magic);
    w.i8(attributes);
    if (magic == 1) w.i64(timestamp);
    for (auto* field : {&key, &value}) {
        if (!*field) {
            w.i32(-1);
        } else {
            w.i32(int32_t((*field)->size()));
            w.raw(**field);
        }
    }
    auto& buf = w.buffer();
    w.patch_i32(size_at, int32_t(buf.size() - crc_at));
    w.patch_i32(crc_at, int32_t(crc32_ieee(buf.data() + crc_at + 4, buf.size() - crc_at - 4)));
}

}  // namespace

int8_t records_magic(byte_view data) {
    if (data.size() <= magic_offset) return -1;
    return static_cast<int8_t>(data[magic_offset]);
}

legacy_check up_convert(byte_view message_set, int64_t now_ms, size_t max_inflated) {
    legacy_check out;
    if (message_set.empty()) {
        out.error = error_code::invalid_record;
        out.message = "empty message set";
        return out;
    }
    std::vector<record> records;
    compression codec = compression::none;
    try {
        read_message_set(message_set, "the message set", [&](const legacy_message& m) {
            if (out.magic < 0) out.magic = m.magic;
            if (m.codec() == compression::none) {
                records.push_back(
                    {copy(m.key), copy(m.value), {}, m.log_append_time() ? now_ms : m.timestamp});
                return;
            }
            if (m.codec() > compression::lz4)
                fail(error_code::unsupported_compression_type,
                     "compression codec " + std::to_string(int(m.codec())) +
                         " is not allowed with message format " + std::to_string(m.magic));
            if (!m.value) fail(error_code::corrupt_message, "compressed message with a null value");
            if (codec == compression::none) codec = m.codec();
            bytes inner = inflate_wrapper(m, max_inflated);
            size_t before = records.size();
            read_message_set(inner, "a compressed message set", [&](const legacy_message& im) {
                if (im.codec() != compression::none)
                    fail(error_code::corrupt_message, "compressed message inside a compressed set");
                if (im.magic != m.magic)
                    fail(error_code::corrupt_message,
                         "inner message magic " + std::to_string(im.magic) +
                             " differs from its wrapper's " + std::to_string(m.magic));
                int64_t ts = m.log_append_time() || im.log_append_time() ? now_ms : im.timestamp;
                records.push_back({copy(im.key), copy(im.value), {}, ts});
            });
            if (records.size() == before)
                fail(error_code::corrupt_message, "compressed message set with no messages");
        });
    } catch (const legacy_error& e) {
        out.error = e.code;
        out.message = e.message;
        return out;
    } catch (const decode_error& e) {
        out.error = error_code::corrupt_message;
        out.message = e.what();
        return out;
    }
    batch_options opts;
    opts.codec = codec;
    out.batch = build_batch(records, opts);
    out.record_count = int32_t(records.size());
    return out;
}

bytes down_convert(byte_view v2_batches, int8_t magic, int64_t first_offset_wanted) {
    if (magic != 0 && magic != 1) throw std::invalid_argument("down_convert: magic must be 0 or 1");
    writer w;
    size_t pos = 0;
    while (v2_batches.size() - pos >= batch_header_size) {
        auto rest = v2_batches.subspan(pos);
        auto h = parse_batch_header(rest);
        if (h.magic != current_magic)
            throw decode_error("down_convert: batch magic " + std::to_string(h.magic));
        if (h.batch_length < int32_t(batch_header_size - batch_log_overhead))
            throw decode_error("down_convert: batch length " + std::to_string(h.batch_length));
        if (h.total_size() > rest.size()) break;  // cut off by the fetch size
        pos += h.total_size();
        if (h.control() || h.last_offset() < first_offset_wanted) continue;
        for_each_record(
            rest.subspan(0, h.total_size()), [&](const batch_header& bh, const record_view& rec) {
                int64_t offset = bh.base_offset + rec.offset_delta;
                if (offset < first_offset_wanted) return;
                int64_t ts = bh.log_append_time() ? bh.max_timestamp
                                                  : bh.base_timestamp + rec.timestamp_delta;
                int8_t attrs = magic == 1 && bh.log_append_time() ? timestamp_type_bit : int8_t(0);
                write_legacy_message(w, magic, offset, attrs, ts, rec.key, rec.value);
            });
    }
    return std::move(w.buffer());
}

}  // namespace sluice::protocol
