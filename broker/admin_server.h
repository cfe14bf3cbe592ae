#pragma once
// The HTTP admin server (admin.listeners), Boost.Beast over the broker's
// io_context:
//   GET /metrics    Prometheus text format 0.0.4 (broker counters, per-partition
//                   gauges, consumer-group committed offsets and lag)
//   GET /healthz    200 while the process serves
//   GET /readyz     200 once logs are recovered and the client listeners are up, else 503
//   GET /loglevel   the current log level
//   PUT|POST /loglevel   set it: body "debug", form body "level=debug" or ?level=debug
//                   (not persisted; log.level applies again at the next start)
// Anything else is 404 (405 for a method a path does not take). HTTP/1.1
// keep-alive, header and body size limits, a 10 s timeout per request. Each
// connection runs on its own strand; per-partition gauges are read on the
// partition strands with run_on(). Bind it to loopback (the default) or a
// management network: it has no authentication.

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
    static awaitable<void> serve(admin_server* self, tcp::socket socket);

    broker& b_;
    std::vector<std::shared_ptr<tcp::acceptor>> acceptors_;
    std::atomic<bool> closed_{false};
};

}  // namespace sluice::broker
