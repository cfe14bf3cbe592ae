#pragma once
// SaslAuthenticate (key 36). AuthBytes carry the mechanism's tokens;
// SessionLifetimeMs (v1+, KIP-368) is how long the session may live before the
// client must re-authenticate; 0 = no expiry.

#include "protocol/codec.h"

namespace sluice::protocol {

struct sasl_authenticate_request {
    static constexpr int16_t api_key = 36;
    static constexpr const char* schema_name = "SaslAuthenticateRequest";
    static constexpr version_range valid{0, 2};
    static constexpr int16_t flexible_from = 2;

    bytes auth_bytes;

    template <class S, class V>
    static void fields(S& s, V& v) {
        v("AuthBytes", s.auth_bytes, since(0));
    }
    bool operator==(const sasl_authenticate_request&) const = default;
};

struct sasl_authenticate_response {
    static constexpr int16_t api_key = 36;
    static constexpr const char* schema_name = "SaslAuthenticateResponse";
    static constexpr version_range valid{0, 2};
    static constexpr int16_t flexible_from = 2;

    int16_t error_code = 0;
    std::optional<std::string> error_message;
    bytes auth_bytes;
    int64_t session_lifetime_ms = 0;

    template <class S, class V>
    static void fields(S& s, V& v) {
        v("ErrorCode", s.error_code, since(0));
        v("ErrorMessage", s.error_message, field_spec(since(0)).nullable_in(since(0)));
        v("AuthBytes", s.auth_bytes, since(0));
        v("SessionLifetimeMs", s.session_lifetime_ms, since(1));
    }
    bool operator==(const sasl_authenticate_response&) const = default;
};

}  // namespace sluice::protocol
