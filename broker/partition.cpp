#include "broker/partition.h"

#include <spdlog/spdlog.h>

namespace sluice::broker {

partition::partition(asio::io_context& io, asio::thread_pool& flush_pool,
                     std::unique_ptr<storage::partition_log> log, broker_metrics* metrics)
    : strand_(asio::make_strand(io)),
      flush_pool_(flush_pool),
      metrics_(metrics),
      log_(std::move(log)),
      tp_(log_->tp()) {}

storage::append_result partition::append(std::span<uint8_t> batches,
                                         const std::vector<protocol::batch_header>& headers,
                                         int64_t now_ms) {
    auto r = log_->append(batches, headers, leader_epoch_, now_ms);
    if (!durable()) wake_fetchers();
    maybe_flush(now_ms);
    return r;
}

void partition::wait_durable(int64_t offset, std::shared_ptr<durable_wait> w) {
    if (log_->flushed_offset() > offset) {
        w->ok = true;
        w->done->notify();
        return;
    }
    if (closed_) {
        w->done->notify();
        return;
    }
    durable_waiters_.emplace_back(offset, std::move(w));
    if (!flush_in_flight_) start_flush();
}

void partition::maybe_flush(int64_t now_ms) {
    if (closed_ || flush_in_flight_) return;
    if (log_->flush_due(now_ms)) start_flush();
}

void partition::compact(const storage::compaction_config& cfg, int64_t now_ms) {
    if (closed_) return;
    try {
        auto r = log_->compact(cfg, now_ms, high_watermark());
        if (r.ran && r.segments_cleaned > 0)
            spdlog::info("compacted {}: {} segment(s), {} record(s) removed, {} -> {} bytes",
                         tp_.dir_name(), r.segments_cleaned, r.records_removed, r.bytes_before,
                         r.bytes_after);
    } catch (const std::exception& e) {
        spdlog::error("compaction of {} failed: {}", tp_.dir_name(), e.what());
    }
}

void partition::start_flush() {
    auto job = std::make_shared<storage::flush_job>(log_->prepare_flush());
    if (job->empty()) return;
    flush_in_flight_ = true;
    asio::post(flush_pool_, [self = shared_from_this(), job] {
        auto started = std::chrono::steady_clock::now();
        bool ok = job->run();
        if (self->metrics_)
            self->metrics_->record_flush(std::chrono::steady_clock::now() - started);
        asio::post(self->strand_,
                   [self, ok, target = job->target_offset()] { self->on_flushed(ok, target); });
    });
}

void partition::on_flushed(bool ok, int64_t target) {
    flush_in_flight_ = false;
    if (!ok) {
        spdlog::critical("flush failed for {}; failing {} waiting produce requests", tp_.dir_name(),
                         durable_waiters_.size());
        for (auto& [off, w] : durable_waiters_) w->done->notify();
        durable_waiters_.clear();
        return;
    }
    auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
    log_->mark_flushed(target, now);
    auto it = std::partition(durable_waiters_.begin(), durable_waiters_.end(),
                             [&](auto& e) { return e.first >= target; });
    for (auto i = it; i != durable_waiters_.end(); ++i) {
        i->second->ok = true;
        i->second->done->notify();
    }
    durable_waiters_.erase(it, durable_waiters_.end());
    if (durable()) wake_fetchers();
    if (!durable_waiters_.empty() || log_->flush_due(now)) start_flush();
}

void partition::add_fetch_waiter(const std::shared_ptr<event>& e) {
    if (fetch_waiters_.size() >= 64)
        std::erase_if(fetch_waiters_, [](auto& w) { return w.expired(); });
    fetch_waiters_.push_back(e);
}

void partition::wake_fetchers() {
    for (auto& w : fetch_waiters_)
        if (auto e = w.lock()) e->notify();
    fetch_waiters_.clear();
}

void partition::close() {
    if (closed_) return;
    closed_ = true;
    log_->close();
    for (auto& [off, w] : durable_waiters_) {
        w->ok = log_->flushed_offset() > off;
        w->done->notify();
    }
    durable_waiters_.clear();
    wake_fetchers();
}

void partition::remove() {
    closed_ = true;
    for (auto& [off, w] : durable_waiters_) w->done->notify();
    durable_waiters_.clear();
    wake_fetchers();
    log_->remove();
}

}  // namespace sluice::broker
