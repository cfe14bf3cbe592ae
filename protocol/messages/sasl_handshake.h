#pragma once
// SaslHandshake (key 17). Never flexible. After a v0 handshake the client sends
// raw SASL tokens (length-prefixed, no Kafka header); after v1 it uses
// SaslAuthenticate.

#include "protocol/messages/common.h"

namespace sluice::protocol {

struct sasl_handshake_request {
    static constexpr int16_t api_key = 17;
    static constexpr const char* schema_name = "SaslHandshakeRequest";
    static constexpr version_range valid{0, 1};
    static constexpr int16_t flexible_from = never_flexible;

    std::string mechanism;

    template <class S, class V>
    static void fields(S& s, V& v) {
        v("Mechanism", s.mechanism, since(0));
    }
    bool operator==(const sasl_handshake_request&) const = default;
};

struct sasl_handshake_response {
    static constexpr int16_t api_key = 17;
    static constexpr const char* schema_name = "SaslHandshakeResponse";
    static constexpr version_range valid{0, 1};
    static constexpr int16_t flexible_from = never_flexible;

    int16_t error_code = 0;
    std::vector<std::string> mechanisms;

    template <class S, class V>
    static void fields(S& s, V& v) {
        v("ErrorCode", s.error_code, since(0));
        v("Mechanisms", s.mechanisms, since(0));
    }
    bool operator==(const sasl_handshake_response&) const = default;
};

}  // namespace sluice::protocol
