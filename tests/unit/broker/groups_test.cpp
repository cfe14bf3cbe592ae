// Consumer group state machine (broker/groups/group.h) and __consumer_offsets
// record formats (broker/groups/records.h).
#include "broker/groups/group.h"
#include "broker/groups/records.h"

#include <catch2/catch.hpp>

using namespace sluice::broker::groups;
using sluice::protocol::bytes;
using sluice::protocol::error_code;

namespace {

group_limits limits(int32_t initial_delay = 0) {
    group_limits l;
    l.min_session_timeout_ms = 6000;
    l.max_session_timeout_ms = 300000;
    l.initial_rebalance_delay_ms = initial_delay;
    return l;
}

join_request jreq(std::string member_id, int16_t version = 5, std::string proto = "range",
                  std::optional<std::string> instance = std::nullopt) {
    join_request r;
    r.member_id = std::move(member_id);
    r.instance_id = std::move(instance);
    r.client_id = "client";
    r.client_host = "/127.0.0.1";
    r.session_timeout_ms = 10000;
    r.rebalance_timeout_ms = 30000;
    r.protocol_type = "consumer";
    r.protocols = {{proto, bytes{1, 2, 3}}};
    r.version = version;
    return r;
}

sync_request sreq(const std::string& member, int32_t generation,
                  std::vector<std::pair<std::string, bytes>> assignments = {}) {
    sync_request r;
    r.member_id = member;
    r.generation = generation;
    r.assignments = std::move(assignments);
    return r;
}

// A Stable single-member group (v0-3 join: the member id is assigned at once).
struct stable_group {
    group g{"g", limits()};
    std::string a;
    int32_t gen = 0;
    stable_group() {
        auto r = g.join(jreq("", 3), 1, 0);
        REQUIRE(r->error == error_code::none);  // v0-3, no delay: completes at once
        a = r->member_id;
        gen = r->generation;
        auto s = g.sync(sreq(a, gen, {{a, bytes{9}}}), 2, 0);
        REQUIRE(s);
        REQUIRE(s->error == error_code::none);
        REQUIRE(g.state() == group_state::stable);
    }
};

}  // namespace

TEST_CASE("first join goes PreparingRebalance -> CompletingRebalance -> Stable", "[groups]") {
    group g("g", limits(3000));
    REQUIRE(g.state() == group_state::empty);
    // v4+: MEMBER_ID_REQUIRED with a generated id.
    auto r = g.join(jreq("", 5), 1, 0);
    REQUIRE(r);
    CHECK(r->error == error_code::member_id_required);
    REQUIRE(!r->member_id.empty());
    std::string id = r->member_id;
    CHECK(g.state() == group_state::empty);
    // Rejoin with the id: waits for the initial rebalance delay.
    r = g.join(jreq(id, 5), 2, 10);
    CHECK(!r);
    CHECK(g.state() == group_state::preparing_rebalance);
    g.tick(1000);
    CHECK(g.take_completions().empty());
    g.tick(3100);
    auto c = g.take_completions();
    REQUIRE(c.joins.size() == 1);
    CHECK(c.joins[0].first == 2);
    auto& jr = c.joins[0].second;
    CHECK(jr.error == error_code::none);
    CHECK(jr.generation == 1);
    CHECK(jr.leader == id);
    CHECK(jr.member_id == id);
    CHECK(jr.protocol_name == "range");
    REQUIRE(jr.members.size() == 1);
    CHECK(jr.members[0].metadata == bytes{1, 2, 3});
    CHECK(g.state() == group_state::completing_rebalance);
    auto s = g.sync(sreq(id, 1, {{id, bytes{7, 7}}}), 3, 3200);
    REQUIRE(s);
    CHECK(s->error == error_code::none);
    CHECK(s->assignment == bytes{7, 7});
    CHECK(g.state() == group_state::stable);
    CHECK(g.take_dirty());
    CHECK(g.heartbeat(id, std::nullopt, 1, 3300) == error_code::none);
}

