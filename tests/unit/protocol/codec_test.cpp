#include "protocol/codec.h"
#include "protocol/header.h"
#include "protocol/messages/api_versions.h"
#include "protocol/messages/metadata.h"

#include <catch2/catch.hpp>

using namespace sluice::protocol;

TEST_CASE("unsigned and zig-zag varints round trip", "[wire]") {
    for (int64_t v : {0LL, 1LL, -1LL, 63LL, -64LL, 300LL, INT32_MAX * 1LL, INT32_MIN * 1LL}) {
        writer w;
        w.varint(int32_t(v));
        w.varlong(v * 3);
        reader r(w.buffer());
        CHECK(r.varint() == int32_t(v));
        CHECK(r.varlong() == v * 3);
        CHECK(r.empty());
    }
    writer w;
    w.uvarint(300);
    CHECK(w.buffer() == bytes{0xac, 0x02});
}

TEST_CASE("truncated input throws decode_error", "[wire]") {
    bytes b{0x00, 0x01};
    reader r(b);
    CHECK_THROWS_AS(r.i32(), decode_error);
    bytes v{0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    reader rv(v);
    CHECK_THROWS_AS(rv.uvarint(), decode_error);
}

TEST_CASE("ApiVersions response v0 and v3 round trip with tagged fields", "[codec]") {
    api_versions_response m;
    m.api_keys = {{0, 0, 9}, {18, 0, 3}};
    m.throttle_time_ms = 7;
    m.finalized_features_epoch = 5;
    for (int16_t v = 0; v <= 3; ++v) {
        auto b = encode_to_bytes(m, v);
        auto d = decode<api_versions_response>(b, v);
        CHECK(d.api_keys == m.api_keys);
        CHECK(d.throttle_time_ms == (v >= 1 ? 7 : 0));
        CHECK(d.finalized_features_epoch == (v >= 3 ? 5 : -1));
    }
    // v0 layout is exact: error_code, int32 count, 3 x int16 per entry.
    auto b0 = encode_to_bytes(m, 0);
    CHECK(b0.size() == 2 + 4 + 2 * 6);
}

TEST_CASE("Metadata request null topics from v1, compact from v9", "[codec]") {
    metadata_request all;
    all.topics.reset();
    auto b1 = encode_to_bytes(all, 1);
    CHECK(b1 == bytes{0xff, 0xff, 0xff, 0xff});
    auto b11 = encode_to_bytes(all, 11);
    // compact null array (0), allow_auto (1), include_topic_auth (0), no tags (0)
    CHECK(b11 == bytes{0x00, 0x01, 0x00, 0x00});
    CHECK(!decode<metadata_request>(b11, 11).topics.has_value());

    metadata_request some;
    some.topics = std::vector<metadata_request::topic>{{uuid{}, std::string("t1")}};
    for (int16_t v = 0; v <= 12; ++v) {
        auto d = decode<metadata_request>(encode_to_bytes(some, v), v);
        REQUIRE(d.topics.has_value());
        CHECK(d.topics->at(0).name == "t1");
    }
}

TEST_CASE("request header v1 and v2", "[header]") {
    request_header h{3, 9, 42, std::string("cli")};
    writer w;
    write_request_header(w, h, true);
    w.u8(0x77);
    reader r(w.buffer());
    auto d = read_request_header(r, true);
    CHECK(d.api_key == 3);
    CHECK(d.correlation_id == 42);
    CHECK(d.client_id == "cli");
    CHECK(r.u8() == 0x77);
}
