#pragma once
// One partition replica on this broker: its log and the waiters on it.
//
// Ownership: every member except the constructor and executor() runs on the
// partition's strand; handlers reach it with run_on(). No mutex on the
// produce/fetch path. Durability (group commit): appends go to the page cache,
// and at most one flush job per partition is in flight on the flusher pool;
// produce requests that need durability wait until the flushed offset passes
// their last offset. The high watermark is the flushed offset for durable
// topics (flush.messages = 1) and the log end offset otherwise, so a consumer
// never sees a record that a crash could take back.

#include "broker/asio.h"
#include "broker/event.h"
#include "broker/metrics.h"
#include "protocol/errors.h"
#include "storage/partition_log.h"

#include <functional>
#include <memory>
#include <vector>

namespace sluice::broker {

struct durable_wait {
    std::shared_ptr<event> done;
    bool ok = false;
};

class partition : public std::enable_shared_from_this<partition> {
public:
    // `metrics` (may be null) receives each flush's latency.
    partition(asio::io_context& io, asio::thread_pool& flush_pool,
              std::unique_ptr<storage::partition_log> log, broker_metrics* metrics = nullptr);

    strand& executor() { return strand_; }
    storage::partition_log& log() { return *log_; }
    const storage::topic_partition& tp() const { return tp_; }

    bool closed() const { return closed_; }
    int32_t leader_epoch() const { return leader_epoch_; }
    bool durable() const { return log_->config().flush_messages == 1; }
    int64_t high_watermark() const {
        return durable() ? log_->flushed_offset() : log_->log_end_offset();
    }

    // Appends validated batches; throws std::system_error on I/O failure.
    storage::append_result append(std::span<uint8_t> batches,
                                  const std::vector<protocol::batch_header>& headers,
                                  int64_t now_ms);
    // Wakes `w` once everything up to and including `offset` is flushed.
    void wait_durable(int64_t offset, std::shared_ptr<durable_wait> w);
    // Wakes `e` at the next high-watermark move (or close).
    void add_fetch_waiter(const std::shared_ptr<event>& e);

    // Starts a flush when the log's flush policy says one is due.
    void maybe_flush(int64_t now_ms);
    // Compacts the sealed segments when cfg says it is due (below the high
    // watermark); logs what it did and any I/O error. Runs on the strand, so
    // produce and fetch on this partition wait for it.
    void compact(const storage::compaction_config& cfg, int64_t now_ms);
    // Closes the log (flushes first); further appends fail.
    void close();
    // Deletes the log files (topic deletion).
    void remove();

private:
    void start_flush();
    void on_flushed(bool ok, int64_t target);
    void wake_fetchers();

    strand strand_;
    asio::thread_pool& flush_pool_;
    broker_metrics* metrics_;
    std::unique_ptr<storage::partition_log> log_;
    storage::topic_partition tp_;
    int32_t leader_epoch_ = 0;
    bool closed_ = false;
    bool flush_in_flight_ = false;
    std::vector<std::pair<int64_t, std::shared_ptr<durable_wait>>> durable_waiters_;
    std::vector<std::weak_ptr<event>> fetch_waiters_;  // waiters that gave up expire
};

// Runs f() on the partition's strand and resumes the caller on its own
// executor with the result; exceptions propagate.
//
// GCC 12 destroys non-trivial temporaries of a co_await expression twice, so
// callers pass a *named* function object (`auto work = [...]{...};
// co_await run_on(p, work);`), which is copied here, outside the coroutine frame.
template <class F>
auto run_on(partition& p, F& f) -> awaitable<std::invoke_result_t<F&>> {
    using R = std::invoke_result_t<F&>;
    return asio::async_initiate<const asio::use_awaitable_t<>, void(std::exception_ptr, R)>(
        [&p](auto handler, F fn) {
            asio::post(p.executor(), [handler = std::move(handler), fn = std::move(fn)]() mutable {
                std::exception_ptr error;
                R result{};
                try {
                    result = fn();
                } catch (...) {
                    error = std::current_exception();
                }
                auto ex = asio::get_associated_executor(handler);
                asio::post(ex, [handler = std::move(handler), error,
                                result = std::move(result)]() mutable {
                    handler(error, std::move(result));
                });
            });
        },
        asio::use_awaitable, F(f));
}

}  // namespace sluice::broker
