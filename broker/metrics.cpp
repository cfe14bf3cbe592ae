#include "broker/metrics.h"

#include "broker/handler.h"

#include <cstdio>

namespace sluice::broker {

namespace {

constexpr auto relaxed = std::memory_order_relaxed;

std::string number(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.9g", v);
    return buf;
}

void header(std::string& out, const char* name, const char* type, const char* help) {
    out += "# HELP ";
    out += name;
    out += ' ';
    out += help;
    out += "\n# TYPE ";
    out += name;
    out += ' ';
    out += type;
    out += '\n';
}

void sample(std::string& out, const std::string& name, const std::string& labels,
            const std::string& value) {
    out += name;
    if (!labels.empty()) {
        out += '{';
        out += labels;
        out += '}';
    }
    out += ' ';
    out += value;
    out += '\n';
}

}  // namespace

std::string prometheus_escape(const std::string& value) {
    std::string out;
    out.reserve(value.size());
    for (char c : value) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '"')
            out += "\\\"";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

void latency_histogram::observe(std::chrono::steady_clock::duration d) {
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
    if (ns < 0) ns = 0;
    sum_ns_.fetch_add(uint64_t(ns), relaxed);
    double seconds = double(ns) / 1e9;
    size_t i = 0;
    while (i < latency_bucket_bounds.size() && seconds > latency_bucket_bounds[i]) ++i;
    buckets_[i].fetch_add(1, relaxed);
}

uint64_t latency_histogram::count() const {
    uint64_t n = 0;
    for (auto& b : buckets_) n += b.load(relaxed);
    return n;
}

void latency_histogram::render(std::string& out, const std::string& name,
                               const std::string& labels) const {
    std::string prefix = labels.empty() ? std::string() : labels + ",";
    uint64_t cumulative = 0;
    for (size_t i = 0; i < buckets_.size(); ++i) {
        cumulative += buckets_[i].load(relaxed);
        std::string le = i < latency_bucket_bounds.size() ? number(latency_bucket_bounds[i])
                                                          : std::string("+Inf");
        sample(out, name + "_bucket", prefix + "le=\"" + le + "\"", std::to_string(cumulative));
    }
    sample(out, name + "_sum", labels, number(double(sum_ns_.load(relaxed)) / 1e9));
    sample(out, name + "_count", labels, std::to_string(cumulative));
}

void broker_metrics::record_request(int16_t api_key, std::chrono::steady_clock::duration latency) {
    if (api_key < 0 || api_key >= max_api_key) return;
    auto& a = apis_[size_t(api_key)];
    a.requests.fetch_add(1, relaxed);
    a.latency.observe(latency);
}

void broker_metrics::record_error(int16_t api_key) {
    if (api_key < 0 || api_key >= max_api_key) return;
    apis_[size_t(api_key)].errors.fetch_add(1, relaxed);
}

std::string broker_metrics::render(int64_t connections, int64_t requests_in_flight) const {
    std::string out;
    const auto& handlers = api_handlers();

    header(out, "sluice_requests_total", "counter", "Requests handled, by API.");
    for (auto& h : handlers) {
        if (h.key < 0 || h.key >= max_api_key) continue;
        sample(out, "sluice_requests_total", std::string("api=\"") + h.name + "\"",
               std::to_string(apis_[size_t(h.key)].requests.load(relaxed)));
    }
    header(out, "sluice_request_errors_total", "counter",
           "Requests that closed the connection (malformed, unsupported, handler failure), "
           "by API.");
    for (auto& h : handlers) {
        if (h.key < 0 || h.key >= max_api_key) continue;
        sample(out, "sluice_request_errors_total", std::string("api=\"") + h.name + "\"",
               std::to_string(apis_[size_t(h.key)].errors.load(relaxed)));
    }
    header(out, "sluice_request_latency_seconds", "histogram",
           "Time from a request's arrival to its response being ready, by API.");
    for (auto& h : handlers) {
        if (h.key < 0 || h.key >= max_api_key) continue;
        apis_[size_t(h.key)].latency.render(out, "sluice_request_latency_seconds",
                                            std::string("api=\"") + h.name + "\"");
    }
    header(out, "sluice_bytes_in_total", "counter",
           "Request bytes read from clients (including the size prefix).");
    sample(out, "sluice_bytes_in_total", "", std::to_string(bytes_in_.load(relaxed)));
    header(out, "sluice_bytes_out_total", "counter",
           "Response bytes written to clients (including the size prefix).");
    sample(out, "sluice_bytes_out_total", "", std::to_string(bytes_out_.load(relaxed)));
    header(out, "sluice_messages_in_total", "counter",
           "Records appended by Produce (sum of the batches' record counts).");
    sample(out, "sluice_messages_in_total", "", std::to_string(messages_in_.load(relaxed)));
    header(out, "sluice_connections", "gauge", "Open client connections.");
    sample(out, "sluice_connections", "", std::to_string(connections));
    header(out, "sluice_requests_in_flight", "gauge",
           "Requests read from clients and not answered yet.");
    sample(out, "sluice_requests_in_flight", "", std::to_string(requests_in_flight));
    header(out, "sluice_connection_problems_total", "counter",
           "Client connections closed because of what the client sent (bad size, unknown API "
           "or version, malformed request).");
    sample(out, "sluice_connection_problems_total", "",
           std::to_string(connection_problems_.load(relaxed)));
    header(out, "sluice_sasl_authentications_total", "counter",
           "SASL authentications on SASL listeners, by result.");
    sample(out, "sluice_sasl_authentications_total", "result=\"success\"",
           std::to_string(sasl_ok_.load(relaxed)));
    sample(out, "sluice_sasl_authentications_total", "result=\"failure\"",
           std::to_string(sasl_failed_.load(relaxed)));
    header(out, "sluice_log_flush_latency_seconds", "histogram",
           "Time one log flush took: fsync of the segment, its indexes and, after a roll or "
           "creation, the directory.");
    flush_latency_.render(out, "sluice_log_flush_latency_seconds", "");
    return out;
}

}  // namespace sluice::broker
