#pragma once
// The group coordinator: every consumer group and its committed offsets, on this
// node (single node: it coordinates every __consumer_offsets partition).
//
// Concurrency: all state is guarded by one mutex (groups are not the hot path);
// methods are synchronous and never block on I/O. Writes to __consumer_offsets
// are posted to the partition's strand while the lock is held, so the log order
// matches the in-memory order; the request handler then awaits the returned
// write_op (append + durability, as Produce with acks=1/-1). JoinGroup/SyncGroup
// answers that must wait are delivered through a slot whose event the handler
// awaits. A steady_timer loop (tick_loop) drives session and rebalance
// timeouts and the offsets retention sweep.
//
// Start-up: creates __consumer_offsets if missing, then replays every partition
// to rebuild offsets and groups. A group persisted with members is restored as
// Stable with those members (as Kafka does); their sessions restart at load time
// and expire unless the consumers heartbeat.

#include "broker/asio.h"
#include "broker/event.h"
#include "broker/groups/group.h"
#include "broker/groups/records.h"
#include "broker/partition.h"
#include "protocol/record_batch.h"

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace sluice::broker {
class broker;
}

namespace sluice::broker::groups {

inline constexpr const char* offsets_topic = "__consumer_offsets";

// An append to a __consumer_offsets partition; await with await_write().
struct write_op {
    std::shared_ptr<partition> part;
    protocol::bytes data;
    std::vector<protocol::batch_header> headers;
    std::shared_ptr<event> appended;
    std::shared_ptr<durable_wait> durable;
    protocol::error_code error = protocol::error_code::none;
};

// Posts `records` as one RecordBatch v2 to p's strand. With a null executor
// nobody waits (fire and forget; failures are logged).
std::shared_ptr<write_op> post_append(const std::shared_ptr<partition>& p,
                                      const std::vector<protocol::record>& records,
                                      const asio::any_io_executor* waiter);
// Waits for the append and, for durable topics, the flush that covers it.
awaitable<protocol::error_code> await_write(const std::shared_ptr<write_op>& w);

struct join_slot {
    std::shared_ptr<event> done;
    join_result result;
};
struct sync_slot {
    std::shared_ptr<event> done;
    sync_result result;
};

using offset_map = std::map<std::pair<std::string, int32_t>, offset_value>;

struct group_summary {
    std::string group_id;
    std::string protocol_type;
    group_state state = group_state::empty;
};

struct group_description {
    protocol::error_code error = protocol::error_code::none;
    group_state state = group_state::dead;
    std::string protocol_type;
    std::string protocol_name;
    std::vector<member> members;
};

class coordinator {
public:
    explicit coordinator(broker& b);

    // Creates/replays __consumer_offsets and starts the tick loop. Call before
    // the io_context threads run.
    void start();
    int32_t num_partitions() const { return num_partitions_; }

    // JoinGroup/SyncGroup: when the answer is known now it is returned, otherwise
    // the returned slot's event fires once slot->result is set.
    std::variant<join_result, std::shared_ptr<join_slot>> join(const std::string& group_id,
                                                               const join_request& req,
                                                               const asio::any_io_executor& ex);
    std::variant<sync_result, std::shared_ptr<sync_slot>> sync(const std::string& group_id,
                                                               const sync_request& req,
                                                               const asio::any_io_executor& ex);
    protocol::error_code heartbeat(const std::string& group_id, const std::string& member_id,
                                   const std::optional<std::string>& instance_id,
                                   int32_t generation);
    // One error per member; `group_error` for the whole request.
    std::vector<protocol::error_code> leave(
        const std::string& group_id,
        const std::vector<std::pair<std::string, std::optional<std::string>>>& members,
        protocol::error_code& group_error);

    // Validates and applies an OffsetCommit; returns the write to await (null
    // when `error` is set or there is nothing to write).
    std::shared_ptr<write_op> commit(
        const std::string& group_id, const std::string& member_id,
        const std::optional<std::string>& instance_id, int32_t generation,
        const std::vector<std::pair<offset_key, offset_value>>& offsets,
        const asio::any_io_executor& ex, protocol::error_code& error);
    offset_map offsets(const std::string& group_id) const;
    // Every group's committed offsets (groups with none are left out), for the
    // lag metrics.
    std::map<std::string, offset_map> all_offsets() const;

    std::vector<group_summary> list() const;
    group_description describe(const std::string& group_id) const;
    // DeleteGroups for one group: tombstones for its offsets and metadata.
    std::shared_ptr<write_op> remove_group(const std::string& group_id,
                                           const asio::any_io_executor& ex,
                                           protocol::error_code& error);
    // OffsetDelete: per-partition errors in `errors` (same order as `partitions`).
    std::shared_ptr<write_op> delete_offsets(
        const std::string& group_id, const std::vector<std::pair<std::string, int32_t>>& partitions,
        const asio::any_io_executor& ex, protocol::error_code& group_error,
        std::vector<protocol::error_code>& errors);

    void tick(int64_t now_ms);
    void shutdown() { stopping_ = true; }

private:
    struct entry {
        std::unique_ptr<group> g;
        offset_map offsets;
    };

    entry& get_or_create(const std::string& group_id);
    std::shared_ptr<partition> partition_for(const std::string& group_id) const;
    // Delivers queued answers and persists the group when it changed. Lock held.
    void deliver(entry& e);
    void replay();
    void apply_record(const protocol::record_view& r,
                      std::map<std::string, std::optional<group_value>>& metadata);
    awaitable<void> tick_loop();
    group_limits limits() const;

    broker& b_;
    int32_t num_partitions_ = 50;
    mutable std::mutex mutex_;
    std::map<std::string, entry> groups_;
    std::map<uint64_t, std::shared_ptr<join_slot>> join_slots_;
    std::map<uint64_t, std::shared_ptr<sync_slot>> sync_slots_;
    uint64_t next_waiter_ = 0;
    int64_t last_retention_sweep_ = 0;
    std::atomic<bool> stopping_{false};
};

}  // namespace sluice::broker::groups
