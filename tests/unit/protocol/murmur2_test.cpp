#include "protocol/murmur2.h"

#include <catch2/catch.hpp>

#include <numeric>
#include <string>

using namespace sluice::protocol;

namespace {
bytes to_bytes(std::string_view s) { return bytes(s.begin(), s.end()); }
}  // namespace

TEST_CASE("murmur2 matches the Java client's Utils.murmur2", "[murmur2]") {
    // Vectors from Kafka's own UtilsTest.
    CHECK(murmur2("21") == -973932308);
    CHECK(murmur2("foobar") == -790332482);
    CHECK(murmur2("a-little-bit-long-string") == -985981536);
    CHECK(murmur2("a-little-bit-longer-string") == -1486304829);
    CHECK(murmur2("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8") == -58897971);
    CHECK(murmur2("abc") == 479470107);
    CHECK(murmur2("") == 275646681);
}

TEST_CASE("murmur2 treats bytes as unsigned like Java's (b & 0xff)", "[murmur2]") {
    // Derived with an independent emulation of Java's signed-int arithmetic.
    CHECK(murmur2(bytes{0xff, 0x80, 0x7f}) == 968261134);
    bytes all(256);
    std::iota(all.begin(), all.end(), uint8_t(0));
    CHECK(murmur2(all) == -1948347274);
    CHECK(murmur2(to_bytes("\xd0\xba\xd0\xbb\xd1\x8e\xd1\x87")) == 2122343024);  // "ключ"
    // byte_view and string_view overloads agree
    CHECK(murmur2(to_bytes("foobar")) == murmur2("foobar"));
}

TEST_CASE("default_partition is toPositive(murmur2) mod n", "[murmur2]") {
    CHECK(to_positive(-1) == 0x7fffffff);
    CHECK(to_positive(INT32_MIN) == 0);
    CHECK(to_positive(5) == 5);

    CHECK(default_partition(to_bytes("test"), 1) == 0);
    CHECK(default_partition(to_bytes("test"), 3) == 2);
    CHECK(default_partition(to_bytes("test"), 6) == 5);
    CHECK(default_partition(to_bytes("test"), 50) == 29);
    CHECK(default_partition(to_bytes("key-1"), 50) == 40);
    bytes all(256);
    std::iota(all.begin(), all.end(), uint8_t(0));
    CHECK(default_partition(all, 12) == 10);
    CHECK(default_partition(all, 50) == 24);
    // negative hashes are made positive by masking, not abs()
    CHECK(default_partition(to_bytes("21"), 7) == (-973932308 & 0x7fffffff) % 7);
    CHECK_THROWS(default_partition(to_bytes("x"), 0));

    for (int i = 0; i < 1000; ++i) {
        auto k = to_bytes("key-" + std::to_string(i));
        int32_t p = default_partition(k, 13);
        CHECK(p >= 0);
        CHECK(p < 13);
    }
}
