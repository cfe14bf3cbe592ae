#include "protocol/compression.h"
#include "protocol/legacy_records.h"
#include "protocol/record_batch.h"

#include <zlib.h>
#include <catch2/catch.hpp>

#include <optional>
#include <string>

using namespace sluice::protocol;

namespace {

bytes to_bytes(std::string_view s) { return bytes(s.begin(), s.end()); }

// A hand-written legacy message writer, independent of legacy_records.cpp:
//   offset int64 | size int32 | crc uint32 | magic int8 | attrs int8 | [ts int64] |
//   key (int32 len, -1 null) | value (int32 len, -1 null)
struct msg {
    int64_t offset = 0;
    int8_t magic = 0;
    int8_t attrs = 0;
    int64_t timestamp = -1;
    std::optional<bytes> key;
    std::optional<bytes> value;
};

void put(bytes& out, uint64_t v, int n) {
    for (int i = n - 1; i >= 0; --i) out.push_back(uint8_t(v >> (8 * i)));
}

bytes encode(const msg& m) {
    bytes body;  // from magic on
    body.push_back(uint8_t(m.magic));
    body.push_back(uint8_t(m.attrs));
    if (m.magic == 1) put(body, uint64_t(m.timestamp), 8);
    for (auto* f : {&m.key, &m.value}) {
        if (!*f) {
            put(body, uint32_t(-1), 4);
        } else {
            put(body, (*f)->size(), 4);
            body.insert(body.end(), (*f)->begin(), (*f)->end());
        }
    }
    uint32_t crc = uint32_t(::crc32(0, body.data(), uInt(body.size())));
    bytes out;
    put(out, uint64_t(m.offset), 8);
    put(out, body.size() + 4, 4);
    put(out, crc, 4);
    out.insert(out.end(), body.begin(), body.end());
    return out;
}

bytes message_set(const std::vector<msg>& ms) {
    bytes out;
    for (auto& m : ms) {
        bytes e = encode(m);
        out.insert(out.end(), e.begin(), e.end());
    }
    return out;
}

// Wraps `inner` in one compressed wrapper message.
bytes wrap(const std::vector<msg>& inner, compression c, int8_t magic, int64_t wrapper_offset,
           int64_t wrapper_ts = -1, int8_t extra_attrs = 0) {
    msg w;
    w.offset = wrapper_offset;
    w.magic = magic;
    w.attrs = int8_t(int8_t(c) | extra_attrs);
    w.timestamp = wrapper_ts;
    w.value = compress(c, message_set(inner));
    return encode(w);
}

std::vector<msg> sample(int8_t magic, bool relative_offsets, int64_t first_offset = 0) {
    std::vector<msg> ms;
    auto add = [&](std::optional<bytes> k, std::optional<bytes> v, int64_t ts) {
        msg m;
        m.offset = relative_offsets ? int64_t(ms.size()) : first_offset + int64_t(ms.size());
        m.magic = magic;
        m.timestamp = magic == 1 ? ts : -1;
        m.key = std::move(k);
        m.value = std::move(v);
        ms.push_back(std::move(m));
    };
    add(to_bytes("k1"), to_bytes("hello"), 1600000000000);
    add(std::nullopt, to_bytes("no key"), 1600000000007);
    add(to_bytes("k3"), std::nullopt, 1599999999999);  // tombstone
    add(bytes{}, bytes{}, 1600000000100);
    add(to_bytes("k5"), bytes(5000, 'z'), 1600000000200);
    return ms;
}

struct seen {
    int64_t offset;
    int64_t timestamp;
    std::optional<bytes> key, value;
    size_t headers;
};

std::vector<seen> read_batch(byte_view batch) {
    std::vector<seen> out;
    for_each_record(batch, [&](const batch_header& h, const record_view& r) {
        seen s{h.base_offset + r.offset_delta,
               h.base_timestamp + r.timestamp_delta,
               {},
               {},
               r.headers.size()};
        if (r.key) s.key = bytes(r.key->begin(), r.key->end());
        if (r.value) s.value = bytes(r.value->begin(), r.value->end());
        out.push_back(std::move(s));
    });
    return out;
}

void check_records(const legacy_check& res, const std::vector<msg>& in, compression codec,
                   std::optional<int64_t> forced_ts = std::nullopt) {
    INFO(res.message);
    REQUIRE(res.error == error_code::none);
    auto check = check_batches(res.batch);
    REQUIRE(check.error == error_code::none);
    REQUIRE(check.batches.size() == 1);
    CHECK(check.batches[0].codec() == codec);
    CHECK(check.batches[0].base_offset == 0);
    CHECK(res.record_count == int32_t(in.size()));
    auto out = read_batch(res.batch);
    REQUIRE(out.size() == in.size());
    for (size_t i = 0; i < in.size(); ++i) {
        INFO("record " << i);
        CHECK(out[i].offset == int64_t(i));
        CHECK(out[i].key == in[i].key);
        CHECK(out[i].value == in[i].value);
        CHECK(out[i].timestamp == (forced_ts ? *forced_ts : in[i].timestamp));
    }
}

// A parsed legacy entry, read by hand for the down-conversion tests.
struct parsed {
    int64_t offset;
    int8_t magic;
    int8_t attrs;
    int64_t timestamp = -1;
    std::optional<bytes> key, value;
};

std::vector<parsed> parse_set(const bytes& set) {
    std::vector<parsed> out;
    size_t pos = 0;
    auto be = [&](size_t at, int n) {
        uint64_t v = 0;
        for (int i = 0; i < n; ++i) v = v << 8 | set.at(at + i);
        return v;
    };
    while (pos < set.size()) {
        parsed p;
        p.offset = int64_t(be(pos, 8));
        size_t size = size_t(int32_t(be(pos + 8, 4)));
        REQUIRE(pos + 12 + size <= set.size());
        uint32_t crc = uint32_t(be(pos + 12, 4));
        CHECK(crc == uint32_t(::crc32(0, set.data() + pos + 16, uInt(size - 4))));
        size_t at = pos + 16;
        p.magic = int8_t(set[at++]);
        p.attrs = int8_t(set[at++]);
        if (p.magic == 1) {
            p.timestamp = int64_t(be(at, 8));
            at += 8;
        }
        for (auto* f : {&p.key, &p.value}) {
            int32_t n = int32_t(be(at, 4));
            at += 4;
            if (n >= 0) {
                *f = bytes(set.begin() + long(at), set.begin() + long(at) + n);
                at += size_t(n);
            }
        }
        CHECK(at == pos + 12 + size);
        out.push_back(std::move(p));
        pos += 12 + size;
    }
    return out;
}

}  // namespace

