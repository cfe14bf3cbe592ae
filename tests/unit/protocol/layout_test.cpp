// Hand-checked wire layouts: the bytes below were worked out from the Kafka
// protocol rules, not produced by the codec.

#include "protocol/header.h"
#include "roundtrip_support.h"

using namespace sluice::protocol;
using namespace sluice::protocol::test;

namespace {
bytes concat(std::initializer_list<bytes> parts) {
    bytes out;
    for (auto& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}
const bytes minus1_i64{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
}  // namespace

TEST_CASE("Produce v3 request layout", "[layout]") {
    produce_request m;
    m.acks = -1;
    m.timeout_ms = 30000;
    produce_request::topic_data t;
    t.name = "t";
    produce_request::topic_data::partition_data p;
    p.index = 0;
    p.records.owned = {1, 2, 3};
    t.partitions.push_back(p);
    m.topics.push_back(t);

    bytes want = concat({
        {0xff, 0xff},                       // transactional_id: null (int16 length -1)
        {0xff, 0xff},                       // acks -1
        {0x00, 0x00, 0x75, 0x30},           // timeout_ms 30000
        {0x00, 0x00, 0x00, 0x01},           // 1 topic
        {0x00, 0x01, 't'},                  // name "t"
        {0x00, 0x00, 0x00, 0x01},           // 1 partition
        {0x00, 0x00, 0x00, 0x00},           // index 0
        {0x00, 0x00, 0x00, 0x03, 1, 2, 3},  // records: int32 size + bytes
    });
    CHECK(encode_to_bytes(m, 3) == want);
    auto d = decode_all<produce_request>(want, 3);
    CHECK(!d.transactional_id);
    CHECK(d.acks == -1);
    CHECK(as_string(d.topics.at(0).partitions.at(0).records) == "\x01\x02\x03");

    // v2 has no transactional_id at all.
    bytes v2(want.begin() + 2, want.end());
    CHECK(encode_to_bytes(m, 2) == v2);
    m.transactional_id = "tx";
    bytes with_tx = want;
    with_tx[0] = 0x00;
    with_tx[1] = 0x02;
    with_tx.insert(with_tx.begin() + 2, {'t', 'x'});
    CHECK(encode_to_bytes(m, 3) == with_tx);
}

TEST_CASE("Fetch v4 request layout", "[layout]") {
    fetch_request m;
    m.replica_id = -1;
    m.max_wait_ms = 500;
    m.min_bytes = 1;
    m.max_bytes = 52428800;
    m.isolation_level = 1;
    m.session_epoch = 9;  // v7+: not on the wire at v4
    fetch_request::fetch_topic t;
    t.topic = "t";
    fetch_request::fetch_topic::fetch_partition p;
    p.partition = 2;
    p.fetch_offset = 100;
    p.partition_max_bytes = 1048576;
    p.log_start_offset = 55;  // v5+
    t.partitions.push_back(p);
    m.topics.push_back(t);

    bytes want = concat({
        {0xff, 0xff, 0xff, 0xff},    // replica_id -1
        {0x00, 0x00, 0x01, 0xf4},    // max_wait_ms 500
        {0x00, 0x00, 0x00, 0x01},    // min_bytes 1
        {0x03, 0x20, 0x00, 0x00},    // max_bytes 50 MiB (v3+)
        {0x01},                      // isolation_level (v4+)
        {0x00, 0x00, 0x00, 0x01},    // 1 topic
        {0x00, 0x01, 't'},           // topic "t"
        {0x00, 0x00, 0x00, 0x01},    // 1 partition
        {0x00, 0x00, 0x00, 0x02},    // partition 2
        {0, 0, 0, 0, 0, 0, 0, 100},  // fetch_offset 100
        {0x00, 0x10, 0x00, 0x00},    // partition_max_bytes 1 MiB
    });
    CHECK(encode_to_bytes(m, 4) == want);
    auto d = decode_all<fetch_request>(want, 4);
    CHECK(d.max_bytes == 52428800);
    CHECK(d.isolation_level == 1);
    CHECK(d.session_epoch == -1);
    CHECK(d.topics.at(0).partitions.at(0).log_start_offset == -1);
    CHECK(d.topics[0].partitions[0].fetch_offset == 100);
}

TEST_CASE("ListOffsets v1 request layout", "[layout]") {
    list_offsets_request m;
    m.replica_id = -1;
    m.isolation_level = 1;  // v2+
    list_offsets_request::topic t;
    t.name = "t";
    list_offsets_request::topic::partition p;
    p.partition_index = 0;
    p.timestamp = -1;
    p.max_num_offsets = 5;       // v0 only
    p.current_leader_epoch = 7;  // v4+
    t.partitions.push_back(p);
    m.topics.push_back(t);

    bytes want = concat({
        {0xff, 0xff, 0xff, 0xff},  // replica_id -1
        {0x00, 0x00, 0x00, 0x01},  // 1 topic
        {0x00, 0x01, 't'},         // name
        {0x00, 0x00, 0x00, 0x01},  // 1 partition
        {0x00, 0x00, 0x00, 0x00},  // partition_index 0
        minus1_i64,                // timestamp -1 (latest)
    });
    CHECK(encode_to_bytes(m, 1) == want);
    // v0 adds max_num_offsets after the timestamp.
    bytes v0 = want;
    v0.insert(v0.end(), {0x00, 0x00, 0x00, 0x05});
    CHECK(encode_to_bytes(m, 0) == v0);
    auto d = decode_all<list_offsets_request>(want, 1);
    CHECK(d.topics.at(0).partitions.at(0).timestamp == -1);
    CHECK(d.topics[0].partitions[0].max_num_offsets == 1);
}

TEST_CASE("Fetch v12 request layout: compact encodings and tagged fields", "[layout]") {
    fetch_request m;
    m.replica_id = -1;
    m.max_wait_ms = 500;
    m.min_bytes = 1;
    fetch_request::fetch_topic t;
    t.topic = "t";
    fetch_request::fetch_topic::fetch_partition p;
    p.partition = 0;
    p.current_leader_epoch = 5;
    p.fetch_offset = 10;
    p.last_fetched_epoch = 4;
    p.partition_max_bytes = 65536;
    t.partitions.push_back(p);
    m.topics.push_back(t);

    bytes body = concat({
        {0xff, 0xff, 0xff, 0xff},   // replica_id -1
        {0x00, 0x00, 0x01, 0xf4},   // max_wait_ms 500
        {0x00, 0x00, 0x00, 0x01},   // min_bytes 1
        {0x7f, 0xff, 0xff, 0xff},   // max_bytes default
        {0x00},                     // isolation_level 0
        {0x00, 0x00, 0x00, 0x00},   // session_id 0
        {0xff, 0xff, 0xff, 0xff},   // session_epoch -1
        {0x02},                     // topics: compact length 1 (+1)
        {0x02, 't'},                // compact string "t"
        {0x02},                     // partitions: 1
        {0x00, 0x00, 0x00, 0x00},   // partition 0
        {0x00, 0x00, 0x00, 0x05},   // current_leader_epoch 5
        {0, 0, 0, 0, 0, 0, 0, 10},  // fetch_offset 10
        {0x00, 0x00, 0x00, 0x04},   // last_fetched_epoch 4
        minus1_i64,                 // log_start_offset -1
        {0x00, 0x01, 0x00, 0x00},   // partition_max_bytes 65536
        {0x00},                     // partition: no tagged fields
        {0x00},                     // topic: no tagged fields
        {0x01},                     // forgotten_topics_data: empty compact array
        {0x01},                     // rack_id: empty compact string
    });
    // cluster_id is null = its default, so the tagged section is empty.
    CHECK(encode_to_bytes(m, 12) == concat({body, {0x00}}));

    m.cluster_id = "c";
    // one tagged field: tag 0, size 2, compact string "c"
    bytes with_tag = concat({body, {0x01, 0x00, 0x02, 0x02, 'c'}});
    CHECK(encode_to_bytes(m, 12) == with_tag);
    auto d = decode_all<fetch_request>(with_tag, 12);
    CHECK(d.cluster_id == "c");
    CHECK(d.topics.at(0).partitions.at(0).last_fetched_epoch == 4);

    // An unknown tag (7) is skipped on decode.
    bytes unknown = concat({body, {0x02, 0x00, 0x02, 0x02, 'c', 0x07, 0x03, 0xaa, 0xbb, 0xcc}});
    CHECK(decode_all<fetch_request>(unknown, 12) == d);
}

TEST_CASE("Fetch v12 response layout with a tagged struct", "[layout]") {
    fetch_response m;
    fetch_response::topic_response t;
    t.topic = "t";
    fetch_response::topic_response::partition_data p;
    p.high_watermark = 10;
    p.last_stable_offset = 10;
    p.log_start_offset = 0;
    p.aborted_transactions.reset();
    p.current_leader.leader_id = 3;
    p.current_leader.leader_epoch = 9;
    p.records.owned = {1, 2};
    t.partitions.push_back(p);
    m.responses.push_back(t);

    bytes want = concat({
        {0x00, 0x00, 0x00, 0x00},        // throttle_time_ms
        {0x00, 0x00},                    // error_code
        {0x00, 0x00, 0x00, 0x00},        // session_id
        {0x02},                          // responses: 1
        {0x02, 't'},                     // topic "t"
        {0x02},                          // partitions: 1
        {0x00, 0x00, 0x00, 0x00},        // partition_index
        {0x00, 0x00},                    // error_code
        {0, 0, 0, 0, 0, 0, 0, 10},       // high_watermark
        {0, 0, 0, 0, 0, 0, 0, 10},       // last_stable_offset
        {0, 0, 0, 0, 0, 0, 0, 0},        // log_start_offset
        {0x00},                          // aborted_transactions: compact null
        {0xff, 0xff, 0xff, 0xff},        // preferred_read_replica -1
        {0x03, 1, 2},                    // records: compact length 2 (+1)
        {0x01, 0x01, 0x09},              // 1 tagged field: tag 1 (CurrentLeader), 9 bytes:
        {0, 0, 0, 3, 0, 0, 0, 9, 0x00},  //   leader_id 3, leader_epoch 9, no tags
        {0x00},                          // topic: no tagged fields
        {0x00},                          // response: no tagged fields
    });
    CHECK(encode_to_bytes(m, 12) == want);
    auto d = decode_all<fetch_response>(want, 12);
    auto& dp = d.responses.at(0).partitions.at(0);
    CHECK(dp.current_leader.leader_epoch == 9);
    CHECK(!dp.aborted_transactions);
    CHECK(dp.diverging_epoch.epoch == -1);
    CHECK(as_string(dp.records) == "\x01\x02");
}

TEST_CASE("response header v0 and v1 layouts", "[layout][header]") {
    writer w0;
    write_response_header(w0, 7, false);
    CHECK(w0.buffer() == bytes{0x00, 0x00, 0x00, 0x07});

    writer w1;
    write_response_header(w1, 7, true);
    CHECK(w1.buffer() == bytes{0x00, 0x00, 0x00, 0x07, 0x00});  // + empty tagged section
    // followed by a flexible body: Heartbeat v4 response
    heartbeat_response hb;
    hb.error_code = 27;
    encode(w1, hb, 4);
    CHECK(w1.buffer() ==
          bytes{0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1b, 0x00});

    // A response header v1 with a tagged field is skipped over correctly.
    bytes tagged{0x00, 0x00, 0x01, 0x00, 0x01, 0x05, 0x02, 0xaa, 0xbb, 0x42};
    reader r(tagged);
    CHECK(read_response_header(r, true) == 256);
    CHECK(r.u8() == 0x42);
    CHECK(r.empty());

    // ApiVersions answers with header v0 even to a flexible request.
    CHECK_FALSE(response_header_flexible(api_versions_request::api_key, true));
    CHECK(response_header_flexible(fetch_request::api_key, true));
}
