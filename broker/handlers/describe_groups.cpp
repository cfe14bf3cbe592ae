// DescribeGroups: state, protocol and members. As Kafka, member metadata and
// assignments are included only when the group is Stable; an unknown group is
// reported as Dead with no error.
#include "broker/groups/coordinator.h"
#include "broker/handlers/handlers.h"

namespace sluice::broker {

awaitable<protocol::describe_groups_response> handle_describe_groups(
    request_context& ctx, protocol::describe_groups_request& req) {
    protocol::describe_groups_response resp;
    for (auto& id : req.groups) {
        auto& gr = resp.groups.emplace_back();
        gr.group_id = id;
        if (id.empty()) {
            gr.error_code = code(error_code::invalid_group_id);
            gr.group_state = "Dead";
            continue;
        }
        auto d = ctx.b.coordinator().describe(id);
        gr.error_code = code(d.error);
        gr.group_state = groups::state_name(d.state);
        gr.protocol_type = d.protocol_type;
        gr.protocol_data = d.protocol_name;
        bool stable = d.state == groups::group_state::stable;
        for (auto& m : d.members) {
            auto& mr = gr.members.emplace_back();
            mr.member_id = m.member_id;
            mr.group_instance_id = m.instance_id;
            mr.client_id = m.client_id;
            mr.client_host = m.client_host;
            if (stable) {
                if (auto* md = m.metadata_for(d.protocol_name)) mr.member_metadata = *md;
                mr.member_assignment = m.assignment;
            }
        }
        if (req.include_authorized_operations) gr.authorized_operations = INT32_MIN;
    }
    co_return resp;
}

}  // namespace sluice::broker
