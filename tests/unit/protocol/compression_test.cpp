#include "protocol/compression.h"

#include <snappy.h>
#include <zstd.h>
#include <catch2/catch.hpp>

#include <random>
#include <string>

using namespace sluice::protocol;

namespace {

const compression all_codecs[] = {compression::none, compression::gzip, compression::snappy,
                                  compression::lz4, compression::zstd};

bytes random_bytes(size_t n, uint32_t seed) {
    std::mt19937 rng(seed);
    bytes b(n);
    for (auto& x : b) x = uint8_t(rng());
    return b;
}

bytes repetitive_bytes(size_t n) {
    const std::string pattern = "sluice record payload 0123456789 ";
    bytes b(n);
    for (size_t i = 0; i < n; ++i) b[i] = uint8_t(pattern[i % pattern.size()]);
    return b;
}

bytes to_bytes(std::string_view s) { return bytes(s.begin(), s.end()); }

uint32_t be32(const bytes& b, size_t at) {
    return uint32_t(b[at]) << 24 | uint32_t(b[at + 1]) << 16 | uint32_t(b[at + 2]) << 8 |
           uint32_t(b[at + 3]);
}

}  // namespace

TEST_CASE("compression names", "[compression]") {
    for (auto c : all_codecs) {
        compression parsed = compression::none;
        CHECK(parse_compression(compression_name(c), parsed));
        CHECK(parsed == c);
    }
    CHECK(compression_name(compression::snappy) == "snappy");
    compression out = compression::gzip;
    CHECK_FALSE(parse_compression("brotli", out));
    CHECK_FALSE(parse_compression("", out));
    CHECK(out == compression::gzip);
}

TEST_CASE("every codec round trips", "[compression]") {
    const std::vector<std::pair<std::string, bytes>> inputs = {
        {"empty", {}},
        {"one byte", {0x42}},
        {"tiny", to_bytes("hello, sluice")},
        {"1 MiB random", random_bytes(1 << 20, 7)},
        {"1 MiB repetitive", repetitive_bytes(1 << 20)},
        {"odd size", random_bytes(100003, 8)},
    };
    for (auto c : all_codecs) {
        for (auto& [name, input] : inputs) {
            INFO(compression_name(c) << " / " << name);
            bytes packed = compress(c, input);
            CHECK(decompress(c, packed) == input);
            if (name == "1 MiB repetitive" && c != compression::none)
                CHECK(packed.size() < input.size() / 10);
        }
    }
}

TEST_CASE("compression levels round trip", "[compression]") {
    bytes input = repetitive_bytes(200000);
    input.insert(input.end(), 5000, 0x00);
    for (auto [c, level] : {std::pair{compression::gzip, 1},
                            {compression::gzip, 9},
                            {compression::gzip, 0},
                            {compression::lz4, 1},
                            {compression::lz4, 9},
                            {compression::zstd, 1},
                            {compression::zstd, 19}}) {
        INFO(compression_name(c) << " level " << level);
        CHECK(decompress(c, compress(c, input, level)) == input);
    }
}

TEST_CASE("frame headers are the formats Kafka expects", "[compression]") {
    bytes in = to_bytes("hello");
    bytes gz = compress(compression::gzip, in);
    REQUIRE(gz.size() > 10);
    CHECK(gz[0] == 0x1f);
    CHECK(gz[1] == 0x8b);
    CHECK(gz[2] == 0x08);  // deflate

    // LZ4 frame: magic, FLG (version 01, independent blocks), BD (64 KiB), HC.
    bytes lz = compress(compression::lz4, in);
    REQUIRE(lz.size() > 7);
    CHECK(bytes(lz.begin(), lz.begin() + 7) == bytes{0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x82});

    bytes zs = compress(compression::zstd, in);
    REQUIRE(zs.size() > 4);
    CHECK(bytes(zs.begin(), zs.begin() + 4) == bytes{0x28, 0xb5, 0x2f, 0xfd});
}

TEST_CASE("snappy uses the xerial framing byte for byte", "[compression]") {
    const bytes header = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0x00,  // magic
                          0,    0,   0,   1,                         // version
                          0,    0,   0,   1};                        // compatible version
    // "hello" is one raw snappy block: varint length 5, literal tag (5-1)<<2, bytes.
    bytes expected = header;
    for (uint8_t b : bytes{0, 0, 0, 7, 0x05, 0x10, 'h', 'e', 'l', 'l', 'o'}) expected.push_back(b);
    CHECK(compress(compression::snappy, to_bytes("hello")) == expected);

    // empty input: the header alone
    CHECK(compress(compression::snappy, {}) == header);

    // blocks of 32 KiB input each
    bytes big = random_bytes(100000, 3);
    bytes packed = compress(compression::snappy, big);
    size_t pos = 16, blocks = 0, total = 0;
    while (pos < packed.size()) {
        REQUIRE(pos + 4 <= packed.size());
        uint32_t len = be32(packed, pos);
        REQUIRE(pos + 4 + len <= packed.size());
        size_t raw = 0;
        REQUIRE(snappy::GetUncompressedLength(
            reinterpret_cast<const char*>(packed.data() + pos + 4), len, &raw));
        CHECK(raw == (blocks < 3 ? 32768u : 100000u - 3 * 32768u));
        total += raw;
        ++blocks;
        pos += 4 + len;
    }
    CHECK(pos == packed.size());
    CHECK(blocks == 4);
    CHECK(total == big.size());
}

