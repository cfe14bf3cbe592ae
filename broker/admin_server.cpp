#include "broker/admin_server.h"

#include "broker/broker.h"
#include "broker/metrics.h"
#include "broker/partition.h"

#include <boost/asio/read_until.hpp>
#include <spdlog/spdlog.h>

namespace sluice::broker {

namespace {

constexpr size_t max_request_bytes = 8192;
constexpr auto request_timeout = std::chrono::seconds(10);

struct partition_gauges {
    bool open = false;
    int64_t log_end_offset = 0;
    int64_t high_watermark = 0;
    uint64_t size_bytes = 0;
};

std::string http_response(int status, const char* reason, const char* content_type,
                          const std::string& body, bool head_only) {
    std::string out = "HTTP/1.1 " + std::to_string(status) + " " + reason + "\r\n";
    out += "Content-Type: ";
    out += content_type;
    out += "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
    out += "Connection: close\r\n\r\n";
    if (!head_only) out += body;
    return out;
}

std::string endpoint_text(const tcp::endpoint& ep) {
    auto addr = ep.address();
    std::string host = addr.is_v6() ? "[" + addr.to_string() + "]" : addr.to_string();
    return host + ":" + std::to_string(ep.port());
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
        auto socket = std::make_shared<tcp::socket>(asio::make_strand(self->b_.io()));
        boost::system::error_code ec;
        co_await acc->async_accept(*socket, asio::redirect_error(asio::use_awaitable, ec));
        if (ec) {
            if (self->closed_ || ec == asio::error::operation_aborted) break;
            spdlog::warn("admin accept failed: {}", ec.message());
            continue;
        }
        asio::co_spawn(socket->get_executor(), serve(self, socket), asio::detached);
    }
}

awaitable<std::string> admin_server::render_metrics() {
    std::string out = b_.metrics().render(b_.connections.load());
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
    out += "# HELP sluice_partitions Partitions hosted by this broker.\n"
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
            out += std::string(families[f].name) + "{topic=\"" +
                   prometheus_escape(p->tp().topic) + "\",partition=\"" +
                   std::to_string(p->tp().partition) + "\"} " + value + "\n";
        }
    }
    co_return out;
}

awaitable<void> admin_server::serve(admin_server* self, std::shared_ptr<tcp::socket> socket) {
    asio::steady_timer timer(socket->get_executor());
    timer.expires_after(request_timeout);
    auto on_timeout = [socket](const boost::system::error_code& ec) {
        if (ec) return;
        boost::system::error_code ignored;
        socket->close(ignored);
    };
    timer.async_wait(on_timeout);

    std::string request;
    auto buffer = asio::dynamic_buffer(request, max_request_bytes);
    boost::system::error_code ec;
    co_await asio::async_read_until(*socket, buffer, "\r\n\r\n",
                                    asio::redirect_error(asio::use_awaitable, ec));
    std::string response;
    if (ec == asio::error::not_found) {
        response = http_response(431, "Request Header Fields Too Large", "text/plain",
                                 "request too large\n", false);
    } else if (ec) {
        timer.cancel();
        co_return;
    } else {
        std::string line = request.substr(0, request.find("\r\n"));
        auto sp1 = line.find(' ');
        auto sp2 = sp1 == std::string::npos ? sp1 : line.find(' ', sp1 + 1);
        if (sp2 == std::string::npos || line.compare(sp2 + 1, 5, "HTTP/") != 0) {
            response = http_response(400, "Bad Request", "text/plain", "bad request\n", false);
        } else {
            std::string method = line.substr(0, sp1);
            std::string target = line.substr(sp1 + 1, sp2 - sp1 - 1);
            std::string path = target.substr(0, target.find('?'));
            bool head = method == "HEAD";
            if (method != "GET" && !head) {
                response = http_response(405, "Method Not Allowed", "text/plain",
                                         "method not allowed\n", false);
            } else if (path == "/metrics") {
                std::string body = co_await self->render_metrics();
                response = http_response(200, "OK", "text/plain; version=0.0.4; charset=utf-8",
                                         body, head);
            } else if (path == "/healthz") {
                response = http_response(200, "OK", "text/plain", "ok\n", head);
            } else if (path == "/readyz") {
                if (self->b_.ready.load())
                    response = http_response(200, "OK", "text/plain", "ready\n", head);
                else
                    response = http_response(503, "Service Unavailable", "text/plain",
                                             "not ready\n", head);
            } else {
                response = http_response(404, "Not Found", "text/plain", "not found\n", head);
            }
        }
    }
    co_await asio::async_write(*socket, asio::buffer(response),
                               asio::redirect_error(asio::use_awaitable, ec));
    socket->shutdown(tcp::socket::shutdown_both, ec);
    socket->close(ec);
    timer.cancel();
}

}  // namespace sluice::broker
