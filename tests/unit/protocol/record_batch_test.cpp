#include "protocol/record_batch.h"
#include "protocol/crc32c.h"

#include <catch2/catch.hpp>

#include <random>
#include <string>

using namespace sluice::protocol;

namespace {

bytes to_bytes(std::string_view s) { return bytes(s.begin(), s.end()); }

std::vector<record> sample_records() {
    std::vector<record> rs;
    record a;
    a.key = to_bytes("key-a");
    a.value = to_bytes("value-a");
    a.timestamp = 1700000000000;
    a.headers.push_back({"trace", to_bytes("abc")});
    a.headers.push_back({"null-header", std::nullopt});
    rs.push_back(a);

    record b;  // null key
    b.value = to_bytes("value-b");
    b.timestamp = 1700000000005;
    rs.push_back(b);

    record c;  // tombstone, earlier timestamp (negative delta)
    c.key = to_bytes("key-c");
    c.timestamp = 1699999999990;
    rs.push_back(c);

    record d;  // empty key and value (not null)
    d.key = bytes{};
    d.value = bytes{};
    d.timestamp = 1700000000100;
    rs.push_back(d);

    std::mt19937 rng(5);
    for (int i = 0; i < 200; ++i) {
        record r;
        r.key = to_bytes("k" + std::to_string(i));
        bytes v(size_t(rng() % 3000));
        for (size_t j = 0; j < v.size(); ++j)  // compressible: runs of a few letters
            v[j] = uint8_t('a' + (j / 16 + rng() % 2) % 4);
        r.value = v;
        r.timestamp = 1700000001000 + i;
        if (i % 7 == 0) r.headers.push_back({"h" + std::to_string(i), to_bytes("hv")});
        rs.push_back(r);
    }
    return rs;
}

struct seen_record {
    int64_t offset;
    int64_t timestamp;
    std::optional<bytes> key, value;
    std::vector<std::pair<std::string, std::optional<bytes>>> headers;
};

std::vector<seen_record> read_all(byte_view batch) {
    std::vector<seen_record> out;
    for_each_record(batch, [&](const batch_header& h, const record_view& r) {
        seen_record s;
        s.offset = h.base_offset + r.offset_delta;
        s.timestamp = h.base_timestamp + r.timestamp_delta;
        if (r.key) s.key = bytes(r.key->begin(), r.key->end());
        if (r.value) s.value = bytes(r.value->begin(), r.value->end());
        for (auto& [k, v] : r.headers) {
            std::optional<bytes> hv;
            if (v) hv = bytes(v->begin(), v->end());
            s.headers.emplace_back(std::string(k), hv);
        }
        out.push_back(std::move(s));
    });
    return out;
}

void check_same(const std::vector<record>& in, const std::vector<seen_record>& out,
                int64_t base_offset) {
    REQUIRE(out.size() == in.size());
    for (size_t i = 0; i < in.size(); ++i) {
        INFO("record " << i);
        CHECK(out[i].offset == base_offset + int64_t(i));
        CHECK(out[i].timestamp == in[i].timestamp);
        CHECK(out[i].key == in[i].key);
        CHECK(out[i].value == in[i].value);
        CHECK(out[i].headers == in[i].headers);
    }
}

const compression all_codecs[] = {compression::none, compression::gzip, compression::snappy,
                                  compression::lz4, compression::zstd};

}  // namespace

TEST_CASE("build_batch with each codec reads back exactly", "[record_batch]") {
    auto records = sample_records();
    for (auto c : all_codecs) {
        INFO(compression_name(c));
        batch_options opts;
        opts.codec = c;
        opts.base_offset = 42;
        opts.producer_id = 1000;
        opts.producer_epoch = 3;
        opts.base_sequence = 17;
        bytes batch = build_batch(records, opts);

        auto check = check_batches(batch);
        REQUIRE(check.error == error_code::none);
        REQUIRE(check.batches.size() == 1);
        auto& h = check.batches[0];
        CHECK(h.base_offset == 42);
        CHECK(h.magic == 2);
        CHECK(h.codec() == c);
        CHECK(h.record_count == int32_t(records.size()));
        CHECK(h.last_offset_delta == int32_t(records.size()) - 1);
        CHECK(h.last_offset() == 42 + int64_t(records.size()) - 1);
        CHECK(h.base_timestamp == records.front().timestamp);
        CHECK(h.max_timestamp == 1700000001199);
        CHECK(h.producer_id == 1000);
        CHECK(h.producer_epoch == 3);
        CHECK(h.base_sequence == 17);
        CHECK_FALSE(h.transactional());
        CHECK_FALSE(h.control());
        CHECK(h.total_size() == batch.size());
        CHECK(batch_crc_ok(batch));
        if (c != compression::none) CHECK(batch.size() < build_batch(records).size());

        check_same(records, read_all(batch), 42);
    }
}