TEST_CASE("a second member joining a Stable group triggers a rebalance", "[groups]") {
    stable_group sg;
    auto& g = sg.g;
    auto r = g.join(jreq("", 3), 10, 100);
    CHECK(!r);
    REQUIRE(g.state() == group_state::preparing_rebalance);
    // The existing member learns about it from its heartbeat.
    CHECK(g.heartbeat(sg.a, std::nullopt, sg.gen, 200) == error_code::rebalance_in_progress);
    // Stable-group member rejoins: the rebalance completes for both.
    r = g.join(jreq(sg.a, 3), 11, 300);
    REQUIRE(r);  // its own answer comes back directly
    CHECK(r->generation == sg.gen + 1);
    CHECK(r->leader == sg.a);
    CHECK(r->members.size() == 2);
    auto c = g.take_completions();
    REQUIRE(c.joins.size() == 1);
    CHECK(c.joins[0].first == 10);
    auto& jb = c.joins[0].second;
    CHECK(jb.error == error_code::none);
    CHECK(jb.generation == sg.gen + 1);
    CHECK(jb.leader == sg.a);
    CHECK(jb.members.empty());
    std::string b = jb.member_id;
    REQUIRE(!b.empty());
    CHECK(g.state() == group_state::completing_rebalance);
    // Follower syncs first and waits for the leader.
    auto s = g.sync(sreq(b, sg.gen + 1), 12, 400);
    CHECK(!s);
    s = g.sync(sreq(sg.a, sg.gen + 1, {{sg.a, bytes{1}}, {b, bytes{2}}}), 13, 500);
    REQUIRE(s);
    CHECK(s->assignment == bytes{1});
    c = g.take_completions();
    REQUIRE(c.syncs.size() == 1);
    CHECK(c.syncs[0].first == 12);
    CHECK(c.syncs[0].second.assignment == bytes{2});
    CHECK(g.state() == group_state::stable);
}

TEST_CASE("a join during CompletingRebalance restarts the rebalance", "[groups]") {
    group g("g", limits());
    auto r = g.join(jreq("", 3), 1, 0);
    REQUIRE(r);
    std::string a = r->member_id;
    REQUIRE(g.state() == group_state::completing_rebalance);
    // The follower-to-be waits in SyncGroup... here the leader hasn't synced yet
    // when a newcomer joins.
    r = g.join(jreq("", 3), 2, 10);
    CHECK(!r);
    CHECK(g.state() == group_state::preparing_rebalance);
    // The leader's late SyncGroup is told to rejoin.
    auto s = g.sync(sreq(a, 1), 3, 20);
    REQUIRE(s);
    CHECK((s->error == error_code::rebalance_in_progress || s->error == error_code::illegal_generation));
    r = g.join(jreq(a, 3), 4, 30);
    REQUIRE(r);
    CHECK(r->generation == 2);
    auto c = g.take_completions();
    REQUIRE(c.joins.size() == 1);
    CHECK(c.joins[0].first == 2);
    CHECK(c.joins[0].second.generation == 2);
}

TEST_CASE("a member leaving mid-rebalance lets the rebalance complete", "[groups]") {
    stable_group sg;
    auto& g = sg.g;
    REQUIRE(!g.join(jreq("", 3), 10, 100));  // newcomer b, waiting
    REQUIRE(g.state() == group_state::preparing_rebalance);
    // a leaves instead of rejoining.
    CHECK(g.leave(sg.a, std::nullopt, 200) == error_code::none);
    auto c = g.take_completions();
    REQUIRE(c.joins.size() == 1);
    CHECK(c.joins[0].first == 10);
    CHECK(c.joins[0].second.generation == sg.gen + 1);
    CHECK(c.joins[0].second.leader == c.joins[0].second.member_id);
    CHECK(g.members().size() == 1);
    CHECK(g.leave("nobody", std::nullopt, 300) == error_code::unknown_member_id);
}

TEST_CASE("session timeout removes a member", "[groups]") {
    stable_group sg;
    auto& g = sg.g;
    g.tick(5000);
    CHECK(g.members().size() == 1);
    g.tick(10001);
    CHECK(g.members().empty());
    CHECK(g.state() == group_state::empty);
    CHECK(g.generation() == sg.gen + 1);
    CHECK(g.heartbeat(sg.a, std::nullopt, sg.gen, 10002) == error_code::unknown_member_id);
}

TEST_CASE("rebalance timeout removes members that do not rejoin", "[groups]") {
    stable_group sg;
    auto& g = sg.g;
    REQUIRE(!g.join(jreq("", 3), 10, 100));
    // a keeps heartbeating but never rejoins; the rebalance timeout is 30 s.
    g.heartbeat(sg.a, std::nullopt, sg.gen, 5000);
    g.heartbeat(sg.a, std::nullopt, sg.gen, 14000);
    g.tick(20000);
    CHECK(g.take_completions().empty());
    CHECK(g.members().size() == 2);
    g.heartbeat(sg.a, std::nullopt, sg.gen, 22000);
    g.tick(30200);
    auto c = g.take_completions();
    REQUIRE(c.joins.size() == 1);
    CHECK(g.members().size() == 1);
    CHECK(!g.find_member(sg.a));
}

