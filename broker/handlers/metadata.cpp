#include "broker/handlers/handlers.h"

#include <spdlog/spdlog.h>

namespace sluice::broker {

namespace {

protocol::metadata_response::topic describe_topic(const broker& b, const topic_info& t) {
    protocol::metadata_response::topic out;
    out.name = t.name;
    out.topic_id = t.id;
    out.is_internal = t.internal;
    int32_t node = b.settings().node_id;
    for (auto& p : t.partitions) {
        protocol::metadata_response::partition mp;
        mp.partition_index = p->tp().partition;
        mp.leader_id = node;
        mp.leader_epoch = p->leader_epoch();
        mp.replica_nodes = {node};
        mp.isr_nodes = {node};
        out.partitions.push_back(std::move(mp));
    }
    return out;
}

}  // namespace

awaitable<protocol::metadata_response> handle_metadata(request_context& ctx,
                                                       protocol::metadata_request& req) {
    auto& b = ctx.b;
    const auto& s = b.settings();
    protocol::metadata_response resp;
    const auto& adv = b.advertised(ctx.via);
    resp.brokers.push_back({s.node_id, adv.host, adv.port, std::nullopt});
    resp.cluster_id = s.cluster_id;
    resp.controller_id = s.node_id;

    bool all = !req.topics.has_value() || (ctx.version() == 0 && req.topics->empty());
    if (all) {
        // Hold the snapshot: a range-for over *snapshot() would outlive its shared_ptr.
        auto snap = b.topics().snapshot();
        for (auto& [name, t] : *snap) resp.topics.push_back(describe_topic(b, *t));
        co_return resp;
    }
    bool auto_create =
        s.auto_create_topics && (ctx.version() < 4 || req.allow_auto_topic_creation);
    for (auto& rt : *req.topics) {
        std::string name = rt.name.value_or("");
        auto t = b.topics().find(name);
        if (!t && auto_create) {
            if (auto bad = invalid_topic_name(name)) {
                protocol::metadata_response::topic e;
                e.name = name;
                e.error_code = code(error_code::invalid_topic_exception);
                resp.topics.push_back(std::move(e));
                continue;
            }
            auto r = b.topics().create(name, -1, -1, {}, false);
            if (r.error != error_code::none && r.error != error_code::topic_already_exists)
                spdlog::warn("auto-creating topic {} failed: {}", name, r.message);
            t = b.topics().find(name);
        }
        if (!t) {
            protocol::metadata_response::topic e;
            e.name = name;
            e.error_code = code(invalid_topic_name(name) ? error_code::invalid_topic_exception
                                                          : error_code::unknown_topic_or_partition);
            resp.topics.push_back(std::move(e));
            continue;
        }
        resp.topics.push_back(describe_topic(b, *t));
    }
    co_return resp;
}

}  // namespace sluice::broker