TEST_CASE("batch attributes: transactional, control, leader epoch", "[record_batch]") {
    batch_options opts;
    opts.transactional = true;
    opts.control = true;
    opts.partition_leader_epoch = 9;
    record r;
    r.key = bytes{0, 0, 0, 0};
    r.value = bytes{0, 0, 0, 0, 0, 0};
    bytes batch = build_batch({r}, opts);
    auto h = parse_batch_header(batch);
    CHECK(h.transactional());
    CHECK(h.control());
    CHECK(h.partition_leader_epoch == 9);
    CHECK(check_batches(batch).error == error_code::none);
}

TEST_CASE("an empty record list makes a valid empty batch", "[record_batch]") {
    bytes batch = build_batch({});
    CHECK(batch.size() == batch_header_size);
    auto check = check_batches(batch);
    REQUIRE(check.error == error_code::none);
    CHECK(check.batches[0].record_count == 0);
    CHECK(read_all(batch).empty());
}

TEST_CASE("several batches in one produce payload", "[record_batch]") {
    auto records = sample_records();
    bytes a = build_batch({records.begin(), records.begin() + 3}, {compression::lz4});
    bytes b = build_batch({records.begin() + 3, records.end()}, {compression::zstd, 3});
    bytes both = a;
    both.insert(both.end(), b.begin(), b.end());
    auto check = check_batches(both);
    REQUIRE(check.error == error_code::none);
    REQUIRE(check.batches.size() == 2);
    CHECK(check.batches[0].codec() == compression::lz4);
    CHECK(check.batches[1].codec() == compression::zstd);
    CHECK(check.batches[1].base_offset == 3);
}

TEST_CASE("CRC mismatches and truncation are detected", "[record_batch]") {
    auto records = sample_records();
    for (auto c : all_codecs) {
        INFO(compression_name(c));
        bytes batch = build_batch(records, {c});

        for (size_t at : {size_t(21), size_t(30), size_t(60), batch.size() / 2, batch.size() - 1}) {
            bytes bad = batch;
            bad[at] ^= 0x40;
            CHECK_FALSE(batch_crc_ok(bad));
            auto check = check_batches(bad);
            CHECK(check.error == error_code::corrupt_message);
            CHECK(check.message.find("CRC") != std::string::npos);
        }
        bytes bad_crc = batch;
        bad_crc[17] ^= 0x01;  // the stored CRC itself
        CHECK(check_batches(bad_crc).error == error_code::corrupt_message);

        for (size_t keep : {size_t(0), size_t(11), size_t(60), size_t(61), batch.size() - 1}) {
            INFO("kept " << keep);
            auto cut = byte_view(batch).first(keep);
            auto check = check_batches(cut);
            CHECK(check.error != error_code::none);
            if (keep >= batch_header_size)
                CHECK_THROWS_AS(for_each_record(cut, [](auto&, auto&) {}), decode_error);
        }
        // a whole batch followed by a partial one
        bytes two = batch;
        two.insert(two.end(), batch.begin(), batch.begin() + 70);
        CHECK(check_batches(two).error == error_code::corrupt_message);
    }
    // magic other than 2
    bytes batch = build_batch(records);
    batch[16] = 1;
    CHECK(check_batches(batch).error == error_code::unsupported_for_message_format);
    // a batch length below the header size
    batch = build_batch(records);
    batch[8] = batch[9] = batch[10] = 0;
    batch[11] = 10;
    CHECK(check_batches(batch).error == error_code::corrupt_message);
}

