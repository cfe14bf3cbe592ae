// OffsetCommit: validates the member/generation (generation -1 = simple commit
// for a group without members), writes the offsets to __consumer_offsets and
// answers once they are durable. v1 carries a per-partition timestamp, v2-4 a
// retention time (ignored, as Kafka 2.1+ does: retention is per group).
#include "broker/groups/coordinator.h"
#include "broker/handlers/handlers.h"

namespace sluice::broker {

namespace {
constexpr size_t max_metadata_bytes = 4096;  // offset.metadata.max.bytes
}

awaitable<protocol::offset_commit_response> handle_offset_commit(
    request_context& ctx, protocol::offset_commit_request& req) {
    auto ex = co_await asio::this_coro::executor;
    const int16_t v = ctx.version();
    auto& b = ctx.b;
    protocol::offset_commit_response resp;
    int64_t now = now_ms();
    std::vector<std::pair<groups::offset_key, groups::offset_value>> offsets;
    std::vector<protocol::offset_commit_response::topic::partition*> pending;
    for (auto& t : req.topics) {
        auto& tr = resp.topics.emplace_back();
        tr.name = t.name;
        auto topic = b.topics().find(t.name);
        for (auto& p : t.partitions) {
            auto& pr = tr.partitions.emplace_back();
            pr.partition_index = p.partition_index;
            if (req.group_id.empty()) {
                pr.error_code = code(error_code::invalid_group_id);
                continue;
            }
            if (!topic || p.partition_index < 0 ||
                size_t(p.partition_index) >= topic->partitions.size()) {
                pr.error_code = code(error_code::unknown_topic_or_partition);
                continue;
            }
            if (p.committed_metadata && p.committed_metadata->size() > max_metadata_bytes) {
                pr.error_code = code(error_code::offset_metadata_too_large);
                continue;
            }
            groups::offset_value val;
            val.offset = p.committed_offset;
            val.leader_epoch = v >= 6 ? p.committed_leader_epoch : -1;
            val.metadata = p.committed_metadata.value_or("");
            val.commit_timestamp = (v == 1 && p.commit_timestamp >= 0) ? p.commit_timestamp : now;
            offsets.push_back({{req.group_id, t.name, p.partition_index}, std::move(val)});
        }
    }
    // Pointers into resp are stable from here on (no more emplace_back).
    for (auto& tr : resp.topics)
        for (auto& pr : tr.partitions)
            if (pr.error_code == 0) pending.push_back(&pr);
    if (pending.empty()) co_return resp;

    error_code err = error_code::none;
    auto instance = v >= 7 ? req.group_instance_id : std::nullopt;
    int32_t generation = v >= 1 ? req.generation_id_or_member_epoch : -1;
    std::string member = v >= 1 ? req.member_id : std::string();
    auto w = b.coordinator().commit(req.group_id, member, instance, generation, offsets, ex, err);
    if (err == error_code::none && w) err = co_await groups::await_write(w);
    for (auto* pr : pending) pr->error_code = code(err);
    co_return resp;
}

}  // namespace sluice::broker
