#include "broker/admin_server.h"

#include "broker/broker.h"
#include "broker/groups/coordinator.h"
#include "broker/log_level.h"
#include "broker/metrics.h"
#include "broker/partition.h"

#include <spdlog/spdlog.h>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

namespace sluice::broker {

namespace beast = boost::beast;
namespace http = beast::http;

namespace {

constexpr size_t max_header_bytes = 8192;
constexpr size_t max_body_bytes = 1024;
constexpr auto request_timeout = std::chrono::seconds(10);
constexpr int max_requests_per_connection = 100;

using request = http::request<http::string_body>;
using response = http::response<http::string_body>;

struct partition_gauges {
    bool open = false;
    int64_t log_end_offset = 0;
    int64_t high_watermark = 0;
    uint64_t size_bytes = 0;
};

response text_response(http::status status, std::string body,
                       const char* content_type = "text/plain; charset=utf-8") {
    response r{status, 11};
    r.set(http::field::server, "sluiced");
    r.set(http::field::content_type, content_type);
    r.body() = std::move(body);
    return r;
}

std::string endpoint_text(const tcp::endpoint& ep) {
    auto addr = ep.address();
    std::string host = addr.is_v6() ? "[" + addr.to_string() + "]" : addr.to_string();
    return host + ":" + std::to_string(ep.port());
}

std::string trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return std::string(s);
}

// The value of `key` in a query string or form body ("a=1&level=debug"), or
// nullopt. No percent-decoding: level names need none.
std::optional<std::string> form_value(std::string_view text, std::string_view key) {
    while (!text.empty()) {
        auto amp = text.find('&');
        auto part = text.substr(0, amp);
        auto eq = part.find('=');
        if (eq != std::string_view::npos && part.substr(0, eq) == key)
            return std::string(part.substr(eq + 1));
        if (amp == std::string_view::npos) break;
        text.remove_prefix(amp + 1);
    }
    return std::nullopt;
}

// Committed offset and lag (high watermark - committed, at least 0) of every
// group for every partition it committed; `rows` are the open partitions.
void render_group_lag(
    std::string& out, broker& b,
    const std::vector<std::pair<std::shared_ptr<partition>, partition_gauges>>& rows) {
    std::map<std::pair<std::string, int32_t>, int64_t> hw;
    for (auto& [p, g] : rows) hw[{p->tp().topic, p->tp().partition}] = g.high_watermark;
    std::string committed, lag;
    for (auto& [group, offsets] : b.coordinator().all_offsets()) {
        for (auto& [tp, v] : offsets) {
            std::string labels = "group=\"" + prometheus_escape(group) + "\",topic=\"" +
                                 prometheus_escape(tp.first) + "\",partition=\"" +
                                 std::to_string(tp.second) + "\"";
            committed += "sluice_consumer_group_committed_offset{" + labels + "} " +
                         std::to_string(v.offset) + "\n";
            auto it = hw.find(tp);
            if (it == hw.end() || v.offset < 0) continue;  // partition gone, or no position
            lag += "sluice_consumer_group_lag{" + labels + "} " +
                   std::to_string(std::max<int64_t>(0, it->second - v.offset)) + "\n";
        }
    }
    out +=
        "# HELP sluice_consumer_group_committed_offset Offset a consumer group committed "
        "for a partition.\n# TYPE sluice_consumer_group_committed_offset gauge\n";
    out += committed;
    out +=
        "# HELP sluice_consumer_group_lag Records between a group's committed offset and the "
        "partition's high watermark.\n# TYPE sluice_consumer_group_lag gauge\n";
    out += lag;
}

}  // namespace

