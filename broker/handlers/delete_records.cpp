// DeleteRecords: moves each partition's log start offset up to the requested
// offset (-1: the high watermark) and answers the new low watermark (the log
// start offset). An offset past the high watermark (or below -1) is
// OFFSET_OUT_OF_RANGE; an offset at or below the current log start changes
// nothing. A topic whose cleanup.policy does not include delete refuses with
// POLICY_VIOLATION, as Kafka does. Errors answer low watermark -1. The work is
// synchronous on the partition strand, so timeout_ms has no use here.
#include "broker/handlers/handlers.h"
#include "broker/handlers/rejections.h"
#include "config/topic_config.h"

#include <spdlog/spdlog.h>

#include <cctype>

namespace sluice::broker {

namespace {


struct deleted {
    error_code error = error_code::none;
    std::string message;
    int64_t low_watermark = -1;
};

bool deletion_allowed(const broker& b, const topic_info& t) {
    try {
        return config::resolve_topic_settings(b.settings().config, t.overrides).cleanup_delete;
    } catch (const std::exception&) {
        return true;  // a bad stored override was already reported at load
    }
}

}  // namespace

awaitable<protocol::delete_records_response> handle_delete_records(
    request_context& ctx, protocol::delete_records_request& req) {
    auto& b = ctx.b;
    protocol::delete_records_response resp;
    rejections rejected{"partition"};

    for (auto& t : req.topics) {
        auto& tr = resp.topics.emplace_back();
        tr.name = t.name;
        auto topic = b.topics().find(t.name);
        bool allowed = topic && deletion_allowed(b, *topic);
        for (auto& p : t.partitions) {
            auto& pr = tr.partitions.emplace_back();
            pr.partition_index = p.partition_index;
            pr.low_watermark = -1;
            std::string what = t.name + "-" + std::to_string(p.partition_index);
            if (!topic || p.partition_index < 0 ||
                size_t(p.partition_index) >= topic->partitions.size()) {
                pr.error_code = code(error_code::unknown_topic_or_partition);
                rejected.add(what, error_code::unknown_topic_or_partition, "");
                continue;
            }
            if (!allowed) {
                pr.error_code = code(error_code::policy_violation);
                rejected.add(what, error_code::policy_violation,
                             "Records of partition " + what +
                                 " can not be deleted due to the configured policy");
                continue;
            }
            auto part = topic->partitions[size_t(p.partition_index)];
            int64_t requested = p.offset;
            deleted d;
            // Named, not a temporary in the co_await expression (see run_on).
            auto trim = [part, requested]() {
                deleted out;
                if (part->closed()) {
                    out.error = error_code::unknown_topic_or_partition;
                    return out;
                }
                int64_t hw = part->high_watermark();
                int64_t offset = requested == -1 ? hw : requested;
                if (offset < 0 || offset > hw) {
                    out.error = error_code::offset_out_of_range;
                    out.message = "The offset " + std::to_string(offset) +
                                  " is not valid: it must be between 0 and the high watermark " +
                                  std::to_string(hw);
                    return out;
                }
                out.low_watermark = part->log().delete_records_before(offset);
                return out;
            };
            try {
                d = co_await run_on(*part, trim);
            } catch (const std::exception& e) {
                spdlog::error("DeleteRecords on {} failed: {}", what, e.what());
                d.error = error_code::kafka_storage_error;
                d.message = e.what();
            }
            if (d.error != error_code::none) {
                pr.error_code = code(d.error);
                rejected.add(what, d.error, d.message);
                continue;
            }
            pr.low_watermark = d.low_watermark;
        }
    }
    rejected.log(ctx, "DeleteRecords");
    co_return resp;
}

}  // namespace sluice::broker