TEST_CASE("records_magic reads byte 16", "[legacy]") {
    CHECK(records_magic(message_set(sample(0, false))) == 0);
    CHECK(records_magic(message_set(sample(1, false))) == 1);
    CHECK(records_magic(build_batch({record{}})) == 2);
    CHECK(records_magic(bytes(16, 0)) == -1);
}

TEST_CASE("up-convert uncompressed magic 0 and magic 1 message sets", "[legacy]") {
    auto m0 = sample(0, false, 1000);  // producers' offsets are ignored
    auto res0 = up_convert(message_set(m0), 1234);
    CHECK(res0.magic == 0);
    check_records(res0, m0, compression::none, -1);  // magic 0: no timestamps

    auto m1 = sample(1, false);
    auto res1 = up_convert(message_set(m1), 1234);
    CHECK(res1.magic == 1);
    check_records(res1, m1, compression::none);

    // a single message
    auto one = up_convert(message_set({m1[0]}), 0);
    check_records(one, {m1[0]}, compression::none);
}

TEST_CASE("up-convert compressed wrappers", "[legacy]") {
    for (auto c : {compression::gzip, compression::snappy, compression::lz4}) {
        INFO(compression_name(c));
        // magic 0: inner offsets absolute, wrapper offset = last inner offset
        auto in0 = sample(0, false, 500);
        auto res0 = up_convert(wrap(in0, c, 0, 504), 1);
        check_records(res0, in0, c, -1);

        // magic 1: inner offsets relative (KIP-31), wrapper CreateTime
        auto in1 = sample(1, true);
        auto res1 = up_convert(wrap(in1, c, 1, 4, 1600000000200), 1);
        check_records(res1, in1, c);

        // two wrappers and an uncompressed message in one set
        bytes set = wrap(in1, c, 1, 4);
        bytes more = wrap({in1[0], in1[1]}, c, 1, 1);
        set.insert(set.end(), more.begin(), more.end());
        bytes plain = encode(in1[2]);
        set.insert(set.end(), plain.begin(), plain.end());
        auto all = in1;
        all.push_back(in1[0]);
        all.push_back(in1[1]);
        all.push_back(in1[2]);
        check_records(up_convert(set, 1), all, c);
    }
}

TEST_CASE("LogAppendTime legacy messages take the broker's time", "[legacy]") {
    auto in1 = sample(1, true);
    auto res = up_convert(wrap(in1, compression::gzip, 1, 4, 77, 0x08), 999);
    check_records(res, in1, compression::gzip, 999);
    msg m = in1[0];
    m.attrs = 0x08;
    check_records(up_convert(encode(m), 555), {m}, compression::none, 555);
}

