#include "broker/handlers/handlers.h"

namespace sluice::broker {

awaitable<protocol::api_versions_response> handle_api_versions(
    request_context& ctx, protocol::api_versions_request& req) {
    protocol::api_versions_response resp;
    for (auto& h : api_handlers())
        resp.api_keys.push_back({h.key, h.versions.min, h.versions.max});
    co_return resp;
}

}  // namespace sluice::broker
