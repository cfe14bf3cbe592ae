// ListGroups: every group this node coordinates; v4 filters by state
// (case-insensitive, as Kafka).
#include "broker/groups/coordinator.h"
#include "broker/handlers/handlers.h"

#include <algorithm>
#include <cctype>

namespace sluice::broker {

namespace {
std::string lower(std::string s) {
    for (auto& c : s) c = char(std::tolower(uint8_t(c)));
    return s;
}
}  // namespace

awaitable<protocol::list_groups_response> handle_list_groups(request_context& ctx,
                                                             protocol::list_groups_request& req) {
    protocol::list_groups_response resp;
    std::vector<std::string> filter;
    for (auto& s : req.states_filter) filter.push_back(lower(s));
    for (auto& g : ctx.b.coordinator().list()) {
        std::string state = groups::state_name(g.state);
        if (!filter.empty() &&
            std::find(filter.begin(), filter.end(), lower(state)) == filter.end())
            continue;
        resp.groups.push_back({g.group_id, g.protocol_type, state});
    }
    co_return resp;
}

}  // namespace sluice::broker
