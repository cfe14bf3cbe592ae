// JoinGroup: hands the request to the group coordinator; when the rebalance is
// still gathering members the response waits (up to the rebalance timeout plus
// a margin) for the coordinator to complete it.
#include "broker/groups/coordinator.h"
#include "broker/handlers/handlers.h"

namespace sluice::broker {

namespace {

std::string client_host_of(const std::string& peer) {
    // Kafka reports "/ip".
    auto colon = peer.rfind(':');
    std::string ip = colon == std::string::npos ? peer : peer.substr(0, colon);
    if (ip.size() > 2 && ip.front() == '[' && ip.back() == ']') ip = ip.substr(1, ip.size() - 2);
    return "/" + ip;
}

}  // namespace

awaitable<protocol::join_group_response> handle_join_group(request_context& ctx,
                                                           protocol::join_group_request& req) {
    auto ex = co_await asio::this_coro::executor;
    const int16_t v = ctx.version();
    groups::join_result r;
    if (req.group_id.empty()) {
        r.error = error_code::invalid_group_id;
        r.member_id = req.member_id;
    } else {
        groups::join_request jr;
        jr.member_id = req.member_id;
        jr.instance_id = v >= 5 ? req.group_instance_id : std::nullopt;
        jr.client_id = ctx.client_id();
        jr.client_host = client_host_of(ctx.peer);
        jr.session_timeout_ms = req.session_timeout_ms;
        jr.rebalance_timeout_ms = v >= 1 ? req.rebalance_timeout_ms : -1;
        jr.protocol_type = req.protocol_type;
        for (auto& p : req.protocols) jr.protocols.emplace_back(p.name, p.metadata);
        jr.version = v;
        auto outcome = ctx.b.coordinator().join(req.group_id, jr, ex);
        if (auto* now = std::get_if<groups::join_result>(&outcome)) {
            r = std::move(*now);
        } else {
            auto slot = std::get<std::shared_ptr<groups::join_slot>>(outcome);
            int64_t wait_ms = std::max(jr.rebalance_timeout_ms, jr.session_timeout_ms);
            wait_ms = std::max<int64_t>(wait_ms, 1000) + 10000;
            bool fired = co_await slot->done->wait(std::chrono::milliseconds(wait_ms));
            if (fired) {
                r = slot->result;
            } else {
                r.error = error_code::rebalance_in_progress;
                r.member_id = req.member_id;
            }
        }
    }
    protocol::join_group_response resp;
    resp.error_code = code(r.error);
    resp.generation_id = r.error == error_code::none ? r.generation : -1;
    resp.member_id = r.member_id;
    resp.leader = r.error == error_code::none ? r.leader : "";
    if (v >= 7) {
        if (r.error == error_code::none) {
            resp.protocol_type = r.protocol_type;
            resp.protocol_name = r.protocol_name;
        }
    } else {
        resp.protocol_name = r.error == error_code::none ? r.protocol_name.value_or("") : "";
    }
    resp.skip_assignment = r.skip_assignment;
    for (auto& m : r.members) resp.members.push_back({m.member_id, m.instance_id, m.metadata});
    co_return resp;
}

}  // namespace sluice::broker
