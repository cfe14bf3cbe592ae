// ListOffsets: -1 latest (high watermark), -2 earliest (log start), -3 the
// record with the largest timestamp (v7), otherwise the first offset whose
// timestamp is >= the one asked for (-1/-1 when there is none).
#include "broker/handlers/handlers.h"

namespace sluice::broker {

awaitable<protocol::list_offsets_response> handle_list_offsets(
    request_context& ctx, protocol::list_offsets_request& req) {
    auto& b = ctx.b;
    protocol::list_offsets_response resp;
    for (auto& t : req.topics) {
        auto& tr = resp.topics.emplace_back();
        tr.name = t.name;
        auto topic = b.topics().find(t.name);
        for (auto& p : t.partitions) {
            auto& pr = tr.partitions.emplace_back();
            pr.partition_index = p.partition_index;
            if (!topic || p.partition_index < 0 ||
                size_t(p.partition_index) >= topic->partitions.size()) {
                pr.error_code = code(error_code::unknown_topic_or_partition);
                continue;
            }
            auto part = topic->partitions[size_t(p.partition_index)];
            int64_t ts = p.timestamp;
            auto lookup = [part, ts]() -> std::optional<storage::timestamp_offset> {
                auto& log = part->log();
                int64_t hw = part->high_watermark();
                if (part->closed()) return std::nullopt;
                if (ts == -1) return storage::timestamp_offset{-1, hw};
                if (ts == -2) return storage::timestamp_offset{-1, log.log_start_offset()};
                std::optional<storage::timestamp_offset> found =
                    ts == -3 ? log.max_timestamp() : log.offset_for_timestamp(ts);
                if (!found || found->offset >= hw) return storage::timestamp_offset{-1, -1};
                return found;
            };
            auto r = co_await run_on(*part, lookup);
            if (!r) {
                pr.error_code = code(error_code::unknown_topic_or_partition);
                continue;
            }
            pr.leader_epoch = 0;
            if (ctx.version() == 0) {
                if (r->offset >= 0) pr.old_style_offsets = {r->offset};
            } else {
                pr.timestamp = r->timestamp;
                pr.offset = r->offset;
            }
        }
    }
    co_return resp;
}

}  // namespace sluice::broker