TEST_CASE("static member rejoin keeps its assignment without a rebalance", "[groups]") {
    group g("g", limits());
    auto r = g.join(jreq("", 5, "range", "inst-1"), 1, 0);
    REQUIRE(r);  // static members get their id at once; no delay: completes
    REQUIRE(r->error == error_code::none);
    std::string old_id = r->member_id;
    auto s = g.sync(sreq(old_id, 1, {{old_id, bytes{4, 2}}}), 2, 10);
    REQUIRE(s);
    REQUIRE(g.state() == group_state::stable);
    // Restart with the same instance id: new member id, same generation and assignment.
    r = g.join(jreq("", 5, "range", "inst-1"), 3, 1000);
    REQUIRE(r);
    CHECK(r->error == error_code::none);
    CHECK(r->member_id != old_id);
    CHECK(r->generation == 1);
    CHECK(g.state() == group_state::stable);
    s = g.sync(sreq(r->member_id, 1), 4, 1100);
    REQUIRE(s);
    CHECK(s->assignment == bytes{4, 2});
    // The old member id is fenced.
    sync_request fenced = sreq(old_id, 1);
    fenced.instance_id = "inst-1";
    CHECK(g.sync(fenced, 5, 1200)->error == error_code::fenced_instance_id);
    CHECK(g.heartbeat(old_id, std::string("inst-1"), 1, 1200) == error_code::fenced_instance_id);
}

TEST_CASE("join errors", "[groups]") {
    stable_group sg;
    auto& g = sg.g;
    auto bad = jreq("", 3, "roundrobin");
    auto r = g.join(bad, 5, 100);
    REQUIRE(r);
    CHECK(r->error == error_code::inconsistent_group_protocol);
    auto other_type = jreq("", 3);
    other_type.protocol_type = "connect";
    CHECK(g.join(other_type, 6, 100)->error == error_code::inconsistent_group_protocol);
    auto timeout = jreq("", 3);
    timeout.session_timeout_ms = 1000;
    CHECK(g.join(timeout, 7, 100)->error == error_code::invalid_session_timeout);
    CHECK(g.join(jreq("ghost", 3), 8, 100)->error == error_code::unknown_member_id);
    CHECK(g.heartbeat(sg.a, std::nullopt, sg.gen + 5, 100) == error_code::illegal_generation);
    CHECK(g.heartbeat("ghost", std::nullopt, sg.gen, 100) == error_code::unknown_member_id);
    CHECK(g.sync(sreq(sg.a, sg.gen + 1), 9, 100)->error == error_code::illegal_generation);
    CHECK(g.validate_commit(sg.a, std::nullopt, sg.gen) == error_code::none);
    CHECK(g.validate_commit(sg.a, std::nullopt, sg.gen - 1) == error_code::illegal_generation);
    CHECK(g.validate_commit("", std::nullopt, -1) == error_code::unknown_member_id);
    group empty("e", limits());
    CHECK(empty.validate_commit("", std::nullopt, -1) == error_code::none);
}

TEST_CASE("the leader rejoining a Stable group triggers a rebalance", "[groups]") {
    stable_group sg;
    auto& g = sg.g;
    // The leader rejoining triggers a rebalance (it may want to reassign).
    auto r = g.join(jreq(sg.a, 3), 20, 100);
    REQUIRE(r);  // sole member: the rebalance completes at once
    CHECK(g.state() == group_state::completing_rebalance);
    CHECK(r->generation == sg.gen + 1);
    CHECK(g.take_completions().empty());
}

TEST_CASE("consumer subscription topics parse", "[groups]") {
    bytes md{0, 1, 0, 0, 0, 2, 0, 1, 'a', 0, 2, 'b', 'c', 0, 0, 0, 0};
    auto t = parse_subscription_topics(md);
    REQUIRE(t);
    CHECK(*t == std::vector<std::string>{"a", "bc"});
    CHECK(!parse_subscription_topics(bytes{0}));
}

TEST_CASE("partition for group uses Java String.hashCode", "[groups]") {
    CHECK(java_string_hash("hello") == 99162322);
    CHECK(java_string_hash("") == 0);
    CHECK(java_string_hash("\xc3\xa9") == 0xe9);              // U+00E9
    CHECK(java_string_hash("\xf0\x9f\x98\x80") == 0xd83d * 31 + 0xde00);  // U+1F600: surrogates
    CHECK(partition_for_group("hello", 50) == 99162322 % 50);
    CHECK(partition_for_group("", 50) == 0);
    // "polygenelubricants".hashCode() == Integer.MIN_VALUE: Utils.abs gives 0.
    CHECK(java_string_hash("polygenelubricants") == INT32_MIN);
    CHECK(partition_for_group("polygenelubricants", 50) == 0);
}

