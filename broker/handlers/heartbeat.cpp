// Heartbeat: keeps a member's session alive; REBALANCE_IN_PROGRESS tells it to rejoin.
#include "broker/groups/coordinator.h"
#include "broker/handlers/handlers.h"

namespace sluice::broker {

awaitable<protocol::heartbeat_response> handle_heartbeat(request_context& ctx,
                                                         protocol::heartbeat_request& req) {
    protocol::heartbeat_response resp;
    if (req.group_id.empty()) {
        resp.error_code = code(error_code::invalid_group_id);
        co_return resp;
    }
    auto instance = ctx.version() >= 3 ? req.group_instance_id : std::nullopt;
    resp.error_code = code(ctx.b.coordinator().heartbeat(req.group_id, req.member_id, instance,
                                                         req.generation_id));
    co_return resp;
}

}  // namespace sluice::broker
