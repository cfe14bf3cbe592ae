// Round trips of the consumer-group messages at every version, plus explicit checks.

#include "roundtrip_support.h"

using namespace sluice::protocol;
using namespace sluice::protocol::test;

TEMPLATE_LIST_TEST_CASE("group messages round trip at every version", "[roundtrip]",
                        group_messages) {
    generic_roundtrip<TestType>();
}

TEST_CASE("FindCoordinator single key (v0-3) and batched (v4)", "[roundtrip][group]") {
    auto m = fill<find_coordinator_request>();
    each_version(m, [&](int16_t v, const find_coordinator_request& d) {
        CHECK(d.key == (v <= 3 ? m.key : ""));
        CHECK(d.key_type == (v >= 1 ? m.key_type : 0));
        CHECK(d.coordinator_keys.size() == (v >= 4 ? 2u : 0u));
    });
    auto r = fill<find_coordinator_response>();
    each_version(r, [&](int16_t v, const find_coordinator_response& d) {
        CHECK(d.node_id == (v <= 3 ? r.node_id : 0));
        CHECK(d.host == (v <= 3 ? r.host : ""));
        CHECK(d.error_message == (v >= 1 && v <= 3 ? r.error_message : std::nullopt));
        CHECK(d.coordinators.size() == (v >= 4 ? 2u : 0u));
        if (v >= 4) CHECK(d.coordinators[1].port == r.coordinators[1].port);
    });
}

TEST_CASE("JoinGroup and SyncGroup fields by version", "[roundtrip][group]") {
    auto m = fill<join_group_request>();
    each_version(m, [&](int16_t v, const join_group_request& d) {
        CHECK(d.session_timeout_ms == m.session_timeout_ms);
        CHECK(d.rebalance_timeout_ms == (v >= 1 ? m.rebalance_timeout_ms : -1));
        CHECK(d.group_instance_id == (v >= 5 ? m.group_instance_id : std::nullopt));
        CHECK(d.protocols.at(1).metadata == m.protocols[1].metadata);
        CHECK(d.reason == (v >= 8 ? m.reason : std::nullopt));
    });
    auto r = fill<join_group_response>(fill_mode::nulls);
    each_version(r, [&](int16_t v, const join_group_response& d) {
        CHECK(d.generation_id == r.generation_id);
        // ProtocolName exists at every version but may be null only from v7.
        CHECK(d.protocol_name == (v >= 7 ? std::nullopt : std::optional<std::string>("")));
        CHECK(d.skip_assignment == (v >= 9 && r.skip_assignment));
        CHECK(d.members.at(0).metadata == r.members[0].metadata);
    });
    auto s = fill<sync_group_request>();
    each_version(s, [&](int16_t v, const sync_group_request& d) {
        CHECK(d.assignments.at(1).assignment == s.assignments[1].assignment);
        CHECK(d.group_instance_id == (v >= 3 ? s.group_instance_id : std::nullopt));
        CHECK(d.protocol_name == (v >= 5 ? s.protocol_name : std::nullopt));
    });
    auto sr = fill<sync_group_response>();
    each_version(sr, [&](int16_t v, const sync_group_response& d) {
        CHECK(d.assignment == sr.assignment);
        CHECK(d.throttle_time_ms == (v >= 1 ? sr.throttle_time_ms : 0));
    });
}

TEST_CASE("Heartbeat and LeaveGroup fields by version", "[roundtrip][group]") {
    auto h = fill<heartbeat_request>();
    each_version(h, [&](int16_t v, const heartbeat_request& d) {
        CHECK(d.generation_id == h.generation_id);
        CHECK(d.member_id == h.member_id);
        CHECK(d.group_instance_id == (v >= 3 ? h.group_instance_id : std::nullopt));
    });
    auto l = fill<leave_group_request>();
    each_version(l, [&](int16_t v, const leave_group_request& d) {
        CHECK(d.member_id == (v <= 2 ? l.member_id : ""));
        CHECK(d.members.size() == (v >= 3 ? 2u : 0u));
        if (v >= 3) CHECK(d.members[1].reason == (v >= 5 ? l.members[1].reason : std::nullopt));
    });
    auto lr = fill<leave_group_response>();
    each_version(lr, [&](int16_t v, const leave_group_response& d) {
        CHECK(d.error_code == lr.error_code);
        CHECK(d.members.size() == (v >= 3 ? 2u : 0u));
    });
}

