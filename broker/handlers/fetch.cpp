// Fetch: reads whole batches up to the high watermark as file slices (sent with
// sendfile), honouring max_bytes / partition_max_bytes with at least one whole
// batch for the first partition that has data, and long-polls on
// max_wait_ms / min_bytes, woken by the partitions' high-watermark moves.
#include "broker/handlers/handlers.h"
#include "protocol/legacy_records.h"

#include <unistd.h>

namespace sluice::broker {

namespace {

using fetch_partition_out = protocol::fetch_response::topic_response::partition_data;

struct read_plan {
    fetch_partition_out* out;
    std::shared_ptr<partition> part;
    int64_t offset;
    int32_t partition_max;
};

}  // namespace

awaitable<protocol::fetch_response> handle_fetch(request_context& ctx,
                                                 protocol::fetch_request& req) {
    auto& b = ctx.b;
    auto executor = co_await asio::this_coro::executor;
    protocol::fetch_response resp;
    if (req.session_id != 0 || (req.session_epoch != -1 && req.session_epoch != 0)) {
        // No incremental fetch sessions (no client here uses them, CLIENTS.md Q8).
        resp.error_code = code(error_code::fetch_session_id_not_found);
        co_return resp;
    }
    std::vector<read_plan> plans;
    // read_plan points into the response: reserve so nothing reallocates.
    resp.responses.reserve(req.topics.size());
    for (auto& ft : req.topics) {
        auto& tr = resp.responses.emplace_back();
        tr.topic = ft.topic;
        tr.partitions.reserve(ft.partitions.size());
        auto topic = b.topics().find(ft.topic);
        for (auto& fp : ft.partitions) {
            auto& pd = tr.partitions.emplace_back();
            pd.partition_index = fp.partition;
            if (!topic || fp.partition < 0 || size_t(fp.partition) >= topic->partitions.size()) {
                pd.error_code = code(error_code::unknown_topic_or_partition);
                pd.high_watermark = -1;
                pd.last_stable_offset = -1;
                pd.log_start_offset = -1;
                continue;
            }
            plans.push_back({&pd, topic->partitions[size_t(fp.partition)], fp.fetch_offset,
                             fp.partition_max_bytes});
        }
    }

    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(std::max(0, req.max_wait_ms));
    while (true) {
        int64_t total = 0;
        bool any_error = false;
        auto wake = event::make(executor);
        bool may_wait = req.max_wait_ms > 0 && std::chrono::steady_clock::now() < deadline;
        for (auto& plan : plans) {
            int64_t budget = int64_t(req.max_bytes) - total;
            bool min_one = total == 0;
            auto* out = plan.out;
            struct outcome {
                error_code error = error_code::none;
                int64_t hw = -1, lso = -1, log_start = -1;
                storage::read_result data;
            };
            auto read = [&plan, budget, min_one, may_wait, wake] {
                outcome o;
                auto& p = *plan.part;
                if (p.closed()) {
                    o.error = error_code::unknown_topic_or_partition;
                    return o;
                }
                auto& log = p.log();
                o.hw = p.high_watermark();
                o.lso = o.hw;
                o.log_start = log.log_start_offset();
                if (plan.offset < o.log_start || plan.offset > log.log_end_offset()) {
                    o.error = error_code::offset_out_of_range;
                    return o;
                }
                uint64_t limit = uint64_t(std::max<int64_t>(
                    0, std::min<int64_t>(budget, std::max(0, plan.partition_max))));
                if (limit > 0 || min_one)
                    o.data = log.read(plan.offset, limit, o.hw, min_one && limit > 0);
                if (o.data.size == 0 && may_wait) p.add_fetch_waiter(wake);
                return o;
            };
            auto o = co_await run_on(*plan.part, read);
            out->error_code = code(o.error);
            out->high_watermark = o.hw;
            // No transactions yet: the last stable offset is the high watermark.
            out->last_stable_offset = o.lso;
            out->log_start_offset = o.log_start;
            out->records = {};
            if (o.error != error_code::none) {
                any_error = true;
                continue;
            }
            out->records.files = std::move(o.data.slices);
            total += int64_t(o.data.size);
        }
        if (total >= req.min_bytes || any_error || !may_wait) break;
        auto now = std::chrono::steady_clock::now();
        if (now >= deadline) break;
        co_await wake->wait(
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now));
        // Woken or timed out: read again; past the deadline that read is the answer.
    }
    if (ctx.version() < 4) {
        // Fetch v0-1 reads magic 0, v2-3 magic 1: down-convert as Kafka does.
        int8_t magic = ctx.version() < 2 ? 0 : 1;
        for (auto& plan : plans) {
            auto& rec = plan.out->records;
            if (rec.files.empty()) continue;
            protocol::bytes raw;
            for (auto& f : rec.files) {
                size_t at = raw.size();
                raw.resize(at + f.size);
                size_t done = 0;
                while (done < f.size) {
                    ssize_t n = ::pread(f.fd, raw.data() + at + done, f.size - done,
                                        off_t(f.position + done));
                    if (n <= 0) throw std::runtime_error("reading log for down-conversion failed");
                    done += size_t(n);
                }
            }
            rec.files.clear();
            rec.owned = protocol::down_convert(raw, magic, plan.offset);
        }
    }
    co_return resp;
}

}  // namespace sluice::broker