admin_server::admin_server(broker& b) : b_(b) {}
bool admin_server::start(const std::vector<config::endpoint>& endpoints) {
    std::vector<std::shared_ptr<tcp::acceptor>> opened;
    for (auto& e : endpoints) {
        boost::system::error_code ec;
        tcp::endpoint ep;
        if (e.host.empty()) {
            ep = tcp::endpoint(asio::ip::address_v6::any(), e.port);
        } else {
            auto addr = asio::ip::make_address(e.host, ec);
            if (ec) {
                tcp::resolver resolver(b_.io());
                auto results = resolver.resolve(e.host, std::to_string(e.port), ec);
                if (ec || results.empty()) {
                    spdlog::critical("cannot resolve admin listener host '{}': {}", e.host,
                                     ec.message());
                    return false;
                }
                ep = results.begin()->endpoint();
            } else {
                ep = tcp::endpoint(addr, e.port);
            }
        }
        auto acc = std::make_shared<tcp::acceptor>(b_.io());
        acc->open(ep.protocol(), ec);
        if (!ec) acc->set_option(tcp::acceptor::reuse_address(true), ec);
        if (!ec && ep.address().is_v6() && e.host.empty())
            acc->set_option(asio::ip::v6_only(false), ec);
        if (!ec) acc->bind(ep, ec);
        if (!ec) acc->listen(asio::socket_base::max_listen_connections, ec);
        tcp::endpoint bound;
        if (!ec) bound = acc->local_endpoint(ec);
        if (ec) {
            spdlog::critical("cannot listen on admin listener {}:{}: {}", e.host, e.port,
                             ec.message());
            return false;
        }
        spdlog::info("admin listening on http://{}", endpoint_text(bound));
        opened.push_back(std::move(acc));
    }
    for (auto& acc : opened) {
        acceptors_.push_back(acc);
        asio::co_spawn(b_.io(), accept_loop(this, acc), asio::detached);
    }
    return true;
}

void admin_server::close() {
    if (closed_.exchange(true)) return;
    for (auto& a : acceptors_) {
        boost::system::error_code ec;
        a->close(ec);
    }
}

awaitable<void> admin_server::accept_loop(admin_server* self, std::shared_ptr<tcp::acceptor> acc) {
    while (!self->closed_) {
        auto ex = asio::make_strand(self->b_.io());
        auto socket = std::make_shared<tcp::socket>(ex);
        boost::system::error_code ec;
        co_await acc->async_accept(*socket, asio::redirect_error(asio::use_awaitable, ec));
        if (ec) {
            if (self->closed_ || ec == asio::error::operation_aborted) break;
            spdlog::warn("admin accept failed: {}", ec.message());
            continue;
        }
        asio::co_spawn(ex, serve(self, std::move(*socket)), asio::detached);
    }
}

awaitable<std::string> admin_server::render_metrics() {
    std::string out = b_.metrics().render(b_.connections.load(), b_.requests_in_flight.load());
    auto partitions = b_.topics().all_partitions();
    std::vector<std::pair<std::shared_ptr<partition>, partition_gauges>> rows;
    rows.reserve(partitions.size());
    for (auto& p : partitions) {
        // Named, not a temporary in the co_await (GCC 12; see run_on).
        auto work = [p] {
            partition_gauges g;
            if (p->closed()) return g;
            g.open = true;
            g.log_end_offset = p->log().log_end_offset();
            g.high_watermark = p->high_watermark();
            g.size_bytes = p->log().size_bytes();
            return g;
        };
        partition_gauges g = co_await run_on(*p, work);
        if (g.open) rows.emplace_back(p, g);
    }
    out +=
        "# HELP sluice_partitions Partitions hosted by this broker.\n"
        "# TYPE sluice_partitions gauge\n";
    out += "sluice_partitions " + std::to_string(rows.size()) + "\n";
    struct family {
        const char* name;
        const char* help;
    };
    const family families[] = {
        {"sluice_partition_log_end_offset", "Offset of the next record to be appended."},
        {"sluice_partition_high_watermark", "Offset up to which consumers may read."},
        {"sluice_partition_log_size_bytes", "Bytes in the partition's log segments."},
    };
    for (int f = 0; f < 3; ++f) {
        out += std::string("# HELP ") + families[f].name + " " + families[f].help + "\n";
        out += std::string("# TYPE ") + families[f].name + " gauge\n";
        for (auto& [p, g] : rows) {
            std::string value = f == 0   ? std::to_string(g.log_end_offset)
                                : f == 1 ? std::to_string(g.high_watermark)
                                         : std::to_string(g.size_bytes);
            out += std::string(families[f].name) + "{topic=\"" + prometheus_escape(p->tp().topic) +
                   "\",partition=\"" + std::to_string(p->tp().partition) + "\"} " + value + "\n";
        }
    }
    render_group_lag(out, b_, rows);
    co_return out;
}

