#pragma once
// The HTTP admin server (admin.listeners): GET /metrics (Prometheus text format
// 0.0.4), /healthz (200 while the process serves), /readyz (200 once logs are
// recovered and the client listeners are up, else 503); anything else is 404.
//
// Plain Asio: a tcp acceptor and a minimal HTTP/1.1 request-line parser, one
// request per connection (the response carries Connection: close). Each
// connection runs on its own strand; per-partition gauges are read on the
// partition strands with run_on().

#include "broker/asio.h"
#include "config/listener.h"

#include <atomic>
#include <memory>
#include <string>
#include <vector>

namespace sluice::broker {

class broker;

class admin_server {
public:
    explicit admin_server(broker& b);

    // Binds and listens on every endpoint (port 0: any free port) and starts
    // accepting. Logs "admin listening on http://HOST:PORT" for each; on failure
    // logs the error and returns false (nothing is left listening).
    bool start(const std::vector<config::endpoint>& endpoints);
    // Stops accepting (requests in progress finish).
    void close();

    // Builds the /metrics page (broker counters + per-partition gauges).
    awaitable<std::string> render_metrics();

private:
    static awaitable<void> accept_loop(admin_server* self, std::shared_ptr<tcp::acceptor> acc);
    static awaitable<void> serve(admin_server* self, std::shared_ptr<tcp::socket> socket);

    broker& b_;
    std::vector<std::shared_ptr<tcp::acceptor>> acceptors_;
    std::atomic<bool> closed_{false};
};

}  // namespace sluice::broker
