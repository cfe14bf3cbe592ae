#include "broker/broker.h"

#include "broker/admin_server.h"
#include "broker/connection.h"
#include "broker/groups/coordinator.h"

#include <spdlog/spdlog.h>

#ifdef SLUICE_HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

namespace sluice::broker {

namespace {
// Tells systemd (Type=notify) about state changes. A no-op without NOTIFY_SOCKET
// or when built without libsystemd.
void notify_service_manager(const std::string& state) {
#ifdef SLUICE_HAVE_SYSTEMD
    int r = sd_notify(0, state.c_str());
    if (r < 0) spdlog::warn("sd_notify failed: {}", -r);
#else
    (void)state;
#endif
}

std::string config_join(const std::vector<std::string>& items) {
    std::string out;
    for (auto& i : items) out += (out.empty() ? "" : ",") + i;
    return out;
}
}  // namespace

int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

broker::broker(broker_settings settings) : settings_(std::move(settings)) {}

broker::~broker() { flush_pool_.join(); }

void broker::stop() {
    if (stopping_.exchange(true)) return;
    asio::post(io_, [this] { shutdown(); });
}

int broker::run() {
    log_manager_ = std::make_unique<storage::log_manager>(settings_.log_dirs);
    topic_store_ = std::make_unique<storage::file_topic_store>(settings_.log_dirs.front());
    producer_ids_ = std::make_unique<producer_id_manager>(settings_.log_dirs.front());
    topics_ = std::make_unique<topic_registry>(io_, flush_pool_, settings_, *log_manager_,
                                               *topic_store_, &metrics_);
    topics_->load();
    spdlog::info("log recovery: {} segments scanned", topics_->segments_scanned_at_load());
    coordinator_ = std::make_unique<groups::coordinator>(*this);
    coordinator_->start();

    for (auto& l : settings_.listeners) {
        boost::system::error_code ec;
        auto addr = l.host.empty() ? asio::ip::address(asio::ip::address_v6::any())
                                   : asio::ip::make_address(l.host, ec);
        tcp::endpoint ep;
        if (ec) {
            // A host name (e.g. localhost): resolve it.
            tcp::resolver resolver(io_);
            auto results = resolver.resolve(l.host, std::to_string(l.port), ec);
            if (ec || results.empty()) {
                spdlog::critical("cannot resolve listener host '{}': {}", l.host, ec.message());
                return 1;
            }
            ep = results.begin()->endpoint();
        } else {
            ep = tcp::endpoint(addr, l.port);
        }
        auto acc = std::make_shared<tcp::acceptor>(io_);
        acc->open(ep.protocol(), ec);
        if (!ec) acc->set_option(tcp::acceptor::reuse_address(true), ec);
        if (!ec && ep.address().is_v6() && l.host.empty())
            acc->set_option(asio::ip::v6_only(false), ec);
        if (!ec) acc->bind(ep, ec);
        if (!ec) acc->listen(asio::socket_base::max_listen_connections, ec);
        if (ec) {
            spdlog::critical("cannot listen on {}://{}:{}: {}", l.name, l.host, l.port,
                             ec.message());
            return 1;
        }
        spdlog::info("listening on {}://{}:{}{}", l.name, l.host.empty() ? "*" : l.host, l.port,
                     l.sasl() ? " (SASL: " + config_join(settings_.sasl_mechanisms) + ")" : "");
        acceptors_.push_back(acc);
        asio::co_spawn(io_, accept_loop(acc, &l), asio::detached);
    }

    admin_ = std::make_unique<admin_server>(*this);
    if (!admin_->start(settings_.config.admin_listeners)) return 1;

    asio::signal_set signals(io_, SIGTERM, SIGINT);
    signals.async_wait([this](const boost::system::error_code& ec, int sig) {
        if (ec) return;
        spdlog::info("received signal {}, shutting down", sig);
        stop();
    });
    asio::co_spawn(io_, housekeeping(), asio::detached);
    spdlog::info("sluiced node {} ready", settings_.node_id);
    ready = true;
    {
        std::string serving;
        for (size_t i = 0; i < settings_.listeners.size() && i < acceptors_.size(); ++i) {
            auto& l = settings_.listeners[i];
            boost::system::error_code ec;
            auto port = acceptors_[i]->local_endpoint(ec).port();  // real port when 0
            if (!serving.empty()) serving += ", ";
            serving += l.name + "://" + (l.host.empty() ? std::string("*") : l.host) + ":" +
                       std::to_string(ec ? l.port : port);
        }
        notify_service_manager("READY=1\nSTATUS=serving on " + serving);
    }

    int threads = settings_.io_threads > 0 ? settings_.io_threads
                                           : int(std::max(1u, std::thread::hardware_concurrency()));
    std::vector<std::thread> pool;
    for (int i = 1; i < threads; ++i) pool.emplace_back([this] { io_.run(); });
    io_.run();
    for (auto& t : pool) t.join();
    flush_pool_.join();

    // Single-threaded from here: close every log and write checkpoints.
    std::vector<storage::checkpoint_entry> entries;
    for (auto& p : topics_->all_partitions()) {
        p->close();
        auto& log = p->log();
        entries.push_back({p->tp(), log.dir().parent_path(), log.flushed_offset(),
                           log.log_start_offset(), p->high_watermark()});
    }
    log_manager_->write_checkpoints(entries);
    log_manager_->mark_clean_shutdown();
    spdlog::info("shutdown complete");
    return 0;
}

awaitable<void> broker::accept_loop(std::shared_ptr<tcp::acceptor> acceptor, const listener* via) {
    while (!stopping_) {
        tcp::socket socket(asio::make_strand(io_));
        tcp::endpoint peer;  // known even if the client resets right away
        boost::system::error_code ec;
        co_await acceptor->async_accept(socket, peer,
                                        asio::redirect_error(asio::use_awaitable, ec));
        if (ec) {
            if (stopping_ || ec == asio::error::operation_aborted) break;
            spdlog::warn("accept failed: {}", ec.message());
            // Out of file descriptors and the like: retry after a pause, not in
            // a tight loop.
            asio::steady_timer pause(io_);
            pause.expires_after(std::chrono::milliseconds(100));
            co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
            continue;
        }
        if (connections.load() >= settings_.max_connections) {
            spdlog::warn("refusing connection: max.connections {} reached",
                         settings_.max_connections);
            continue;
        }
        std::make_shared<connection>(*this, std::move(socket), via, peer)->start();
    }
}

awaitable<void> broker::housekeeping() {
    asio::steady_timer timer(io_);
    int64_t last_retention = now_ms();
    int64_t last_clean = now_ms();
    while (!stopping_) {
        // Kafka's default log.flush.scheduler.interval.ms is Long.MAX_VALUE: clamp
        // so the timer neither overflows nor spins, and retention still runs.
        timer.expires_after(std::chrono::milliseconds(
            std::clamp<int64_t>(settings_.flush_scheduler_interval_ms, 10, 1000)));
        boost::system::error_code ec;
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        if (stopping_) break;
        int64_t now = now_ms();
        bool retention = now - last_retention >= settings_.retention_check_interval_ms;
        if (retention) last_retention = now;
        bool clean = settings_.config.log_cleaner_enable &&
                     now - last_clean >= settings_.config.log_cleaner_backoff_ms;
        if (clean) last_clean = now;
        auto snap = topics_->snapshot();  // held while iterating
        for (auto& [name, t] : *snap) {
            std::optional<storage::compaction_config> compaction;
            if (clean) compaction = t->compaction;
            for (auto& p : t->partitions) {
                auto work = [p, now, retention, compaction,
                             expiration = settings_.producer_id_expiration_ms] {
                    if (p->closed()) return 0;
                    p->maybe_flush(now);
                    if (retention) {
                        int n = p->log().apply_retention(now);
                        if (n > 0)
                            spdlog::info("retention deleted {} segments of {}", n,
                                         p->tp().dir_name());
                        // With the retention check, as Kafka's producer id expiration check.
                        p->log().producers().expire(now, expiration);
                    }
                    if (compaction) p->compact(*compaction, now);
                    return 0;
                };
                co_await run_on(*p, work);
            }
        }
    }
}

void broker::shutdown() {
    notify_service_manager("STOPPING=1\nSTATUS=shutting down");
    if (coordinator_) coordinator_->shutdown();
    if (admin_) admin_->close();
    for (auto& a : acceptors_) {
        boost::system::error_code ec;
        a->close(ec);
    }
    // Let in-flight requests finish: flush every partition on its strand, then stop.
    asio::co_spawn(io_, drain_and_stop(), asio::detached);
}

awaitable<void> broker::drain_and_stop() {
    auto partitions = topics_->all_partitions();
    for (auto& p : partitions) {
        auto work = [p] {
            if (!p->closed()) p->maybe_flush(now_ms());
            return 0;
        };
        co_await run_on(*p, work);
    }
    // Answer what is in flight (produce requests waiting for their fsync, fetch
    // long-polls) before stopping, within a bound.
    constexpr auto drain_limit = std::chrono::seconds(10);
    auto deadline = std::chrono::steady_clock::now() + drain_limit;
    asio::steady_timer timer(io_);
    if (requests_in_flight.load() > 0)
        spdlog::info("waiting for {} request(s) in flight", requests_in_flight.load());
    while (requests_in_flight.load() > 0 && std::chrono::steady_clock::now() < deadline) {
        timer.expires_after(std::chrono::milliseconds(5));
        boost::system::error_code ec;
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    if (requests_in_flight.load() > 0)
        spdlog::warn("stopping with {} request(s) still unanswered after {} s",
                     requests_in_flight.load(), drain_limit.count());
    io_.stop();
}

}  // namespace sluice::broker