TEST_CASE("magic-0 lz4 with Kafka 0.8's wrong header checksum is accepted", "[legacy]") {
    auto in = sample(0, false);
    bytes wrapped_value = compress(compression::lz4, message_set(in));
    REQUIRE(wrapped_value.size() > 7);
    wrapped_value[6] ^= 0x5a;  // HC byte (no content size, no dict id)
    REQUIRE_THROWS_AS(decompress(compression::lz4, wrapped_value), decode_error);

    msg w0;
    w0.offset = 4;
    w0.magic = 0;
    w0.attrs = 3;
    w0.value = wrapped_value;
    check_records(up_convert(encode(w0), 0), in, compression::lz4, -1);

    // magic 1 must carry the correct checksum (KIP-57)
    msg w1 = w0;
    w1.magic = 1;
    auto in1 = sample(1, true);
    w1.value = compress(compression::lz4, message_set(in1));
    (*w1.value)[6] ^= 0x5a;
    CHECK(up_convert(encode(w1), 0).error == error_code::corrupt_message);
}

TEST_CASE("up-convert rejects corrupt message sets", "[legacy]") {
    auto in = sample(1, false);
    bytes good = message_set(in);
    REQUIRE(up_convert(good, 0).error == error_code::none);

    SECTION("empty") { CHECK(up_convert({}, 0).error == error_code::invalid_record); }
    SECTION("bad CRC") {
        bytes bad = good;
        bad[30] ^= 0x01;  // inside the first message's key
        auto res = up_convert(bad, 0);
        CHECK(res.error == error_code::corrupt_message);
        CHECK(res.message.find("CRC") != std::string::npos);
        bytes bad_crc = good;
        bad_crc[12] ^= 0x80;
        CHECK(up_convert(bad_crc, 0).error == error_code::corrupt_message);
    }
    SECTION("partial trailing message") {
        for (size_t cut : {size_t(1), size_t(5), size_t(13), size_t(100)}) {
            INFO("cut " << cut);
            CHECK(up_convert(byte_view(good).first(good.size() - cut), 0).error ==
                  error_code::corrupt_message);
        }
        CHECK(up_convert(byte_view(good).first(11), 0).error == error_code::corrupt_message);
    }
    SECTION("message size too small or too large") {
        bytes bad = good;
        bad[8] = bad[9] = bad[10] = 0;
        bad[11] = 5;
        CHECK(up_convert(bad, 0).error == error_code::corrupt_message);
        bad[8] = 0x7f;
        CHECK(up_convert(bad, 0).error == error_code::corrupt_message);
        bad[8] = 0xff;  // negative
        CHECK(up_convert(bad, 0).error == error_code::corrupt_message);
    }
    SECTION("key length past the message, CRC valid") {
        msg m = in[0];
        bytes e = encode(m);
        // key length at 12+4+2+8 = 26; make it 1000 and fix the CRC
        e[26] = 0;
        e[27] = 0;
        e[28] = 0x03;
        e[29] = 0xe8;
        uint32_t crc = uint32_t(::crc32(0, e.data() + 16, uInt(e.size() - 16)));
        for (int i = 0; i < 4; ++i) e[12 + i] = uint8_t(crc >> (24 - 8 * i));
        CHECK(up_convert(e, 0).error == error_code::corrupt_message);
    }
    SECTION("unknown magic") {
        msg m = in[0];
        m.magic = 2;
        CHECK(up_convert(encode(m), 0).error == error_code::corrupt_message);
    }
    SECTION("zstd and unknown codecs are not legacy codecs") {
        msg w;
        w.magic = 1;
        w.attrs = 4;
        w.value = compress(compression::zstd, good);
        CHECK(up_convert(encode(w), 0).error == error_code::unsupported_compression_type);
        w.attrs = 6;
        CHECK(up_convert(encode(w), 0).error == error_code::unsupported_compression_type);
    }
    SECTION("corrupt compressed value") {
        msg w;
        w.magic = 1;
        w.attrs = 1;
        w.value = compress(compression::gzip, good);
        w.value->erase(w.value->end() - 3, w.value->end());
        CHECK(up_convert(encode(w), 0).error == error_code::corrupt_message);
        w.value.reset();
        CHECK(up_convert(encode(w), 0).error == error_code::corrupt_message);
    }
    SECTION("inner set problems") {
        // nested compression
        bytes inner_wrapper = wrap(in, compression::gzip, 1, 4);
        msg w;
        w.magic = 1;
        w.attrs = 1;
        w.value = compress(compression::gzip, inner_wrapper);
        CHECK(up_convert(encode(w), 0).error == error_code::corrupt_message);
        // inner magic differs from the wrapper's
        CHECK(up_convert(wrap(sample(0, false), compression::gzip, 1, 4), 0).error ==
              error_code::corrupt_message);
        // empty inner set
        w.value = compress(compression::gzip, {});
        CHECK(up_convert(encode(w), 0).error == error_code::corrupt_message);
        // truncated inner set
        bytes inner = message_set(in);
        inner.pop_back();
        w.value = compress(compression::gzip, inner);
        CHECK(up_convert(encode(w), 0).error == error_code::corrupt_message);
    }
    SECTION("decompression bomb bounded") {
        msg w;
        w.magic = 1;
        w.attrs = 1;
        w.value = compress(compression::gzip, message_set(in));
        CHECK(up_convert(encode(w), 0, 100).error == error_code::corrupt_message);
    }
}

