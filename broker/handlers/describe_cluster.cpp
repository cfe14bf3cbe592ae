// DescribeCluster: this node is the whole cluster, its only broker and its
// controller. v1 may ask for the controllers' endpoints (EndpointType 2), which
// a broker does not serve: UNSUPPORTED_ENDPOINT_TYPE, as Kafka answers.
// Authorized operations: Sluice has no authorizer yet, so every client may do
// everything, and the bitfield lists every operation Kafka defines for the
// cluster resource.
#include "broker/handlers/handlers.h"

#include <spdlog/spdlog.h>

namespace sluice::broker {

namespace {

constexpr int8_t endpoint_brokers = 1;

// Kafka's AclOperation codes for the operations on a CLUSTER resource.
constexpr int32_t op_create = 5, op_alter = 7, op_describe = 8, op_cluster_action = 9,
                  op_describe_configs = 10, op_alter_configs = 11, op_idempotent_write = 12;
constexpr int32_t cluster_operations = (1 << op_create) | (1 << op_alter) | (1 << op_describe) |
                                       (1 << op_cluster_action) | (1 << op_describe_configs) |
                                       (1 << op_alter_configs) | (1 << op_idempotent_write);

}  // namespace

awaitable<protocol::describe_cluster_response> handle_describe_cluster(
    request_context& ctx, protocol::describe_cluster_request& req) {
    auto& b = ctx.b;
    const auto& s = b.settings();
    protocol::describe_cluster_response resp;
    resp.endpoint_type = endpoint_brokers;
    resp.cluster_id = s.cluster_id;
    resp.controller_id = s.node_id;
    if (ctx.version() >= 1 && req.endpoint_type != endpoint_brokers) {
        resp.error_code = code(error_code::unsupported_endpoint_type);
        resp.error_message = "The broker only handles the DescribeCluster request for brokers "
                             "(EndpointType 1), not EndpointType " +
                             std::to_string(req.endpoint_type) + ".";
        spdlog::info("DescribeCluster from {} (client '{}') rejected: {}", ctx.peer,
                     ctx.client_id(), *resp.error_message);
        co_return resp;
    }
    const auto& adv = b.advertised(ctx.via);
    resp.brokers.push_back({s.node_id, adv.host, int32_t(adv.port), std::nullopt});
    if (req.include_cluster_authorized_operations)
        resp.cluster_authorized_operations = cluster_operations;
    co_return resp;
}

}  // namespace sluice::broker
