// LeaveGroup: v0-2 one member id; v3+ a batch of members (by member id and/or
// group.instance.id) with an error per member.
#include "broker/groups/coordinator.h"
#include "broker/handlers/handlers.h"

namespace sluice::broker {

awaitable<protocol::leave_group_response> handle_leave_group(request_context& ctx,
                                                             protocol::leave_group_request& req) {
    protocol::leave_group_response resp;
    const bool batched = ctx.version() >= 3;
    std::vector<std::pair<std::string, std::optional<std::string>>> members;
    if (batched) {
        for (auto& m : req.members) members.emplace_back(m.member_id, m.group_instance_id);
    } else {
        members.emplace_back(req.member_id, std::nullopt);
    }
    if (req.group_id.empty()) {
        resp.error_code = code(error_code::invalid_group_id);
        co_return resp;
    }
    error_code group_error = error_code::none;
    auto errors = ctx.b.coordinator().leave(req.group_id, members, group_error);
    if (!batched) {
        resp.error_code = code(group_error != error_code::none ? group_error : errors.at(0));
        co_return resp;
    }
    resp.error_code = code(group_error);
    if (group_error == error_code::none) {
        for (size_t i = 0; i < members.size(); ++i)
            resp.members.push_back({members[i].first, members[i].second, code(errors[i])});
    }
    co_return resp;
}

}  // namespace sluice::broker
