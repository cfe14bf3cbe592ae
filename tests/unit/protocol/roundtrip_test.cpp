// Round trips of the core messages (Produce, Fetch, ListOffsets, Metadata,
// ApiVersions) at every version, plus explicit per-message field checks. The
// other groups live in roundtrip_*_test.cpp to keep compile units small.

#include "roundtrip_support.h"

using namespace sluice::protocol;
using namespace sluice::protocol::test;

TEMPLATE_LIST_TEST_CASE("core messages round trip at every version", "[roundtrip]", core_messages) {
    generic_roundtrip<TestType>();
}

TEST_CASE("Produce request fields by version", "[roundtrip][produce]") {
    auto m = fill<produce_request>();
    REQUIRE(m.topics.size() == 2);
    REQUIRE(m.topics[1].partitions.size() == 2);
    each_version(m, [&](int16_t v, const produce_request& d) {
        CHECK(d.acks == m.acks);
        CHECK(d.timeout_ms == m.timeout_ms);
        CHECK(d.transactional_id == (v >= 3 ? m.transactional_id : std::nullopt));
        REQUIRE(d.topics.size() == 2);
        CHECK(d.topics[1].name == m.topics[1].name);
        REQUIRE(d.topics[1].partitions.size() == 2);
        CHECK(d.topics[1].partitions[1].index == m.topics[1].partitions[1].index);
        CHECK(as_string(d.topics[1].partitions[1].records) ==
              as_string(m.topics[1].partitions[1].records));
        CHECK_FALSE(d.topics[1].partitions[1].records.is_null);
    });
    each_version(fill<produce_request>(fill_mode::nulls), [&](int16_t, const produce_request& d) {
        CHECK_FALSE(d.transactional_id.has_value());
        CHECK(d.topics.at(0).partitions.at(0).records.is_null);  // nullable at every version
    });
}

TEST_CASE("Produce response fields by version", "[roundtrip][produce]") {
    auto m = fill<produce_response>();
    each_version(m, [&](int16_t v, const produce_response& d) {
        auto& p = d.responses.at(1).partition_responses.at(0);
        auto& mp = m.responses[1].partition_responses[0];
        CHECK(p.base_offset == mp.base_offset);
        CHECK(p.error_code == mp.error_code);
        CHECK(p.log_append_time_ms == (v >= 2 ? mp.log_append_time_ms : -1));
        CHECK(p.log_start_offset == (v >= 5 ? mp.log_start_offset : -1));
        CHECK(p.record_errors.size() == (v >= 8 ? 2u : 0u));
        CHECK(p.error_message == (v >= 8 ? mp.error_message : std::nullopt));
        CHECK(d.throttle_time_ms == (v >= 1 ? m.throttle_time_ms : 0));
    });
}

TEST_CASE("Fetch request fields by version", "[roundtrip][fetch]") {
    auto m = fill<fetch_request>();
    each_version(m, [&](int16_t v, const fetch_request& d) {
        CHECK(d.replica_id == m.replica_id);
        CHECK(d.max_wait_ms == m.max_wait_ms);
        CHECK(d.min_bytes == m.min_bytes);
        CHECK(d.max_bytes == (v >= 3 ? m.max_bytes : INT32_MAX));
        CHECK(d.isolation_level == (v >= 4 ? m.isolation_level : 0));
        CHECK(d.session_id == (v >= 7 ? m.session_id : 0));
        CHECK(d.session_epoch == (v >= 7 ? m.session_epoch : -1));
        CHECK(d.forgotten_topics_data.size() == (v >= 7 ? 2u : 0u));
        CHECK(d.rack_id == (v >= 11 ? m.rack_id : ""));
        CHECK(d.cluster_id == (v >= 12 ? m.cluster_id : std::nullopt));  // tagged
        auto& p = d.topics.at(1).partitions.at(1);
        auto& mp = m.topics[1].partitions[1];
        CHECK(d.topics[1].topic == m.topics[1].topic);
        CHECK(p.partition == mp.partition);
        CHECK(p.fetch_offset == mp.fetch_offset);
        CHECK(p.partition_max_bytes == mp.partition_max_bytes);
        CHECK(p.log_start_offset == (v >= 5 ? mp.log_start_offset : -1));
        CHECK(p.current_leader_epoch == (v >= 9 ? mp.current_leader_epoch : -1));
        CHECK(p.last_fetched_epoch == (v >= 12 ? mp.last_fetched_epoch : -1));
    });
}

