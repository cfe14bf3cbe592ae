#pragma once
// One consumer group's membership state machine (the classic protocol): states
// Empty, PreparingRebalance, CompletingRebalance, Stable, Dead. Pure: no Asio, no
// I/O, time is passed in. Pending JoinGroup/SyncGroup requests are "waiters"
// identified by a caller-chosen id; when the state machine answers one later
// (rebalance completes, leader syncs, member removed...) it queues the answer,
// and the caller drains them with take_completions() after every call.

#include "protocol/codec.h"
#include "protocol/errors.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sluice::broker::groups {

enum class group_state { empty, preparing_rebalance, completing_rebalance, stable, dead };
const char* state_name(group_state s);

struct group_limits {
    int32_t min_session_timeout_ms = 6000;
    int32_t max_session_timeout_ms = 1800000;
    int32_t initial_rebalance_delay_ms = 3000;
    int32_t max_size = 2147483647;
};

struct member {
    std::string member_id;
    std::optional<std::string> instance_id;
    std::string client_id;
    std::string client_host;
    int32_t session_timeout_ms = 10000;
    int32_t rebalance_timeout_ms = 300000;
    std::vector<std::pair<std::string, protocol::bytes>> protocols;  // name, metadata
    protocol::bytes assignment;
    int64_t last_heartbeat_ms = 0;
    uint64_t join_waiter = 0;  // 0: none
    uint64_t sync_waiter = 0;

    const protocol::bytes* metadata_for(const std::string& protocol) const;
};

struct join_member_info {
    std::string member_id;
    std::optional<std::string> instance_id;
    protocol::bytes metadata;
};

struct join_result {
    protocol::error_code error = protocol::error_code::none;
    int32_t generation = -1;
    std::string protocol_type;
    std::optional<std::string> protocol_name;
    std::string leader;
    std::string member_id;
    bool skip_assignment = false;
    std::vector<join_member_info> members;  // the leader only
};

struct sync_result {
    protocol::error_code error = protocol::error_code::none;
    std::optional<std::string> protocol_type;
    std::optional<std::string> protocol_name;
    protocol::bytes assignment;
};

struct join_request {
    std::string member_id;
    std::optional<std::string> instance_id;
    std::string client_id;
    std::string client_host;
    int32_t session_timeout_ms = 0;
    int32_t rebalance_timeout_ms = -1;  // -1: use the session timeout (v0)
    std::string protocol_type;
    std::vector<std::pair<std::string, protocol::bytes>> protocols;
    int16_t version = 0;
};

struct sync_request {
    std::string member_id;
    std::optional<std::string> instance_id;
    int32_t generation = 0;
    std::optional<std::string> protocol_type;
    std::optional<std::string> protocol_name;
    std::vector<std::pair<std::string, protocol::bytes>> assignments;
};

// Answers for waiters, queued by the state machine.
struct completions {
    std::vector<std::pair<uint64_t, join_result>> joins;
    std::vector<std::pair<uint64_t, sync_result>> syncs;
    bool empty() const { return joins.empty() && syncs.empty(); }
};

class group {
public:
    group(std::string id, group_limits limits) : id_(std::move(id)), limits_(limits) {}

    const std::string& id() const { return id_; }
    group_state state() const { return state_; }
    int32_t generation() const { return generation_; }
    const std::string& protocol_type() const { return protocol_type_; }
    const std::optional<std::string>& protocol_name() const { return protocol_name_; }
    const std::string& leader() const { return leader_; }
    const std::map<std::string, member>& members() const { return members_; }
    int64_t state_timestamp() const { return state_timestamp_; }
    const member* find_member(const std::string& id) const;

    // JoinGroup. Returns the answer now, or nullopt when `waiter` will be answered
    // through take_completions().
    // (When the call itself completes `waiter`, the answer is returned, not queued.)
    std::optional<join_result> join(const join_request& req, uint64_t waiter, int64_t now_ms);
    // SyncGroup, same convention.
    std::optional<sync_result> sync(const sync_request& req, uint64_t waiter, int64_t now_ms);
    protocol::error_code heartbeat(const std::string& member_id,
                                   const std::optional<std::string>& instance_id,
                                   int32_t generation, int64_t now_ms);
    // LeaveGroup for one member (by member id, or by instance id when member_id is empty).
    protocol::error_code leave(const std::string& member_id,
                               const std::optional<std::string>& instance_id, int64_t now_ms);
    // OffsetCommit validation. generation < 0 is a "simple" commit, allowed only
    // when the group has no members.
    protocol::error_code validate_commit(const std::string& member_id,
                                         const std::optional<std::string>& instance_id,
                                         int32_t generation) const;
    // Session expiry, rebalance timeouts, pending-member expiry.
    void tick(int64_t now_ms);

    // Deletes the group (DeleteGroups): only when it has no members.
    protocol::error_code remove();

    // Restores persisted metadata (coordinator start-up). Members come back as in
    // Kafka: the group is Stable with its members, whose sessions start at now_ms
    // and expire unless they heartbeat.
    void restore(std::string protocol_type, int32_t generation,
                 std::optional<std::string> protocol_name, std::string leader,
                 int64_t state_timestamp, std::vector<member> members, int64_t now_ms);

    completions take_completions() { return std::exchange(out_, {}); }
    // True once after the membership/assignment changed in a way worth persisting
    // (rebalance completed with assignments, or group became Empty).
    bool take_dirty() { return std::exchange(dirty_, false); }
    // The subscribed topics of every member (consumer protocol only).
    std::vector<std::string> subscribed_topics() const;

private:
    std::optional<join_result> do_join(const join_request& req, uint64_t waiter, int64_t now_ms);
    std::optional<sync_result> do_sync(const sync_request& req, uint64_t waiter, int64_t now_ms);
    std::string new_member_id(const std::string& client_id);
    bool supports_protocols(const std::string& type,
                            const std::vector<std::pair<std::string, protocol::bytes>>& p) const;
    void prepare_rebalance(int64_t now_ms);
    void maybe_complete_join(int64_t now_ms);
    void complete_join(int64_t now_ms);
    void remove_member(const std::string& member_id, int64_t now_ms);
    join_result result_for(const member& m, bool with_members) const;
    std::optional<std::string> select_protocol() const;
    void set_state(group_state s, int64_t now_ms);
    void add_to_join(member& m, uint64_t waiter, int64_t now_ms);

    std::string id_;
    group_limits limits_;
    group_state state_ = group_state::empty;
    int32_t generation_ = 0;
    std::string protocol_type_;
    std::optional<std::string> protocol_name_;
    std::string leader_;
    int64_t state_timestamp_ = -1;
    std::map<std::string, member> members_;
    std::map<std::string, std::string> instances_;  // instance id -> member id
    std::map<std::string, int64_t> pending_;        // member ids handed out by MEMBER_ID_REQUIRED -> expiry
    // Rebalance timing.
    int64_t rebalance_deadline_ = 0;
    bool initial_delay_ = false;
    int64_t initial_limit_ = 0;  // the initial delay may be extended up to here
    uint64_t id_counter_ = 0;
    completions out_;
    bool dirty_ = false;
};

// The consumer protocol's subscription (ConsumerProtocolSubscription): version
// int16, topics [string], ... Returns nullopt when it does not parse.
std::optional<std::vector<std::string>> parse_subscription_topics(protocol::byte_view metadata);

}  // namespace sluice::broker::groups
