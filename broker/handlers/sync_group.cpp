// SyncGroup: the leader's assignments are handed out; followers wait for them.
#include "broker/groups/coordinator.h"
#include "broker/handlers/handlers.h"

namespace sluice::broker {

awaitable<protocol::sync_group_response> handle_sync_group(request_context& ctx,
                                                           protocol::sync_group_request& req) {
    auto ex = co_await asio::this_coro::executor;
    const int16_t v = ctx.version();
    groups::sync_result r;
    if (req.group_id.empty()) {
        r.error = error_code::invalid_group_id;
    } else {
        groups::sync_request sr;
        sr.member_id = req.member_id;
        sr.instance_id = v >= 3 ? req.group_instance_id : std::nullopt;
        sr.generation = req.generation_id;
        if (v >= 5) {
            sr.protocol_type = req.protocol_type;
            sr.protocol_name = req.protocol_name;
        }
        for (auto& a : req.assignments) sr.assignments.emplace_back(a.member_id, a.assignment);
        auto outcome = ctx.b.coordinator().sync(req.group_id, sr, ex);
        if (auto* now = std::get_if<groups::sync_result>(&outcome)) {
            r = std::move(*now);
        } else {
            auto slot = std::get<std::shared_ptr<groups::sync_slot>>(outcome);
            // The leader's SyncGroup or the end of its session answers it.
            bool fired = co_await slot->done->wait(std::chrono::minutes(30));
            if (fired)
                r = slot->result;
            else
                r.error = error_code::rebalance_in_progress;
        }
    }
    protocol::sync_group_response resp;
    resp.error_code = code(r.error);
    if (r.error == error_code::none) {
        resp.assignment = std::move(r.assignment);
        if (v >= 5) {
            resp.protocol_type = r.protocol_type;
            resp.protocol_name = r.protocol_name;
        }
    }
    co_return resp;
}

}  // namespace sluice::broker
