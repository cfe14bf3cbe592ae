// FindCoordinator: this node coordinates every group (single node). v4 batches
// keys. Transaction coordinators (key type 1) are not implemented yet: answered
// with COORDINATOR_NOT_AVAILABLE.
#include "broker/handlers/handlers.h"

namespace sluice::broker {

awaitable<protocol::find_coordinator_response> handle_find_coordinator(
    request_context& ctx, protocol::find_coordinator_request& req) {
    auto& b = ctx.b;
    const auto& adv = b.advertised(ctx.via);
    protocol::find_coordinator_response resp;
    auto answer = [&](protocol::find_coordinator_response::coordinator& c) {
        if (req.key_type == 0) {
            c.node_id = b.settings().node_id;
            c.host = adv.host;
            c.port = adv.port;
            c.error_code = code(error_code::none);
        } else {
            c.node_id = -1;
            c.port = -1;
            c.error_code = code(req.key_type == 1 ? error_code::coordinator_not_available
                                                  : error_code::invalid_request);
            c.error_message = req.key_type == 1 ? "transaction coordinator not available"
                                                : "unknown key type";
        }
    };
    if (ctx.version() >= 4) {
        for (auto& key : req.coordinator_keys) {
            auto& c = resp.coordinators.emplace_back();
            c.key = key;
            answer(c);
        }
    } else {
        protocol::find_coordinator_response::coordinator c;
        c.key = req.key;
        answer(c);
        resp.error_code = c.error_code;
        if (ctx.version() >= 1) resp.error_message = c.error_message;
        resp.node_id = c.node_id;
        resp.host = c.host;
        resp.port = c.port;
    }
    co_return resp;
}

}  // namespace sluice::broker