TEST_CASE("__consumer_offsets records round-trip", "[groups]") {
    offset_key k{"grp", "topic", 7};
    auto kb = encode_offset_key(k);
    CHECK(kb[0] == 0);
    CHECK(kb[1] == 1);
    auto dk = decode_key(kb);
    REQUIRE(dk);
    CHECK(std::get<offset_key>(*dk) == k);
    group_key gk{"grp"};
    auto gkb = encode_group_key(gk);
    CHECK(std::get<group_key>(*decode_key(gkb)) == gk);

    offset_value v{42, 3, "meta", 1700000000000, -1};
    auto vb = encode_offset_value(v);
    CHECK(vb.size() == 2 + 8 + 4 + 2 + 4 + 8);
    CHECK(decode_offset_value(vb) == v);
    // Version 1 (with expire timestamp) still reads.
    bytes v1{0, 1, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 10};
    auto d1 = decode_offset_value(v1);
    CHECK(d1.offset == 5);
    CHECK(d1.commit_timestamp == 9);
    CHECK(d1.expire_timestamp == 10);
    CHECK(d1.leader_epoch == -1);

    group_value gv;
    gv.protocol_type = "consumer";
    gv.generation = 3;
    gv.protocol = "range";
    gv.leader = "m1";
    gv.current_state_timestamp = 123;
    gv.members.push_back({"m1", std::nullopt, "c", "/h", 30000, 10000, bytes{1}, bytes{2, 3}});
    gv.members.push_back({"m2", std::string("i2"), "c2", "/h2", 1, 2, {}, {}});
    auto gb = encode_group_value(gv);
    CHECK(gb[1] == 3);
    CHECK(decode_group_value(gb) == gv);
    group_value empty;
    empty.protocol_type = "consumer";
    CHECK(decode_group_value(encode_group_value(empty)) == empty);
}

TEST_CASE("group snapshot and restore", "[groups]") {
    stable_group sg;
    auto gv = snapshot(sg.g);
    CHECK(gv.generation == sg.gen);
    CHECK(gv.protocol == "range");
    REQUIRE(gv.members.size() == 1);
    CHECK(gv.members[0].assignment == bytes{9});
    group g2("g", limits());
    std::vector<member> ms(1);
    ms[0].member_id = sg.a;
    ms[0].session_timeout_ms = 10000;
    ms[0].protocols = {{"range", bytes{1, 2, 3}}};
    ms[0].assignment = bytes{9};
    g2.restore("consumer", sg.gen, std::string("range"), sg.a, 5, ms, 1000);
    CHECK(g2.state() == group_state::stable);
    CHECK(g2.heartbeat(sg.a, std::nullopt, sg.gen, 2000) == error_code::none);
    g2.tick(20000);
    CHECK(g2.state() == group_state::empty);
}

TEST_CASE("members handed an id by MEMBER_ID_REQUIRED are waited for", "[groups]") {
    group g("g", limits());
    auto a = g.join(jreq("", 5), 1, 0)->member_id;
    auto b = g.join(jreq("", 5), 2, 0)->member_id;
    REQUIRE(a != b);
    CHECK(!g.join(jreq(a, 5), 3, 10));  // b is still expected
    CHECK(g.state() == group_state::preparing_rebalance);
    auto r = g.join(jreq(b, 5), 4, 20);
    REQUIRE(r);
    CHECK(r->generation == 1);
    auto c = g.take_completions();
    REQUIRE(c.joins.size() == 1);
    CHECK(c.joins[0].first == 3);
    CHECK(c.joins[0].second.members.size() == 2);  // a leads
    CHECK(g.members().size() == 2);
}

TEST_CASE("a Stable follower rejoining unchanged gets the current generation", "[groups]") {
    stable_group sg;
    auto& g = sg.g;
    REQUIRE(!g.join(jreq("", 3), 10, 100));
    auto r = g.join(jreq(sg.a, 3), 11, 110);
    REQUIRE(r);
    auto b = g.take_completions().joins.at(0).second.member_id;
    REQUIRE(g.sync(sreq(sg.a, r->generation, {{sg.a, bytes{1}}, {b, bytes{2}}}), 12, 120));
    REQUIRE(g.state() == group_state::stable);
    auto again = g.join(jreq(b, 3), 13, 200);
    REQUIRE(again);
    CHECK(again->error == error_code::none);
    CHECK(again->generation == r->generation);
    CHECK(g.state() == group_state::stable);
}
