// InitProducerId (key 22) for idempotent producers: a new producer id with epoch
// 0 on every call, as Kafka does when TransactionalId is null (the v3+
// ProducerId/ProducerEpoch fields only matter to the transaction coordinator).
// A transactional id is answered COORDINATOR_NOT_AVAILABLE: transactions are
// not implemented yet, and FindCoordinator for transactions answers the same.
#include "broker/handlers/handlers.h"

#include <spdlog/spdlog.h>

namespace sluice::broker {

awaitable<protocol::init_producer_id_response> handle_init_producer_id(
    request_context& ctx, protocol::init_producer_id_request& req) {
    protocol::init_producer_id_response resp;
    if (req.transactional_id) {
        spdlog::warn(
            "InitProducerId from {} (client '{}') for transactional id '{}': "
            "transactions are not supported yet",
            ctx.peer, ctx.client_id(), *req.transactional_id);
        resp.error_code = code(error_code::coordinator_not_available);
        resp.producer_id = -1;
        resp.producer_epoch = -1;
        co_return resp;
    }
    try {
        resp.producer_id = ctx.b.producer_ids().next();
        resp.producer_epoch = 0;
    } catch (const std::exception& e) {
        spdlog::error("cannot allocate a producer id for {} (client '{}'): {}", ctx.peer,
                      ctx.client_id(), e.what());
        resp.error_code = code(error_code::kafka_storage_error);
        resp.producer_id = -1;
        resp.producer_epoch = -1;
    }
    co_return resp;
}

}  // namespace sluice::broker
