// OffsetDelete: removes committed offsets of a group, except for topics a
// member of the (consumer-protocol) group is subscribed to
// (GROUP_SUBSCRIBED_TO_TOPIC).
#include "broker/groups/coordinator.h"
#include "broker/handlers/handlers.h"

namespace sluice::broker {

awaitable<protocol::offset_delete_response> handle_offset_delete(
    request_context& ctx, protocol::offset_delete_request& req) {
    auto ex = co_await asio::this_coro::executor;
    protocol::offset_delete_response resp;
    if (req.group_id.empty()) {
        resp.error_code = code(error_code::invalid_group_id);
        co_return resp;
    }
    auto& b = ctx.b;
    std::vector<std::pair<std::string, int32_t>> parts;
    std::vector<protocol::offset_delete_response::topic::partition*> slots;
    for (auto& t : req.topics) {
        auto& tr = resp.topics.emplace_back();
        tr.name = t.name;
        auto topic = b.topics().find(t.name);
        for (auto& p : t.partitions) {
            auto& pr = tr.partitions.emplace_back();
            pr.partition_index = p.partition_index;
            if (!topic || p.partition_index < 0 ||
                size_t(p.partition_index) >= topic->partitions.size())
                pr.error_code = code(error_code::unknown_topic_or_partition);
        }
    }
    for (size_t i = 0; i < resp.topics.size(); ++i)
        for (auto& pr : resp.topics[i].partitions)
            if (pr.error_code == 0) {
                parts.emplace_back(resp.topics[i].name, pr.partition_index);
                slots.push_back(&pr);
            }
    error_code group_error = error_code::none;
    std::vector<error_code> errors;
    auto w = b.coordinator().delete_offsets(req.group_id, parts, ex, group_error, errors);
    if (group_error != error_code::none) {
        resp.error_code = code(group_error);
        resp.topics.clear();
        co_return resp;
    }
    error_code write_error = error_code::none;
    if (w) write_error = co_await groups::await_write(w);
    for (size_t i = 0; i < slots.size(); ++i)
        slots[i]->error_code = code(errors[i] != error_code::none ? errors[i] : write_error);
    co_return resp;
}

}  // namespace sluice::broker
