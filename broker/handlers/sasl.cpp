// SaslHandshake (17) and SaslAuthenticate (36) as registered handlers. The
// authentication exchange itself happens in the connection (connection.cpp),
// before any request reaches a handler; a handler here only runs for a request
// that comes when there is nothing to authenticate: on a listener without SASL,
// or on a connection that has already authenticated. Both are
// ILLEGAL_SASL_STATE, as with Kafka.
#include "broker/handlers/handlers.h"

namespace sluice::broker {

awaitable<protocol::sasl_handshake_response> handle_sasl_handshake(
    request_context& ctx, protocol::sasl_handshake_request&) {
    protocol::sasl_handshake_response resp;
    resp.error_code = code(error_code::illegal_sasl_state);
    if (ctx.via && ctx.via->sasl()) resp.mechanisms = ctx.b.settings().sasl_mechanisms;
    co_return resp;
}

awaitable<protocol::sasl_authenticate_response> handle_sasl_authenticate(
    request_context& ctx, protocol::sasl_authenticate_request&) {
    protocol::sasl_authenticate_response resp;
    resp.error_code = code(error_code::illegal_sasl_state);
    resp.error_message =
        ctx.via && ctx.via->sasl()
            ? "this connection has already authenticated"
            : "listener " + (ctx.via ? ctx.via->name : std::string("?")) + " does not use SASL";
    co_return resp;
}

}  // namespace sluice::broker
