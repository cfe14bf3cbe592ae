// DeleteGroups: only groups without members (NON_EMPTY_GROUP otherwise);
// writes tombstones for the group's offsets and metadata.
#include "broker/groups/coordinator.h"
#include "broker/handlers/handlers.h"

namespace sluice::broker {

awaitable<protocol::delete_groups_response> handle_delete_groups(
    request_context& ctx, protocol::delete_groups_request& req) {
    auto ex = co_await asio::this_coro::executor;
    protocol::delete_groups_response resp;
    for (auto& id : req.groups_names) {
        auto& r = resp.results.emplace_back();
        r.group_id = id;
        if (id.empty()) {
            r.error_code = code(error_code::invalid_group_id);
            continue;
        }
        error_code err = error_code::none;
        auto w = ctx.b.coordinator().remove_group(id, ex, err);
        if (err == error_code::none && w) err = co_await groups::await_write(w);
        r.error_code = code(err);
    }
    co_return resp;
}

}  // namespace sluice::broker
