#include "protocol/compression.h"

#include <lz4frame.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>

namespace sluice::protocol {
namespace {

// ---------------------------------------------------------------------------
// Bounded output buffer shared by the streaming decoders. The buffer may grow to
// max_output + 1 bytes: the decoders write straight into it, and producing that
// one extra byte is how "the output is larger than the bound" is detected without
// ever allocating more than the bound.
class bounded_output {
public:
    bounded_output(size_t max_output, size_t input_size)
        : limit_(max_output == std::numeric_limits<size_t>::max() ? max_output : max_output + 1),
          max_output_(max_output) {
        // A first guess sized from the input; grown geometrically from there.
        size_t guess =
            input_size > (std::numeric_limits<size_t>::max() / 4) ? input_size : input_size * 4;
        buf_.resize(std::min(limit_, std::max<size_t>(guess, 64 * 1024)));
    }

    // Free space after what has been produced; grows the buffer when full.
    // Throws when the buffer is full at the limit (the output exceeds the bound).
    uint8_t* space(size_t& avail) {
        if (used_ == buf_.size()) {
            if (buf_.size() >= limit_) too_large();
            size_t grown = buf_.size() > limit_ / 2 ? limit_ : buf_.size() * 2;
            buf_.resize(grown);
        }
        avail = buf_.size() - used_;
        return buf_.data() + used_;
    }
    void produced(size_t n) {
        used_ += n;
        if (used_ > max_output_) too_large();
    }
    size_t used() const { return used_; }
    size_t remaining_budget() const { return max_output_ - used_; }

    bytes finish() {
        buf_.resize(used_);
        // Give back a large over-estimate; keep small slack rather than copy.
        if (buf_.capacity() - used_ > 64 * 1024) buf_.shrink_to_fit();
        return std::move(buf_);
    }

    [[noreturn]] void too_large() const {
        throw decode_error("decompressed data exceeds the limit of " + std::to_string(max_output_) +
                           " bytes");
    }

private:
    bytes buf_;
    size_t used_ = 0;
    size_t limit_;
    size_t max_output_;
};

const char* as_chars(const uint8_t* p) { return reinterpret_cast<const char*>(p); }

// ---------------------------------------------------------------------------
// gzip (RFC 1952) through zlib. windowBits 15 + 16 selects the gzip wrapper.

bytes gzip_compress(byte_view in, int level) {
    z_stream zs{};
    if (level < -1 || level > 9) level = Z_DEFAULT_COMPRESSION;
    if (deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        throw std::runtime_error("gzip: deflateInit2 failed");
    std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&zs, deflateEnd);

    bytes out(deflateBound(&zs, uLong(in.size())) + 32);
    zs.next_in = const_cast<Bytef*>(in.data());
    size_t in_left = in.size();
    size_t produced = 0;
    for (;;) {
        // zlib counts in uInt; feed very large inputs in pieces.
        uInt chunk = uInt(std::min<size_t>(in_left, std::numeric_limits<uInt>::max()));
        zs.avail_in = chunk;
        if (produced == out.size()) out.resize(out.size() * 2);
        zs.next_out = out.data() + produced;
        zs.avail_out =
            uInt(std::min<size_t>(out.size() - produced, std::numeric_limits<uInt>::max()));
        size_t out_before = zs.avail_out;
        int flush = chunk == in_left ? Z_FINISH : Z_NO_FLUSH;
        int rc = deflate(&zs, flush);
        produced += out_before - zs.avail_out;
        in_left -= chunk - zs.avail_in;
        if (rc == Z_STREAM_END) break;
        if (rc != Z_OK && rc != Z_BUF_ERROR) throw std::runtime_error("gzip: deflate failed");
    }
    out.resize(produced);
    return out;
}

bytes gzip_decompress(byte_view in, size_t max_output) {
    z_stream zs{};
    if (inflateInit2(&zs, 15 + 16) != Z_OK) throw std::runtime_error("gzip: inflateInit2 failed");
    std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&zs, inflateEnd);