TEST_CASE("down-convert v2 batches to magic 0 and magic 1", "[legacy]") {
    std::vector<record> rs;
    for (int i = 0; i < 6; ++i) {
        record r;
        if (i != 2) r.key = to_bytes("key" + std::to_string(i));
        if (i != 4) r.value = to_bytes("value" + std::to_string(i));
        r.timestamp = 1700000000000 + i * 10;
        r.headers.push_back({"dropped", to_bytes("x")});
        rs.push_back(r);
    }
    // log: batch A (offsets 100-102, lz4), a control batch (103), batch B (104-106,
    // uncompressed, LogAppendTime), then a partial batch.
    bytes a = build_batch({rs[0], rs[1], rs[2]}, {compression::lz4, 100});
    batch_options ctl;
    ctl.base_offset = 103;
    ctl.control = true;
    ctl.transactional = true;
    record marker;
    marker.key = bytes{0, 0, 0, 0};
    marker.value = bytes{0, 0, 0, 0, 0, 0};
    bytes control = build_batch({marker}, ctl);
    bytes b = build_batch({rs[3], rs[4], rs[5]}, {compression::none, 104});
    set_log_append_time(b.data(), b.size(), 1800000000000);
    bytes log = a;
    log.insert(log.end(), control.begin(), control.end());
    log.insert(log.end(), b.begin(), b.end());
    log.insert(log.end(), a.begin(), a.begin() + 80);  // cut off by max_bytes
    REQUIRE(check_batches(byte_view(log).first(a.size() + control.size() + b.size())).error ==
            error_code::none);

    const int64_t offsets[] = {100, 101, 102, 104, 105, 106};
    for (int8_t magic : {int8_t(0), int8_t(1)}) {
        INFO("magic " << int(magic));
        bytes set = down_convert(log, magic, 0);
        auto ms = parse_set(set);
        REQUIRE(ms.size() == 6);
        for (size_t i = 0; i < 6; ++i) {
            INFO("message " << i);
            CHECK(ms[i].offset == offsets[i]);
            CHECK(ms[i].magic == magic);
            CHECK((ms[i].attrs & 0x07) == 0);  // uncompressed
            CHECK(ms[i].key == rs[i].key);
            CHECK(ms[i].value == rs[i].value);
            if (magic == 1) {
                bool append_time = i >= 3;
                CHECK(ms[i].timestamp == (append_time ? 1800000000000 : rs[i].timestamp));
                CHECK(((ms[i].attrs & 0x08) != 0) == append_time);
            } else {
                CHECK(ms[i].attrs == 0);
            }
        }
        // the legacy set is itself valid input: up-convert it back
        auto back = up_convert(set, 0);
        REQUIRE(back.error == error_code::none);
        CHECK(back.record_count == 6);

        // starting in the middle of the first batch
        auto from = parse_set(down_convert(log, magic, 102));
        REQUIRE(from.size() == 4);
        CHECK(from[0].offset == 102);
        CHECK(from[1].offset == 104);
        // past everything
        CHECK(down_convert(log, magic, 107).empty());
        // only a partial batch
        CHECK(down_convert(byte_view(a).first(a.size() - 1), magic, 0).empty());
        CHECK(down_convert({}, magic, 0).empty());
    }
    CHECK_THROWS_AS(down_convert(log, 2, 0), std::invalid_argument);
    bytes not_v2 = a;
    not_v2[16] = 1;
    CHECK_THROWS_AS(down_convert(not_v2, 0, 0), decode_error);
}

TEST_CASE("legacy to v2 to legacy keeps keys, values and timestamps", "[legacy]") {
    auto in = sample(1, true);
    auto up = up_convert(wrap(in, compression::snappy, 1, 4), 0);
    REQUIRE(up.error == error_code::none);
    set_base_offset(up.batch.data(), 9000);
    auto ms = parse_set(down_convert(up.batch, 1, 0));
    REQUIRE(ms.size() == in.size());
    for (size_t i = 0; i < in.size(); ++i) {
        CHECK(ms[i].offset == 9000 + int64_t(i));
        CHECK(ms[i].key == in[i].key);
        CHECK(ms[i].value == in[i].value);
        CHECK(ms[i].timestamp == in[i].timestamp);
    }
}