TEST_CASE("snappy decompression accepts raw blocks and concatenated xerial streams",
          "[compression]") {
    for (auto& input : {to_bytes("x"), repetitive_bytes(70000), random_bytes(5000, 4)}) {
        std::string raw;
        snappy::Compress(reinterpret_cast<const char*>(input.data()), input.size(), &raw);
        CHECK(decompress(compression::snappy, bytes(raw.begin(), raw.end())) == input);
    }
    // Raw empty block (a single 0 length varint)
    CHECK(decompress(compression::snappy, bytes{0x00}).empty());

    bytes a = to_bytes("first stream;"), b = to_bytes("second stream");
    bytes cat = compress(compression::snappy, a);
    bytes second = compress(compression::snappy, b);
    cat.insert(cat.end(), second.begin(), second.end());
    bytes both = a;
    both.insert(both.end(), b.begin(), b.end());
    CHECK(decompress(compression::snappy, cat) == both);
}

TEST_CASE("gzip decompression reads concatenated members", "[compression]") {
    bytes a = to_bytes("member one, "), b = repetitive_bytes(3000);
    bytes cat = compress(compression::gzip, a);
    bytes second = compress(compression::gzip, b);
    cat.insert(cat.end(), second.begin(), second.end());
    bytes both = a;
    both.insert(both.end(), b.begin(), b.end());
    CHECK(decompress(compression::gzip, cat) == both);
}

TEST_CASE("corrupt compressed input throws decode_error", "[compression]") {
    bytes input = random_bytes(50000, 11);
    input.insert(input.end(), 20000, 'a');
    for (auto c : {compression::gzip, compression::snappy, compression::lz4, compression::zstd}) {
        INFO(compression_name(c));
        bytes packed = compress(c, input);
        // truncated anywhere
        for (size_t keep :
             {size_t(0), size_t(1), size_t(5), size_t(17), packed.size() / 2, packed.size() - 1}) {
            INFO("kept " << keep << " of " << packed.size());
            CHECK_THROWS_AS(decompress(c, byte_view(packed).first(keep)), decode_error);
        }
        // garbage
        bytes garbage = random_bytes(300, 12);
        garbage[0] = 0xee;  // neither a gzip, lz4, zstd nor xerial magic
        CHECK_THROWS_AS(decompress(c, garbage), decode_error);
    }
    // gzip's trailing CRC-32 catches a flipped bit in the data
    bytes gz = compress(compression::gzip, input);
    gz[gz.size() - 6] ^= 0x01;
    CHECK_THROWS_AS(decompress(compression::gzip, gz), decode_error);
    // a xerial block length pointing past the end
    bytes sn = compress(compression::snappy, input);
    sn[16] = 0x7f;
    CHECK_THROWS_AS(decompress(compression::snappy, sn), decode_error);
    // a negative xerial block length
    sn[16] = 0xff;
    CHECK_THROWS_AS(decompress(compression::snappy, sn), decode_error);
    // an unknown codec number
    CHECK_THROWS_AS(decompress(static_cast<compression>(5), input), decode_error);
}

TEST_CASE("decompression is bounded by max_output", "[compression]") {
    const size_t n = 8u << 20;
    bytes zeros(n, 0);
    for (auto c : all_codecs) {
        INFO(compression_name(c));
        bytes packed = compress(c, zeros);
        if (c != compression::none) CHECK(packed.size() < n / 20);
        CHECK_THROWS_AS(decompress(c, packed, n - 1), decode_error);
        CHECK_THROWS_AS(decompress(c, packed, 1u << 20), decode_error);
        CHECK_THROWS_AS(decompress(c, packed, 0), decode_error);
        CHECK(decompress(c, packed, n).size() == n);  // exactly at the bound is fine
    }
    // empty output is fine with a zero bound
    for (auto c : all_codecs) CHECK(decompress(c, compress(c, {}), 0).empty());
}

TEST_CASE("a zstd or gzip bomb of zeros does not inflate past the bound", "[compression]") {
    bytes zeros(64u << 20, 0);
    bytes zbomb = compress(compression::zstd, zeros, 3);
    bytes gbomb = compress(compression::gzip, zeros, 9);
    CHECK(zbomb.size() < 64 * 1024);
    CHECK(gbomb.size() < 128 * 1024);
    CHECK_THROWS_WITH(decompress(compression::zstd, zbomb, 1u << 20),
                      Catch::Contains("exceeds the limit"));
    CHECK_THROWS_WITH(decompress(compression::gzip, gbomb, 1u << 20),
                      Catch::Contains("exceeds the limit"));
}

TEST_CASE("zstd frames without a content size decompress", "[compression]") {
    // A streaming compressor (as zstd-jni in Kafka's producer) leaves the content
    // size out of the frame header; the decoder must stream.
    bytes input = repetitive_bytes(300000);
    ZSTD_CCtx* cctx = ZSTD_createCCtx();
    bytes out(ZSTD_compressBound(input.size()));
    ZSTD_outBuffer o{out.data(), out.size(), 0};
    ZSTD_inBuffer i{input.data(), input.size(), 0};
    // Without ZSTD_CCtx_setPledgedSrcSize, compressStream2 with continue then end
    // writes no content size.
    REQUIRE_FALSE(ZSTD_isError(ZSTD_compressStream2(cctx, &o, &i, ZSTD_e_continue)));
    size_t left;
    do {
        left = ZSTD_compressStream2(cctx, &o, &i, ZSTD_e_end);
        REQUIRE_FALSE(ZSTD_isError(left));
    } while (left != 0);
    ZSTD_freeCCtx(cctx);
    out.resize(o.pos);
    CHECK(ZSTD_getFrameContentSize(out.data(), out.size()) == ZSTD_CONTENTSIZE_UNKNOWN);
    CHECK(decompress(compression::zstd, out) == input);
}