    bounded_output out(max_output, in.size());
    size_t pos = 0;
    for (;;) {
        size_t avail;
        uint8_t* dst = out.space(avail);
        zs.next_in = const_cast<Bytef*>(in.data() + pos);
        zs.avail_in = uInt(std::min<size_t>(in.size() - pos, std::numeric_limits<uInt>::max()));
        uInt in_before = zs.avail_in;
        zs.next_out = dst;
        zs.avail_out = uInt(std::min<size_t>(avail, std::numeric_limits<uInt>::max()));
        uInt out_before = zs.avail_out;
        int rc = inflate(&zs, Z_NO_FLUSH);
        pos += in_before - zs.avail_in;
        out.produced(out_before - zs.avail_out);
        if (rc == Z_STREAM_END) {
            // Java's GZIPInputStream reads concatenated members; so do we. Anything
            // after the last member that is not another gzip header is ignored, as
            // there.
            if (in.size() - pos >= 2 && in[pos] == 0x1f && in[pos + 1] == 0x8b) {
                inflateReset(&zs);
                continue;
            }
            break;
        }
        if (rc == Z_BUF_ERROR) {
            // No progress possible: either the output is full (space() grows it or
            // throws) or the input ran out before the end of the stream.
            if (zs.avail_out != 0) throw decode_error("gzip: truncated stream");
            continue;
        }
        if (rc != Z_OK) {
            throw decode_error(std::string("gzip: corrupt stream") +
                               (zs.msg ? std::string(": ") + zs.msg : std::string()));
        }
        if (pos == in.size() && zs.avail_out != 0) throw decode_error("gzip: truncated stream");
    }
    return out.finish();
}

// ---------------------------------------------------------------------------
// snappy with snappy-java's ("xerial") stream framing, which Kafka's producers
// and consumers use for every message format:
//
//   +--------------------------------------+---------+------------+
//   | magic 82 'S' 'N' 'A' 'P' 'P' 'Y' 00  | version | compatible |
//   | 8 bytes                              | int32 1 | int32 1    |
//   +--------------------------------------+---------+------------+
//   then, until the end:
//   +----------------------+------------------------------------+
//   | length (int32, BE)   | raw snappy block of `length` bytes  |
//   +----------------------+------------------------------------+
//
// Each block compresses at most 32 KiB of input (snappy-java's default block
// size). A reader must also accept a second header in the middle of the stream
// (concatenated streams) and, for old producers, a plain raw snappy block with
// no framing at all.

constexpr uint8_t xerial_magic[8] = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0};
constexpr size_t xerial_header_size = 16;
constexpr size_t xerial_block_size = 32 * 1024;

bool starts_with_xerial_magic(byte_view in) {
    return in.size() >= xerial_header_size && std::memcmp(in.data(), xerial_magic, 8) == 0;
}

void put_be32(uint8_t* p, uint32_t v) {
    p[0] = uint8_t(v >> 24);
    p[1] = uint8_t(v >> 16);
    p[2] = uint8_t(v >> 8);
    p[3] = uint8_t(v);
}

uint32_t get_be32(const uint8_t* p) {
    return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | uint32_t(p[3]);
}

bytes snappy_compress(byte_view in) {
    size_t blocks = (in.size() + xerial_block_size - 1) / xerial_block_size;
    bytes out(xerial_header_size + blocks * (4 + snappy::MaxCompressedLength(xerial_block_size)));
    std::memcpy(out.data(), xerial_magic, 8);
    put_be32(out.data() + 8, 1);   // version
    put_be32(out.data() + 12, 1);  // minimum compatible version
    size_t at = xerial_header_size;
    for (size_t pos = 0; pos < in.size(); pos += xerial_block_size) {
        size_t n = std::min(xerial_block_size, in.size() - pos);
        size_t written = 0;
        snappy::RawCompress(as_chars(in.data() + pos), n,
                            reinterpret_cast<char*>(out.data() + at + 4), &written);
        put_be32(out.data() + at, uint32_t(written));
        at += 4 + written;
    }
    out.resize(at);
    return out;
}

