#pragma once
// Broker-wide counters for the admin server's /metrics page. Lock-free: every
// field is a std::atomic updated with relaxed ordering from any thread (the
// connection strands, the partition strands); a scrape reads each one once, so
// a scrape is not a consistent snapshot across counters, as usual for
// Prometheus.

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace sluice::broker {

class broker;

// Upper bounds (seconds) of the finite latency buckets; +Inf is implied.
inline constexpr std::array<double, 14> latency_bucket_bounds{
    0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0};

// A Prometheus histogram of durations over latency_bucket_bounds.
class latency_histogram {
public:
    void observe(std::chrono::steady_clock::duration d);
    // Appends the _bucket (cumulative), _sum and _count samples of `name` with
    // `labels` (a label list without braces, may be empty).
    void render(std::string& out, const std::string& name, const std::string& labels) const;
    uint64_t count() const;

private:
    std::array<std::atomic<uint64_t>, latency_bucket_bounds.size() + 1> buckets_{};
    std::atomic<uint64_t> sum_ns_{0};
};

class broker_metrics {
public:
    static constexpr int max_api_key = 128;  // keys outside [0, max) are not counted

    // One request of `api_key` finished (answered or not) after `latency`.
    void record_request(int16_t api_key, std::chrono::steady_clock::duration latency);
    // A request of `api_key` made the broker close the connection (malformed,
    // unsupported version, handler exception).
    void record_error(int16_t api_key);
    void add_bytes_in(uint64_t n) { bytes_in_.fetch_add(n, std::memory_order_relaxed); }
    void add_bytes_out(uint64_t n) { bytes_out_.fetch_add(n, std::memory_order_relaxed); }
    void add_messages_in(uint64_t n) { messages_in_.fetch_add(n, std::memory_order_relaxed); }
    // One log flush (fsync of segment, indexes and directory as needed) took `d`.
    void record_flush(std::chrono::steady_clock::duration d) { flush_latency_.observe(d); }
    // One SASL authentication ended (succeeded or failed).
    void record_sasl(bool ok) {
        (ok ? sasl_ok_ : sasl_failed_).fetch_add(1, std::memory_order_relaxed);
    }
    // A client connection was closed because of something it sent.
    void record_connection_problem() {
        connection_problems_.fetch_add(1, std::memory_order_relaxed);
    }

    // The broker-wide part of /metrics in Prometheus text format 0.0.4 (the
    // per-partition gauges are added by the admin server, which reads them on
    // the partition strands).
    std::string render(int64_t connections, int64_t requests_in_flight) const;

private:
    struct api_counters {
        std::atomic<uint64_t> requests{0};
        std::atomic<uint64_t> errors{0};
        latency_histogram latency;
    };
    std::array<api_counters, max_api_key> apis_{};
    std::atomic<uint64_t> bytes_in_{0};
    std::atomic<uint64_t> bytes_out_{0};
    std::atomic<uint64_t> messages_in_{0};
    std::atomic<uint64_t> connection_problems_{0};
    std::atomic<uint64_t> sasl_ok_{0};
    std::atomic<uint64_t> sasl_failed_{0};
    latency_histogram flush_latency_;
};

// A Prometheus label value with \, " and newline escaped.
std::string prometheus_escape(const std::string& value);

}  // namespace sluice::broker
