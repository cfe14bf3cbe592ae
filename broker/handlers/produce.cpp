// Produce: validate each partition's batches on the connection's strand, post the
// appends to the partition strands in request order (before the first
// suspension, see handler.h), then wait for the appends and, for durable topics,
// the group-commit flush that covers them. One partition's error never fails the
// others. acks=0 gets no response at all.
//
// Idempotent producers (a batch with a producer id): on the partition strand,
// before the append, the log's producer state checks the batch's epoch and
// sequences; a retried batch that is already in the log is answered with its
// original offsets and not appended again, a gap answers
// OUT_OF_ORDER_SEQUENCE_NUMBER and a fenced epoch INVALID_PRODUCER_EPOCH.
#include "broker/handlers/handlers.h"
#include "protocol/legacy_records.h"
#include "protocol/record_batch.h"

#include <spdlog/spdlog.h>

namespace sluice::broker {

namespace {

struct partition_work {
    protocol::produce_response::topic_response::partition_response* out = nullptr;
    std::shared_ptr<partition> part;
    std::shared_ptr<event> appended;
    std::shared_ptr<durable_wait> durable;
    std::shared_ptr<protocol::bytes> converted;  // up-converted legacy records
    // Written on the partition strand before `appended` fires.
    error_code error = error_code::none;
    std::string message;
    storage::append_result result;
    int64_t log_start = 0;
};

// For a batch with a producer id, on the partition strand: 0 to append it, 1
// when it is a duplicate (w.result holds the original offsets), -1 when it is
// refused (w.error and w.message set).
int idempotence_check(partition& p, const protocol::batch_header& h, partition_work& w) {
    if (h.producer_id < 0) return 0;
    auto verdict = p.log().producers().check(h);
    if (verdict.verdict == storage::producer_verdict::duplicate) {
        w.result.base_offset = verdict.first_offset;
        w.result.last_offset = verdict.last_offset;
        w.log_start = p.log().log_start_offset();
        spdlog::debug(
            "{}: duplicate batch of producer {} (sequences {}..) answered with "
            "offset {}",
            p.tp().dir_name(), h.producer_id, h.base_sequence, verdict.first_offset);
        return 1;
    }
    if (!verdict.ok()) {
        w.error = verdict.error();
        w.message = verdict.message;
        return -1;
    }
    return 0;
}

void fail(protocol::produce_response::topic_response::partition_response& out, error_code e,
          std::string msg = {}) {
    out.error_code = code(e);
    out.base_offset = -1;
    if (!msg.empty()) out.error_message = std::move(msg);
}

}  // namespace

awaitable<std::optional<protocol::produce_response>> handle_produce(
    request_context& ctx, protocol::produce_request& req) {
    auto& b = ctx.b;
    const int16_t version = ctx.version();
    auto executor = co_await asio::this_coro::executor;
    protocol::produce_response resp;
    std::vector<std::shared_ptr<partition_work>> work;

    bool bad_acks = req.acks != 0 && req.acks != 1 && req.acks != -1;
    resp.responses.reserve(req.topics.size());
    for (auto& td : req.topics) {
        auto& tr = resp.responses.emplace_back();
        tr.name = td.name;
        tr.partition_responses.reserve(td.partitions.size());
        auto topic = b.topics().find(td.name);
        for (auto& pd : td.partitions) {
            auto& pr = tr.partition_responses.emplace_back();
            pr.index = pd.index;
            if (bad_acks) {
                fail(pr, error_code::invalid_required_acks);
                continue;
            }
            if (!topic || pd.index < 0 || size_t(pd.index) >= topic->partitions.size()) {
                fail(pr, error_code::unknown_topic_or_partition);
                continue;
            }
            auto data = pd.records.data();
            if (data.size() > size_t(topic->max_message_bytes) + protocol::batch_log_overhead &&
                version >= 3) {
                fail(pr, error_code::message_too_large,
                     "record batch of " + std::to_string(data.size()) +
                         " bytes exceeds max.message.bytes " +
                         std::to_string(topic->max_message_bytes));
                continue;
            }
            std::shared_ptr<protocol::bytes> converted;
            if (version < 3 && protocol::records_magic(data) != protocol::current_magic) {
                // Magic 0/1 message sets are stored as one RecordBatch v2, as Kafka
                // up-converts them.
                auto legacy = protocol::up_convert(data, now_ms());
                if (legacy.error != error_code::none) {
                    fail(pr, legacy.error, legacy.message);
                    continue;
                }
                converted = std::make_shared<protocol::bytes>(std::move(legacy.batch));
                data = *converted;
            }
            auto check = protocol::check_batches(data);
            if (check.error == error_code::none && check.batches.size() != 1) {
                check.error = error_code::invalid_record;
                check.message = "Produce v3+ must carry exactly one record batch per partition";
            }
            if (check.error == error_code::none && check.batches[0].producer_id >= 0 &&
                (check.batches[0].transactional() || check.batches[0].control())) {
                check.error = error_code::invalid_record;
                check.message = "transactional and control batches are not supported yet";
            }
            if (check.error == error_code::none && version < 7 &&
                check.batches[0].codec() == protocol::compression::zstd) {
                check.error = error_code::unsupported_compression_type;
                check.message = "zstd needs Produce v7 or later";
            }
            if (check.error != error_code::none) {
                spdlog::warn("produce from {} (client '{}') to {}-{} rejected: {}", ctx.peer,
                             ctx.client_id(), td.name, pd.index, check.message);
                fail(pr, check.error, check.message);
                continue;
            }
            // compression.type other than producer: store the batch with the
            // topic's codec (Kafka recompresses in the same case). Control and
            // transactional batches were refused above.
            if (topic->recompress_to && check.batches[0].codec() != *topic->recompress_to) {
                try {
                    converted = std::make_shared<protocol::bytes>(
                        protocol::recompress_batch(data, *topic->recompress_to));
                } catch (const protocol::decode_error& e) {
                    fail(pr, error_code::corrupt_message,
                         std::string("cannot decompress the batch: ") + e.what());
                    continue;
                }
                data = *converted;
                check.batches[0] = protocol::parse_batch_header(data);
            }
            if (req.acks == -1 && topic->min_insync_replicas > 1) {
                fail(pr, error_code::not_enough_replicas,
                     "min.insync.replicas " + std::to_string(topic->min_insync_replicas) +
                         " exceeds the in-sync replicas (1)");
                continue;
            }
            auto w = std::make_shared<partition_work>();
            w->out = &pr;
            w->part = topic->partitions[size_t(pd.index)];
            w->converted = converted;
            w->appended = event::make(executor);
            bool wait_durable = req.acks != 0;
            if (wait_durable)
                w->durable =
                    std::make_shared<durable_wait>(durable_wait{event::make(executor), false});
            // The bytes live in ctx.frame (or w->converted), which outlive the append.
            std::span<uint8_t> bytes(const_cast<uint8_t*>(data.data()), data.size());
            auto* metrics = &ctx.b.metrics();
            asio::post(
                w->part->executor(), [w, bytes, headers = std::move(check.batches), metrics] {
                    auto& p = *w->part;
                    if (p.closed()) {
                        w->error = error_code::unknown_topic_or_partition;
                    } else if (auto dup = idempotence_check(p, headers.front(), *w); dup != 0) {
                        // Refused (w->error set) or a duplicate (w->result set): no append.
                        if (dup > 0 && w->durable && p.durable())
                            p.wait_durable(w->result.last_offset, w->durable);
                    } else {
                        try {
                            w->result = p.append(bytes, headers, now_ms());
                            uint64_t records = 0;
                            for (auto& h : headers)
                                records += uint64_t(std::max(0, h.record_count));
                            metrics->add_messages_in(records);
                            w->log_start = p.log().log_start_offset();
                            if (w->durable && p.durable())
                                p.wait_durable(w->result.last_offset, w->durable);
                        } catch (const std::exception& e) {
                            spdlog::error("append to {} failed: {}", p.tp().dir_name(), e.what());
                            w->error = error_code::kafka_storage_error;
                            w->message = e.what();
                        }
                    }
                    w->appended->notify();
                });
            work.push_back(std::move(w));
        }
    }

    auto deadline = std::chrono::steady_clock::now() +
                    std::chrono::milliseconds(std::max(req.timeout_ms, 1000));
    auto left = [&] {
        return std::chrono::duration_cast<std::chrono::milliseconds>(
            std::max(deadline - std::chrono::steady_clock::now(),
                     std::chrono::steady_clock::duration::zero()));
    };
    for (auto& w : work) {
        // The append itself always completes; it is not bounded by timeout_ms.
        co_await w->appended->wait(std::chrono::hours(1));
        auto& pr = *w->out;
        if (w->error != error_code::none) {
            fail(pr, w->error, w->message);
            continue;
        }
        pr.base_offset = w->result.base_offset;
        pr.log_append_time_ms = w->result.log_append_time;
        pr.log_start_offset = w->log_start;
        if (w->durable && w->part->durable()) {
            bool fired = co_await w->durable->done->wait(left());
            if (!fired) {
                fail(pr, error_code::request_timed_out, "flush did not complete in time");
            } else if (!w->durable->ok) {
                fail(pr, error_code::kafka_storage_error, "flush failed");
            }
        }
    }
    if (req.acks == 0) co_return std::nullopt;
    co_return resp;
}

}  // namespace sluice::broker