TEST_CASE("record count larger than the records present throws", "[record_batch]") {
    record r;
    r.value = to_bytes("v");
    bytes batch = build_batch({r, r});
    // claim three records; fix the CRC so only the record walk can notice
    batch[60] = 3;
    uint32_t crc = crc32c(0, batch.data() + 21, batch.size() - 21);
    batch[17] = uint8_t(crc >> 24);
    batch[18] = uint8_t(crc >> 16);
    batch[19] = uint8_t(crc >> 8);
    batch[20] = uint8_t(crc);
    REQUIRE(batch_crc_ok(batch));
    CHECK_THROWS_AS(for_each_record(batch, [](auto&, auto&) {}), decode_error);
}

TEST_CASE("offset and epoch rewrites leave the CRC valid", "[record_batch]") {
    auto records = sample_records();
    for (auto c : all_codecs) {
        INFO(compression_name(c));
        bytes batch = build_batch(records, {c});
        set_base_offset(batch.data(), 123456789012LL);
        set_partition_leader_epoch(batch.data(), 77);
        CHECK(batch_crc_ok(batch));
        auto check = check_batches(batch);
        REQUIRE(check.error == error_code::none);
        CHECK(check.batches[0].base_offset == 123456789012LL);
        CHECK(check.batches[0].partition_leader_epoch == 77);
        check_same(records, read_all(batch), 123456789012LL);
    }
}

TEST_CASE("set_log_append_time keeps the CRC valid", "[record_batch]") {
    auto records = sample_records();
    for (auto c : all_codecs) {
        INFO(compression_name(c));
        bytes batch = build_batch(records, {c});
        set_log_append_time(batch.data(), batch.size(), 1800000000000LL);
        CHECK(batch_crc_ok(batch));
        auto check = check_batches(batch);
        REQUIRE(check.error == error_code::none);
        auto& h = check.batches[0];
        CHECK(h.log_append_time());
        CHECK(h.max_timestamp == 1800000000000LL);
        CHECK(h.codec() == c);  // the other attribute bits are kept
        CHECK(read_all(batch).size() == records.size());
    }
}

TEST_CASE("recompress_batch changes only the codec, the length and the CRC") {
    std::vector<record> records;
    for (int i = 0; i < 50; ++i) {
        record r;
        r.key = bytes{uint8_t('k'), uint8_t(i)};
        r.value = bytes(100, uint8_t(i));
        r.headers.push_back({"h", bytes{1, 2, 3}});
        r.timestamp = 1700000000000 + i;
        records.push_back(std::move(r));
    }
    batch_options opts;
    opts.base_offset = 42;
    opts.producer_id = 7;
    opts.producer_epoch = 3;
    opts.base_sequence = 11;
    for (auto from : {compression::none, compression::gzip, compression::zstd}) {
        opts.codec = from;
        auto original = build_batch(records, opts);
        auto before = parse_batch_header(original);
        for (auto to : {compression::none, compression::gzip, compression::snappy, compression::lz4,
                        compression::zstd}) {
            auto out = recompress_batch(original, to);
            REQUIRE(batch_crc_ok(out));
            auto after = parse_batch_header(out);
            CHECK(after.codec() == to);
            CHECK(after.total_size() == out.size());
            CHECK(after.base_offset == before.base_offset);
            CHECK(after.last_offset_delta == before.last_offset_delta);
            CHECK(after.base_timestamp == before.base_timestamp);
            CHECK(after.max_timestamp == before.max_timestamp);
            CHECK(after.producer_id == 7);
            CHECK(after.producer_epoch == 3);
            CHECK(after.base_sequence == 11);
            CHECK(after.record_count == 50);
            CHECK((after.attributes & ~0x7) == (before.attributes & ~0x7));
            int n = 0;
            for_each_record(out, [&](const batch_header&, const record_view& r) {
                CHECK(r.offset_delta == n);
                REQUIRE(r.value);
                CHECK(r.value->size() == 100);
                CHECK((*r.value)[0] == uint8_t(n));
                ++n;
            });
            CHECK(n == 50);
            CHECK(check_batches(out).error == error_code::none);
        }
    }
}