namespace {

awaitable<response> handle(admin_server& self, broker& b, const request& req,
                           const std::string& peer) {
    std::string_view target(req.target().data(), req.target().size());
    auto q = target.find('?');
    std::string_view path = target.substr(0, q);
    std::string_view query =
        q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
    const auto method = req.method();
    const bool read = method == http::verb::get || method == http::verb::head;

    if (path == "/loglevel") {
        if (read)
            co_return text_response(
                http::status::ok,
                std::string(log_level_name(spdlog::default_logger()->level())) + "\n");
        if (method != http::verb::put && method != http::verb::post) {
            auto r = text_response(http::status::method_not_allowed, "use GET, PUT or POST\n");
            r.set(http::field::allow, "GET, HEAD, PUT, POST");
            co_return r;
        }
        // The level comes as ?level=NAME, a form body level=NAME, or a plain body NAME.
        std::string text;
        if (auto v = form_value(query, "level"))
            text = *v;
        else if (auto v = form_value(req.body(), "level"))
            text = *v;
        else
            text = trim(req.body());
        auto level = parse_log_level(text);
        if (!level)
            co_return text_response(
                http::status::bad_request,
                "unknown log level '" + text + "'; expected one of " + log_level_names + "\n");
        auto before = spdlog::default_logger()->level();
        spdlog::set_level(*level);
        // Logged at warn so that the change is visible unless the new level hides it.
        spdlog::warn("log level changed from {} to {} through the admin endpoint (from {})",
                     log_level_name(before), log_level_name(*level), peer);
        co_return text_response(http::status::ok, std::string(log_level_name(*level)) + "\n");
    }

    if (!read) {
        auto r = text_response(http::status::method_not_allowed, "method not allowed\n");
        r.set(http::field::allow, "GET, HEAD");
        co_return r;
    }
    if (path == "/metrics") {
        std::string body = co_await self.render_metrics();
        co_return text_response(http::status::ok, std::move(body),
                                "text/plain; version=0.0.4; charset=utf-8");
    }
    if (path == "/healthz") co_return text_response(http::status::ok, "ok\n");
    if (path == "/readyz") {
        if (b.ready.load()) co_return text_response(http::status::ok, "ready\n");
        co_return text_response(http::status::service_unavailable, "not ready\n");
    }
    co_return text_response(http::status::not_found,
                            "not found; try /metrics, /healthz, /readyz or /loglevel\n");
}

}  // namespace

awaitable<void> admin_server::serve(admin_server* self, tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    boost::system::error_code ec;
    std::string peer = "unknown";
    if (auto ep = stream.socket().remote_endpoint(ec); !ec) peer = endpoint_text(ep);
    for (int n = 0; n < max_requests_per_connection && !self->closed_; ++n) {
        http::request_parser<http::string_body> parser;
        parser.header_limit(max_header_bytes);
        parser.body_limit(max_body_bytes);
        stream.expires_after(request_timeout);
        co_await http::async_read(stream, buffer, parser,
                                  asio::redirect_error(asio::use_awaitable, ec));
        if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
            ec == asio::error::operation_aborted || ec == asio::error::connection_reset)
            break;
        response res;
        bool keep_alive = false;
        bool head = false;
        if (ec == http::error::header_limit) {
            res = text_response(http::status::request_header_fields_too_large,
                                "request header too large\n");
        } else if (ec == http::error::body_limit) {
            res = text_response(http::status::payload_too_large, "request body too large\n");
        } else if (ec) {
            res = text_response(http::status::bad_request, "bad request: " + ec.message() + "\n");
        } else {
            const request& req = parser.get();
            keep_alive = req.keep_alive();
            head = req.method() == http::verb::head;
            res = co_await handle(*self, self->b_, req, peer);
            res.version(req.version());
        }
        res.keep_alive(keep_alive);
        res.prepare_payload();
        stream.expires_after(request_timeout);
        if (head) {
            // Same header (Content-Length included), no body.
            http::response<http::empty_body> h{static_cast<http::response_header<>&>(res)};
            co_await http::async_write(stream, h, asio::redirect_error(asio::use_awaitable, ec));
        } else {
            co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
        }
        if (ec || !keep_alive) break;
    }
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream.socket().close(ec);
}

}  // namespace sluice::broker
