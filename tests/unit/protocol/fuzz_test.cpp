// Robustness: truncated encodings always throw decode_error; random and
// mutated bytes either decode or throw decode_error, never anything else.

#include "roundtrip_support.h"

#include <random>

using namespace sluice::protocol;
using namespace sluice::protocol::test;

namespace {

template <class M>
void check_truncations(const M& m, int16_t v) {
    INFO(M::schema_name << " v" << v);
    bytes full = encode_to_bytes(m, v);
    REQUIRE(full.size() > 0);
    size_t not_thrown = 0;
    for (size_t n = 0; n < full.size(); ++n) {
        bytes prefix(full.begin(), full.begin() + n);
        try {
            decode<M>(prefix, v);
            ++not_thrown;
            FAIL_CHECK("prefix of " << n << " of " << full.size() << " bytes decoded");
        } catch (const decode_error&) {
        }
    }
    CHECK(not_thrown == 0);
    CHECK_NOTHROW(decode_all<M>(full, v));
}

// Returns true if decoded, false on decode_error; any other exception escapes.
template <class M>
bool try_decode(const bytes& b, int16_t v) {
    try {
        decode<M>(b, v);
        return true;
    } catch (const decode_error&) {
        return false;
    }
}

template <class M>
void check_garbage(int16_t v, std::mt19937& rng) {
    INFO(M::schema_name << " v" << v);
    std::uniform_int_distribution<int> byte(0, 255);
    std::uniform_int_distribution<int> len(0, 96);
    for (int i = 0; i < 300; ++i) {
        bytes b(size_t(len(rng)));
        for (auto& x : b) x = uint8_t(byte(rng));
        CHECK_NOTHROW(try_decode<M>(b, v));
    }
    // Mutations of a valid encoding get deeper into the structure.
    bytes valid = encode_to_bytes(fill<M>(), v);
    std::uniform_int_distribution<size_t> pos(0, valid.size() - 1);
    for (int i = 0; i < 300; ++i) {
        bytes b = valid;
        int flips = 1 + i % 4;
        for (int k = 0; k < flips; ++k) b[pos(rng)] = uint8_t(byte(rng));
        CHECK_NOTHROW(try_decode<M>(b, v));
    }
}

template <class M>
void check_message(std::initializer_list<int16_t> vs, std::mt19937& rng) {
    for (int16_t v : vs) {
        check_truncations(fill<M>(fill_mode::full), v);
        check_truncations(fill<M>(fill_mode::nulls), v);
        check_garbage<M>(v, rng);
    }
}

}  // namespace

TEST_CASE("truncated and garbage input throws decode_error only", "[fuzz]") {
    std::mt19937 rng(20240611);
    check_message<produce_request>({0, 3, 9}, rng);
    check_message<produce_response>({2, 9}, rng);
    check_message<fetch_request>({4, 11, 12}, rng);
    check_message<fetch_response>({4, 12}, rng);
    check_message<list_offsets_request>({1, 7}, rng);
    check_message<metadata_response>({1, 12}, rng);
    check_message<api_versions_response>({0, 3}, rng);
    check_message<create_topics_request>({4, 7}, rng);
    check_message<create_topics_response>({7}, rng);
    check_message<offset_fetch_response>({7, 8}, rng);
    check_message<join_group_request>({5, 9}, rng);
    check_message<describe_configs_response>({1, 4}, rng);
    check_message<txn_offset_commit_request>({3}, rng);
}

TEST_CASE("hostile lengths are rejected before allocating", "[fuzz]") {
    // A Produce v3 request claiming 2^31-1 topics in a 16-byte frame.
    bytes b{0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00,
            0x7f, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00};
    CHECK_THROWS_AS(decode<produce_request>(b, 3), decode_error);
    // Negative array length.
    bytes neg{0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xfe};
    CHECK_THROWS_AS(decode<produce_request>(neg, 3), decode_error);
    // Compact bytes longer than the frame (126 claimed, 1 present).
    bytes compact{0x7f, 0x01};
    CHECK_THROWS_AS(decode<sasl_authenticate_request>(compact, 2), decode_error);
}