// Appends one raw snappy block to `out`, within the remaining budget.
void snappy_raw_block(byte_view block, bytes& out, size_t max_output) {
    size_t n = 0;
    if (!snappy::GetUncompressedLength(as_chars(block.data()), block.size(), &n))
        throw decode_error("snappy: corrupt block header");
    if (n > max_output - out.size())
        throw decode_error("decompressed data exceeds the limit of " + std::to_string(max_output) +
                           " bytes");
    size_t at = out.size();
    out.resize(at + n);
    if (!snappy::RawUncompress(as_chars(block.data()), block.size(),
                               reinterpret_cast<char*>(out.data() + at)))
        throw decode_error("snappy: corrupt block");
}

bytes snappy_decompress(byte_view in, size_t max_output) {
    bytes out;
    if (!starts_with_xerial_magic(in)) {
        snappy_raw_block(in, out, max_output);
        return out;
    }
    size_t pos = 0;
    while (pos < in.size()) {
        auto rest = in.subspan(pos);
        if (starts_with_xerial_magic(rest)) {
            // Header (again, for concatenated streams). snappy-java refuses a
            // compatible version newer than its own (1).
            if (int32_t(get_be32(rest.data() + 12)) > 1)
                throw decode_error("snappy: unsupported xerial stream version");
            pos += xerial_header_size;
            continue;
        }
        if (rest.size() < 4) throw decode_error("snappy: truncated xerial block length");
        uint32_t len = get_be32(rest.data());
        if (len > rest.size() - 4 || int32_t(len) < 0)
            throw decode_error("snappy: truncated xerial block");
        snappy_raw_block(rest.subspan(4, len), out, max_output);
        pos += 4 + size_t(len);
    }
    return out;
}

// ---------------------------------------------------------------------------
// lz4: the standard LZ4 frame format (Kafka magic 2; KIP-57 fixed the header
// checksum that magic 0 producers got wrong, see legacy_records.cpp).

bytes lz4_compress(byte_view in, int level) {
    LZ4F_preferences_t prefs{};
    prefs.frameInfo.blockSizeID = LZ4F_max64KB;  // what Kafka's own producer uses
    prefs.frameInfo.blockMode = LZ4F_blockIndependent;
    // No content size in the header: not every Kafka reader accepts that flag.
    prefs.compressionLevel = level < 0 ? 0 : level;
    bytes out(LZ4F_compressFrameBound(in.size(), &prefs));
    size_t n = LZ4F_compressFrame(out.data(), out.size(), in.data(), in.size(), &prefs);
    if (LZ4F_isError(n)) throw std::runtime_error(std::string("lz4: ") + LZ4F_getErrorName(n));
    out.resize(n);
    return out;
}

bytes lz4_decompress(byte_view in, size_t max_output) {
    LZ4F_dctx* raw = nullptr;
    if (LZ4F_isError(LZ4F_createDecompressionContext(&raw, LZ4F_VERSION)))
        throw std::runtime_error("lz4: cannot create a decompression context");
    std::unique_ptr<LZ4F_dctx, LZ4F_errorCode_t (*)(LZ4F_dctx*)> ctx(raw,
                                                                     LZ4F_freeDecompressionContext);
    if (in.empty()) throw decode_error("lz4: empty input");

    bounded_output out(max_output, in.size());
    size_t pos = 0;
    size_t hint = 1;  // 0 once a frame is complete
    while (pos < in.size()) {
        size_t avail;
        uint8_t* dst = out.space(avail);
        size_t src_size = in.size() - pos;
        size_t dst_size = avail;
        hint = LZ4F_decompress(ctx.get(), dst, &dst_size, in.data() + pos, &src_size, nullptr);
        if (LZ4F_isError(hint))
            throw decode_error(std::string("lz4: corrupt frame: ") + LZ4F_getErrorName(hint));
        if (src_size == 0 && dst_size == 0) throw decode_error("lz4: decoder made no progress");
        pos += src_size;
        out.produced(dst_size);
        // Output full with input left: loop round so space() grows (or throws).
    }
    // The decoder may still hold decoded bytes it could not hand out.
    while (hint != 0) {
        size_t avail;
        uint8_t* dst = out.space(avail);
        size_t src_size = 0;
        size_t dst_size = avail;
        hint = LZ4F_decompress(ctx.get(), dst, &dst_size, nullptr, &src_size, nullptr);
        if (LZ4F_isError(hint))
            throw decode_error(std::string("lz4: corrupt frame: ") + LZ4F_getErrorName(hint));
        if (dst_size == 0 && hint != 0) throw decode_error("lz4: truncated frame");
        out.produced(dst_size);
    }
    return out.finish();
}

