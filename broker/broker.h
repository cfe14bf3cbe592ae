#pragma once
// sluiced's top-level object: the io_context and its threads, the listeners,
// the topic registry, the flusher pool, the background timers (flush.ms,
// retention) and orderly shutdown (SIGTERM: stop accepting, finish in-flight
// work, flush, write checkpoints, exit 0).

#include "broker/asio.h"
#include "broker/metrics.h"
#include "broker/producer_ids.h"
#include "broker/settings.h"
#include "broker/topic_registry.h"
#include "storage/log_manager.h"
#include "storage/topic_store.h"

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

namespace sluice::broker {

namespace groups {
class coordinator;
}
class admin_server;

int64_t now_ms();

class broker {
public:
    explicit broker(broker_settings settings);
    ~broker();

    // Recovers logs, opens listeners, runs until SIGTERM/SIGINT or stop().
    // Returns the process exit code.
    int run();
    void stop();

    const broker_settings& settings() const { return settings_; }
    topic_registry& topics() { return *topics_; }
    asio::io_context& io() { return io_; }
    groups::coordinator& coordinator() { return *coordinator_; }
    producer_id_manager& producer_ids() { return *producer_ids_; }

    // The advertised address of the listener a client connected through (the
    // advertised listener of the same name; the first one otherwise).
    const listener& advertised(const listener* via) const {
        if (via)
            for (auto& a : settings_.advertised_listeners)
                if (a.name == via->name) return a;
        return settings_.advertised_listeners.front();
    }

    std::atomic<int32_t> connections{0};
    // Requests read and not yet answered (or dropped with their connection).
    std::atomic<int64_t> requests_in_flight{0};
    // SIGTERM/stop(): no new connections or requests; in-flight ones finish.
    bool draining() const { return stopping_.load(); }
    // Logs recovered and listeners up (/readyz).
    std::atomic<bool> ready{false};
    broker_metrics& metrics() { return metrics_; }

private:
    awaitable<void> accept_loop(std::shared_ptr<tcp::acceptor> acceptor, const listener* via);
    awaitable<void> housekeeping();
    void shutdown();
    awaitable<void> drain_and_stop();

    broker_settings settings_;
    broker_metrics metrics_;  // before everything that records into it
    asio::io_context io_;
    asio::thread_pool flush_pool_{1};
    std::unique_ptr<storage::log_manager> log_manager_;
    std::unique_ptr<storage::topic_store> topic_store_;
    std::unique_ptr<topic_registry> topics_;
    std::unique_ptr<groups::coordinator> coordinator_;
    std::unique_ptr<producer_id_manager> producer_ids_;
    std::vector<std::shared_ptr<tcp::acceptor>> acceptors_;
    std::atomic<bool> stopping_{false};
    std::unique_ptr<admin_server> admin_;
};

}  // namespace sluice::broker