TEST_CASE("Fetch response fields by version", "[roundtrip][fetch]") {
    auto m = fill<fetch_response>();
    each_version(m, [&](int16_t v, const fetch_response& d) {
        CHECK(d.throttle_time_ms == (v >= 1 ? m.throttle_time_ms : 0));
        CHECK(d.error_code == (v >= 7 ? m.error_code : 0));
        auto& p = d.responses.at(0).partitions.at(1);
        auto& mp = m.responses[0].partitions[1];
        CHECK(p.high_watermark == mp.high_watermark);
        CHECK(p.last_stable_offset == (v >= 4 ? mp.last_stable_offset : -1));
        CHECK(p.aborted_transactions->size() == (v >= 4 ? 2u : 0u));
        CHECK(p.preferred_read_replica == (v >= 11 ? mp.preferred_read_replica : -1));
        CHECK(p.diverging_epoch.end_offset == (v >= 12 ? mp.diverging_epoch.end_offset : -1));
        CHECK(p.current_leader.leader_id == (v >= 12 ? mp.current_leader.leader_id : -1));
        CHECK(p.snapshot_id.epoch == (v >= 12 ? mp.snapshot_id.epoch : -1));
        CHECK(as_string(p.records) == as_string(mp.records));
        CHECK_FALSE(p.records.is_null);
    });
    each_version(fill<fetch_response>(fill_mode::nulls), [&](int16_t v, const fetch_response& d) {
        auto& p = d.responses.at(0).partitions.at(0);
        CHECK(p.records.is_null);  // nullable at every version
        CHECK(p.aborted_transactions.has_value() == (v < 4));
    });
}

TEST_CASE("ListOffsets fields by version", "[roundtrip][list_offsets]") {
    auto m = fill<list_offsets_request>();
    each_version(m, [&](int16_t v, const list_offsets_request& d) {
        auto& p = d.topics.at(0).partitions.at(0);
        auto& mp = m.topics[0].partitions[0];
        CHECK(d.replica_id == m.replica_id);
        CHECK(d.isolation_level == (v >= 2 ? m.isolation_level : 0));
        CHECK(p.timestamp == mp.timestamp);
        CHECK(p.max_num_offsets == (v == 0 ? mp.max_num_offsets : 1));
        CHECK(p.current_leader_epoch == (v >= 4 ? mp.current_leader_epoch : -1));
    });
    auto r = fill<list_offsets_response>();
    each_version(r, [&](int16_t v, const list_offsets_response& d) {
        auto& p = d.topics.at(1).partitions.at(1);
        auto& mp = r.topics[1].partitions[1];
        CHECK(p.old_style_offsets == (v == 0 ? mp.old_style_offsets : std::vector<int64_t>{}));
        CHECK(p.offset == (v >= 1 ? mp.offset : -1));
        CHECK(p.timestamp == (v >= 1 ? mp.timestamp : -1));
        CHECK(p.leader_epoch == (v >= 4 ? mp.leader_epoch : -1));
        CHECK(d.throttle_time_ms == (v >= 2 ? r.throttle_time_ms : 0));
    });
}

TEST_CASE("Metadata and ApiVersions fields by version", "[roundtrip][metadata]") {
    each_version(fill<metadata_request>(fill_mode::nulls),
                 [&](int16_t v, const metadata_request& d) {
                     // v0 cannot carry a null topic list: it comes back as an empty one.
                     CHECK(d.topics.has_value() == (v == 0));
                     if (d.topics) CHECK(d.topics->empty());
                 });
    auto r = fill<metadata_response>();
    each_version(r, [&](int16_t v, const metadata_response& d) {
        CHECK(d.cluster_id == (v >= 2 ? r.cluster_id : std::nullopt));
        CHECK(d.controller_id == (v >= 1 ? r.controller_id : -1));
        CHECK(d.brokers.at(1).rack == (v >= 1 ? r.brokers[1].rack : std::nullopt));
        CHECK(d.topics.at(0).topic_id == (v >= 10 ? r.topics[0].topic_id : uuid{}));
        CHECK(d.topics[0].partitions.at(1).isr_nodes == r.topics[0].partitions[1].isr_nodes);
    });
    auto a = fill<api_versions_response>();
    each_version(a, [&](int16_t v, const api_versions_response& d) {
        CHECK(d.api_keys == a.api_keys);
        CHECK(d.supported_features.size() == (v >= 3 ? 2u : 0u));  // tagged
        CHECK(d.zk_migration_ready == (v >= 3 && a.zk_migration_ready));
    });
}
