#pragma once
// The request-handler registry. Each API is one file in handlers/ that declares
// its request/response types and version range; ApiVersions is built from this
// table, so what is advertised is exactly what is implemented.
//
// Ordering contract: a connection starts its handlers in request order on the
// connection's strand, and a handler runs synchronously until its first
// co_await. Handlers that must keep per-connection order on partitions (Produce)
// post their partition work before that first suspension.

#include "broker/asio.h"
#include "protocol/codec.h"
#include "protocol/header.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sluice::broker {

class broker;

struct request_context {
    broker& b;
    protocol::request_header header;
    protocol::byte_view body;                    // the request body, after the header
    std::shared_ptr<std::vector<uint8_t>> frame;  // owns the bytes `body` points into
    std::string peer;                            // "ip:port" of the client
    bool plaintext = true;                       // sendfile allowed
    const struct listener* via = nullptr;        // the listener the client connected to
    std::string principal = "User:ANONYMOUS";    // after SASL: "User:<name>"
    int16_t version() const { return header.api_version; }
    std::string client_id() const { return header.client_id.value_or(""); }
};

// nullopt: no response is sent (Produce with acks=0).
using handler_result = std::optional<protocol::writer>;
using handler_fn = awaitable<handler_result> (*)(request_context&);

struct api_handler {
    int16_t key;
    const char* name;
    protocol::version_range versions;
    int16_t flexible_from;
    handler_fn fn;
};

const std::vector<api_handler>& api_handlers();
const api_handler* find_handler(int16_t key);

// Adapts a typed handler `awaitable<Resp> fn(request_context&, Req&)` (or one
// returning awaitable<std::optional<Resp>>) to the registry's signature.
template <class Req, auto Fn>
awaitable<handler_result> typed_handler(request_context& ctx) {
    protocol::reader r(ctx.body);
    Req req = protocol::decode<Req>(r, ctx.version());
    auto resp = co_await Fn(ctx, req);
    protocol::writer w;
    if constexpr (requires { resp.has_value(); *resp; }) {
        if (!resp) co_return std::nullopt;
        protocol::encode(w, *resp, ctx.version());
    } else {
        protocol::encode(w, resp, ctx.version());
    }
    co_return w;
}

template <class Req, class Resp, auto Fn>
constexpr api_handler make_handler(const char* name) {
    static_assert(Req::api_key == Resp::api_key);
    static_assert(Req::valid == Resp::valid);
    static_assert(Req::flexible_from == Resp::flexible_from);
    return api_handler{Req::api_key, name, Req::valid, Req::flexible_from,
                       &typed_handler<Req, Fn>};
}

}  // namespace sluice::broker
