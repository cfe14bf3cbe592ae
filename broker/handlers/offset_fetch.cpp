// OffsetFetch: v0-7 one group, v8 several. Null topics (v2+) = every committed
// offset of the group. A partition without a committed offset gets -1 and no
// error; an unknown group is not an error either.
#include "broker/groups/coordinator.h"
#include "broker/handlers/handlers.h"

namespace sluice::broker {

namespace {

template <class Partition>
void fill(Partition& out, const groups::offset_map& offsets, const std::string& topic,
          int32_t index) {
    out.partition_index = index;
    auto it = offsets.find({topic, index});
    if (it == offsets.end()) {
        out.committed_offset = -1;
        out.committed_leader_epoch = -1;
        out.metadata = "";
    } else {
        out.committed_offset = it->second.offset;
        out.committed_leader_epoch = it->second.leader_epoch;
        out.metadata = it->second.metadata;
    }
    out.error_code = 0;
}

// Builds the topics list of one group's answer.
template <class Topic, class ReqTopics>
std::vector<Topic> answer(const groups::offset_map& offsets, const ReqTopics& topics) {
    std::vector<Topic> out;
    if (!topics) {
        for (auto& [tp, val] : offsets) {
            if (out.empty() || out.back().name != tp.first) out.emplace_back().name = tp.first;
            fill(out.back().partitions.emplace_back(), offsets, tp.first, tp.second);
        }
        return out;
    }
    for (auto& t : *topics) {
        auto& tr = out.emplace_back();
        tr.name = t.name;
        for (auto idx : t.partition_indexes) fill(tr.partitions.emplace_back(), offsets, t.name, idx);
    }
    return out;
}

}  // namespace

awaitable<protocol::offset_fetch_response> handle_offset_fetch(
    request_context& ctx, protocol::offset_fetch_request& req) {
    auto& coord = ctx.b.coordinator();
    protocol::offset_fetch_response resp;
    if (ctx.version() >= 8) {
        for (auto& g : req.groups) {
            auto& gr = resp.groups.emplace_back();
            gr.group_id = g.group_id;
            if (g.group_id.empty()) {
                gr.error_code = code(error_code::invalid_group_id);
                continue;
            }
            auto offsets = coord.offsets(g.group_id);
            gr.topics = answer<protocol::offset_fetch_response::group::topic>(offsets, g.topics);
        }
        co_return resp;
    }
    if (req.group_id.empty()) {
        resp.error_code = code(error_code::invalid_group_id);
        co_return resp;
    }
    auto offsets = coord.offsets(req.group_id);
    resp.topics = answer<protocol::offset_fetch_response::topic>(offsets, req.topics);
    co_return resp;
}

}  // namespace sluice::broker