// ---------------------------------------------------------------------------
// zstd. Producers may stream (no content size in the frame header), so
// decompression always streams.

bytes zstd_compress(byte_view in, int level) {
    bytes out(ZSTD_compressBound(in.size()));
    size_t n = ZSTD_compress(out.data(), out.size(), in.data(), in.size(),
                             level < 0 ? ZSTD_CLEVEL_DEFAULT : level);
    if (ZSTD_isError(n)) throw std::runtime_error(std::string("zstd: ") + ZSTD_getErrorName(n));
    out.resize(n);
    return out;
}

bytes zstd_decompress(byte_view in, size_t max_output) {
    std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> ctx(ZSTD_createDCtx(), ZSTD_freeDCtx);
    if (!ctx) throw std::runtime_error("zstd: cannot create a decompression context");
    if (in.empty()) throw decode_error("zstd: empty input");
    // The decoder's own memory is bounded by zstd's default window limit
    // (ZSTD_d_windowLogMax, 2^27): larger frames are refused as corrupt.

    bounded_output out(max_output, in.size());
    ZSTD_inBuffer src{in.data(), in.size(), 0};
    size_t rc = 1;  // 0 once a frame is complete and flushed
    for (;;) {
        size_t avail;
        uint8_t* dst = out.space(avail);
        ZSTD_outBuffer o{dst, avail, 0};
        rc = ZSTD_decompressStream(ctx.get(), &o, &src);
        if (ZSTD_isError(rc))
            throw decode_error(std::string("zstd: corrupt frame: ") + ZSTD_getErrorName(rc));
        out.produced(o.pos);
        if (src.pos == src.size) {
            if (rc == 0) break;
            // Input consumed but the frame is not finished: either more output is
            // pending (the buffer filled up) or the input was cut short.
            if (o.pos < o.size) throw decode_error("zstd: truncated frame");
        }
    }
    return out.finish();
}

}  // namespace

std::string_view compression_name(compression c) {
    switch (c) {
        case compression::none:
            return "none";
        case compression::gzip:
            return "gzip";
        case compression::snappy:
            return "snappy";
        case compression::lz4:
            return "lz4";
        case compression::zstd:
            return "zstd";
    }
    return "unknown";
}

bool parse_compression(std::string_view name, compression& out) {
    for (auto c : {compression::none, compression::gzip, compression::snappy, compression::lz4,
                   compression::zstd}) {
        if (name == compression_name(c)) {
            out = c;
            return true;
        }
    }
    return false;
}

bytes compress(compression c, byte_view input, int level) {
    switch (c) {
        case compression::none:
            return bytes(input.begin(), input.end());
        case compression::gzip:
            return gzip_compress(input, level);
        case compression::snappy:
            return snappy_compress(input);
        case compression::lz4:
            return lz4_compress(input, level);
        case compression::zstd:
            return zstd_compress(input, level);
    }
    throw std::invalid_argument("unknown compression codec " + std::to_string(int(c)));
}

bytes decompress(compression c, byte_view input, size_t max_output) {
    switch (c) {
        case compression::none:
            if (input.size() > max_output)
                throw decode_error("data exceeds the limit of " + std::to_string(max_output) +
                                   " bytes");
            return bytes(input.begin(), input.end());
        case compression::gzip:
            return gzip_decompress(input, max_output);
        case compression::snappy:
            return snappy_decompress(input, max_output);
        case compression::lz4:
            return lz4_decompress(input, max_output);
        case compression::zstd:
            return zstd_decompress(input, max_output);
    }
    throw decode_error("unknown compression codec " + std::to_string(int(c)));
}

}  // namespace sluice::protocol