TEST_CASE("OffsetCommit fields by version", "[roundtrip][group]") {
    auto m = fill<offset_commit_request>();
    each_version(m, [&](int16_t v, const offset_commit_request& d) {
        auto& p = d.topics.at(1).partitions.at(0);
        auto& mp = m.topics[1].partitions[0];
        CHECK(p.committed_offset == mp.committed_offset);
        CHECK(p.committed_metadata == mp.committed_metadata);
        CHECK(p.commit_timestamp == (v == 1 ? mp.commit_timestamp : -1));
        CHECK(p.committed_leader_epoch == (v >= 6 ? mp.committed_leader_epoch : -1));
        CHECK(d.generation_id_or_member_epoch == (v >= 1 ? m.generation_id_or_member_epoch : -1));
        CHECK(d.retention_time_ms == (v >= 2 && v <= 4 ? m.retention_time_ms : -1));
        CHECK(d.group_instance_id == (v >= 7 ? m.group_instance_id : std::nullopt));
    });
    auto r = fill<offset_commit_response>();
    each_version(r, [&](int16_t v, const offset_commit_response& d) {
        CHECK(d.topics.at(0).partitions.at(1).error_code == r.topics[0].partitions[1].error_code);
        CHECK(d.throttle_time_ms == (v >= 3 ? r.throttle_time_ms : 0));
    });
}

TEST_CASE("OffsetFetch single group (v0-7) and batched groups (v8)", "[roundtrip][group]") {
    auto m = fill<offset_fetch_request>();
    each_version(m, [&](int16_t v, const offset_fetch_request& d) {
        CHECK(d.group_id == (v <= 7 ? m.group_id : ""));
        CHECK(d.topics->size() == (v <= 7 ? 2u : 0u));
        CHECK(d.groups.size() == (v >= 8 ? 2u : 0u));
        if (v >= 8) CHECK(d.groups[1].topics == m.groups[1].topics);
        CHECK(d.require_stable == (v >= 7 && m.require_stable));
    });
    each_version(fill<offset_fetch_request>(fill_mode::nulls),
                 [&](int16_t v, const offset_fetch_request& d) {
                     // Topics is nullable (all topics) from v2 to v7.
                     CHECK(d.topics.has_value() == (v < 2 || v > 7));
                     if (v >= 8) CHECK_FALSE(d.groups.at(0).topics.has_value());
                 });
    auto r = fill<offset_fetch_response>();
    each_version(r, [&](int16_t v, const offset_fetch_response& d) {
        if (v <= 7) {
            auto& p = d.topics.at(1).partitions.at(1);
            auto& mp = r.topics[1].partitions[1];
            CHECK(p.committed_offset == mp.committed_offset);
            CHECK(p.committed_leader_epoch == (v >= 5 ? mp.committed_leader_epoch : -1));
            CHECK(d.error_code == (v >= 2 ? r.error_code : 0));
            CHECK(d.groups.empty());
        } else {
            CHECK(d.topics.empty());
            auto& p = d.groups.at(1).topics.at(0).partitions.at(1);
            CHECK(p.metadata == r.groups[1].topics[0].partitions[1].metadata);
            CHECK(d.groups[1].error_code == r.groups[1].error_code);
        }
        CHECK(d.throttle_time_ms == (v >= 3 ? r.throttle_time_ms : 0));
    });
}

TEST_CASE("ListGroups, DescribeGroups, DeleteGroups and OffsetDelete fields",
          "[roundtrip][group]") {
    auto lg = fill<list_groups_request>();
    each_version(lg, [&](int16_t v, const list_groups_request& d) {
        CHECK(d.states_filter.size() == (v >= 4 ? 2u : 0u));
    });
    auto lgr = fill<list_groups_response>();
    each_version(lgr, [&](int16_t v, const list_groups_response& d) {
        CHECK(d.groups.at(1).protocol_type == lgr.groups[1].protocol_type);
        CHECK(d.groups[1].group_state == (v >= 4 ? lgr.groups[1].group_state : ""));
    });
    auto dg = fill<describe_groups_response>();
    each_version(dg, [&](int16_t v, const describe_groups_response& d) {
        auto& g = d.groups.at(0);
        CHECK(g.members.at(1).member_assignment == dg.groups[0].members[1].member_assignment);
        CHECK(g.members[1].group_instance_id ==
              (v >= 4 ? dg.groups[0].members[1].group_instance_id : std::nullopt));
        CHECK(g.authorized_operations == (v >= 3 ? dg.groups[0].authorized_operations : INT32_MIN));
    });
    auto del = fill<delete_groups_request>();
    each_version(del, [&](int16_t, const delete_groups_request& d) {
        CHECK(d.groups_names == del.groups_names);
    });
    auto od = fill<offset_delete_response>();
    each_version(od, [&](int16_t, const offset_delete_response& d) {
        CHECK(d.error_code == od.error_code);
        CHECK(d.topics.at(1).partitions.at(1).error_code == od.topics[1].partitions[1].error_code);
    });
}
