#include "protocol/crc32c.h"

#include <catch2/catch.hpp>

#include <cstring>
#include <random>
#include <vector>

using namespace sluice::protocol;

TEST_CASE("crc32c standard vectors", "[crc32c]") {
    const char* digits = "123456789";
    CHECK(crc32c(0, digits, 9) == 0xE3069283u);
    CHECK(crc32c_portable(0, digits, 9) == 0xE3069283u);

    // RFC 3720 (iSCSI) appendix B.4
    std::vector<uint8_t> zeros(32, 0x00), ones(32, 0xff), up(32), down(32);
    for (int i = 0; i < 32; ++i) {
        up[i] = uint8_t(i);
        down[i] = uint8_t(31 - i);
    }
    for (auto f : {&crc32c, &crc32c_portable}) {
        CHECK(f(0, zeros.data(), zeros.size()) == 0x8A9136AAu);
        CHECK(f(0, ones.data(), ones.size()) == 0x62A8AB43u);
        CHECK(f(0, up.data(), up.size()) == 0x46DD794Eu);
        CHECK(f(0, down.data(), down.size()) == 0x113FDB5Cu);
        CHECK(f(0, nullptr, 0) == 0u);
    }
}

TEST_CASE("crc32c hardware and portable paths agree", "[crc32c]") {
    INFO("hardware crc32c available: " << crc32c_hardware_available());
    std::mt19937 rng(12345);
    std::vector<uint8_t> buf(4096 + 64);
    for (auto& b : buf) b = uint8_t(rng());
    for (size_t align = 0; align < 16; ++align) {
        for (size_t len : {0,  1,  2,  3,  4,  5,   7,   8,   9,    15,   16,
                           17, 31, 63, 64, 65, 100, 255, 256, 1000, 1023, 4096}) {
            const uint8_t* p = buf.data() + align;
            uint32_t seed = uint32_t(rng());
            CHECK(crc32c(0, p, len) == crc32c_portable(0, p, len));
            CHECK(crc32c(seed, p, len) == crc32c_portable(seed, p, len));
        }
    }
}

TEST_CASE("crc32c computed incrementally equals one shot", "[crc32c]") {
    std::mt19937 rng(99);
    std::vector<uint8_t> buf(3000);
    for (auto& b : buf) b = uint8_t(rng());
    uint32_t whole = crc32c(0, buf.data(), buf.size());
    for (size_t split : {size_t(0), size_t(1), size_t(7), size_t(8), size_t(61), size_t(1500),
                         size_t(2999), size_t(3000)}) {
        uint32_t a = crc32c(0, buf.data(), split);
        CHECK(crc32c(a, buf.data() + split, buf.size() - split) == whole);
        uint32_t b = crc32c_portable(0, buf.data(), split);
        CHECK(crc32c_portable(b, buf.data() + split, buf.size() - split) == whole);
    }
    // many small pieces
    uint32_t c = 0;
    size_t pos = 0;
    while (pos < buf.size()) {
        size_t n = std::min<size_t>(1 + rng() % 37, buf.size() - pos);
        c = crc32c(c, buf.data() + pos, n);
        pos += n;
    }
    CHECK(c == whole);
}
