// Round trips of the SASL, transaction, ACL and misc messages at every version,
// plus explicit checks.

#include "roundtrip_support.h"

using namespace sluice::protocol;
using namespace sluice::protocol::test;

TEMPLATE_LIST_TEST_CASE("auth, txn and ACL messages round trip at every version", "[roundtrip]",
                        auth_txn_messages) {
    generic_roundtrip<TestType>();
}

TEST_CASE("SASL messages", "[roundtrip][sasl]") {
    auto h = fill<sasl_handshake_response>();
    each_version(h, [&](int16_t, const sasl_handshake_response& d) {
        CHECK(d.mechanisms == h.mechanisms);
        CHECK(d.error_code == h.error_code);
    });
    auto a = fill<sasl_authenticate_request>();
    each_version(a, [&](int16_t, const sasl_authenticate_request& d) {
        CHECK(d.auth_bytes == a.auth_bytes);
    });
    auto r = fill<sasl_authenticate_response>(fill_mode::nulls);
    each_version(r, [&](int16_t v, const sasl_authenticate_response& d) {
        CHECK_FALSE(d.error_message.has_value());
        CHECK(d.session_lifetime_ms == (v >= 1 ? r.session_lifetime_ms : 0));
    });
}

TEST_CASE("InitProducerId and transaction messages", "[roundtrip][txn]") {
    each_version(fill<init_producer_id_request>(fill_mode::nulls),
                 [&](int16_t, const init_producer_id_request& d) {
                     CHECK_FALSE(d.transactional_id.has_value());  // idempotent only
                 });
    auto ip = fill<init_producer_id_request>();
    each_version(ip, [&](int16_t v, const init_producer_id_request& d) {
        CHECK(d.transactional_id == ip.transactional_id);
        CHECK(d.transaction_timeout_ms == ip.transaction_timeout_ms);
        CHECK(d.producer_id == (v >= 3 ? ip.producer_id : -1));
        CHECK(d.producer_epoch == (v >= 3 ? ip.producer_epoch : -1));
    });
    auto ipr = fill<init_producer_id_response>();
    each_version(ipr, [&](int16_t, const init_producer_id_response& d) {
        CHECK(d.producer_id == ipr.producer_id);
        CHECK(d.producer_epoch == ipr.producer_epoch);
    });
    auto ap = fill<add_partitions_to_txn_request>();
    each_version(ap, [&](int16_t, const add_partitions_to_txn_request& d) {
        CHECK(d.v3_and_below_transactional_id == ap.v3_and_below_transactional_id);
        CHECK(d.v3_and_below_topics.at(1).partitions == ap.v3_and_below_topics[1].partitions);
    });
    auto apr = fill<add_partitions_to_txn_response>();
    each_version(apr, [&](int16_t, const add_partitions_to_txn_response& d) {
        CHECK(
            d.results_by_topic_v3_and_below.at(0).results_by_partition.at(1).partition_error_code ==
            apr.results_by_topic_v3_and_below[0].results_by_partition[1].partition_error_code);
    });
    auto et = fill<end_txn_request>();
    each_version(et, [&](int16_t, const end_txn_request& d) {
        CHECK(d.committed == et.committed);
        CHECK(d.producer_epoch == et.producer_epoch);
    });
    auto ao = fill<add_offsets_to_txn_request>();
    each_version(ao, [&](int16_t, const add_offsets_to_txn_request& d) {
        CHECK(d.group_id == ao.group_id);
    });
    auto tc = fill<txn_offset_commit_request>();
    each_version(tc, [&](int16_t v, const txn_offset_commit_request& d) {
        CHECK(d.generation_id == (v >= 3 ? tc.generation_id : -1));
        CHECK(d.member_id == (v >= 3 ? tc.member_id : ""));
        auto& p = d.topics.at(1).partitions.at(1);
        CHECK(p.committed_offset == tc.topics[1].partitions[1].committed_offset);
        CHECK(p.committed_leader_epoch ==
              (v >= 2 ? tc.topics[1].partitions[1].committed_leader_epoch : -1));
    });
}

TEST_CASE("ACL messages", "[roundtrip][acl]") {
    auto m = fill<describe_acls_request>(fill_mode::nulls);
    each_version(m, [&](int16_t v, const describe_acls_request& d) {
        CHECK_FALSE(d.resource_name_filter.has_value());
        CHECK_FALSE(d.principal_filter.has_value());
        CHECK(d.pattern_type_filter == (v >= 1 ? m.pattern_type_filter : 3));
        CHECK(d.operation == m.operation);
    });
    auto r = fill<describe_acls_response>();
    each_version(r, [&](int16_t v, const describe_acls_response& d) {
        CHECK(d.resources.at(1).acls.at(0).principal == r.resources[1].acls[0].principal);
        CHECK(d.resources[1].pattern_type == (v >= 1 ? r.resources[1].pattern_type : 3));
    });
    auto c = fill<create_acls_request>();
    each_version(c, [&](int16_t v, const create_acls_request& d) {
        CHECK(d.creations.at(0).host == c.creations[0].host);
        CHECK(d.creations[0].resource_pattern_type ==
              (v >= 1 ? c.creations[0].resource_pattern_type : 3));
    });
    auto dr = fill<delete_acls_response>();
    each_version(dr, [&](int16_t, const delete_acls_response& d) {
        CHECK(d.filter_results.at(1).matching_acls.at(1).permission_type ==
              dr.filter_results[1].matching_acls[1].permission_type);
    });
}

TEST_CASE("OffsetForLeaderEpoch, DescribeProducers and DescribeLogDirs", "[roundtrip][misc]") {
    auto m = fill<offset_for_leader_epoch_request>();
    each_version(m, [&](int16_t v, const offset_for_leader_epoch_request& d) {
        CHECK(d.replica_id == (v >= 3 ? m.replica_id : -2));
        auto& p = d.topics.at(0).partitions.at(1);
        CHECK(p.leader_epoch == m.topics[0].partitions[1].leader_epoch);
        CHECK(p.current_leader_epoch ==
              (v >= 2 ? m.topics[0].partitions[1].current_leader_epoch : -1));
    });
    auto r = fill<offset_for_leader_epoch_response>();
    each_version(r, [&](int16_t v, const offset_for_leader_epoch_response& d) {
        auto& p = d.topics.at(1).partitions.at(0);
        CHECK(p.end_offset == r.topics[1].partitions[0].end_offset);
        CHECK(p.leader_epoch == (v >= 1 ? r.topics[1].partitions[0].leader_epoch : -1));
    });
    auto dp = fill<describe_producers_response>();
    each_version(dp, [&](int16_t, const describe_producers_response& d) {
        auto& ap = d.topics.at(0).partitions.at(0).active_producers.at(1);
        CHECK(ap.current_txn_start_offset ==
              dp.topics[0].partitions[0].active_producers[1].current_txn_start_offset);
    });
    each_version(fill<describe_log_dirs_request>(fill_mode::nulls),
                 [&](int16_t, const describe_log_dirs_request& d) {
                     CHECK_FALSE(d.topics.has_value());  // all partitions
                 });
    auto ld = fill<describe_log_dirs_response>();
    each_version(ld, [&](int16_t v, const describe_log_dirs_response& d) {
        CHECK(d.results.at(1).topics.at(0).partitions.at(1).partition_size ==
              ld.results[1].topics[0].partitions[1].partition_size);
        CHECK(d.results[1].total_bytes == (v >= 4 ? ld.results[1].total_bytes : -1));
        CHECK(d.error_code == (v >= 3 ? ld.error_code : 0));
    });
}
