#pragma once
// FindCoordinator (key 10). KeyType 0 = group, 1 = transaction (v1+). v0-3 look
// up one Key; v4 batches CoordinatorKeys and answers per key in Coordinators.

#include "protocol/codec.h"

namespace sluice::protocol {

struct find_coordinator_request {
    static constexpr int16_t api_key = 10;
    static constexpr const char* schema_name = "FindCoordinatorRequest";
    static constexpr version_range valid{0, 4};
    static constexpr int16_t flexible_from = 3;

    std::string key;
    int8_t key_type = 0;
    std::vector<std::string> coordinator_keys;

    template <class S, class V>
    static void fields(S& s, V& v) {
        v("Key", s.key, between(0, 3));
        v("KeyType", s.key_type, since(1));
        v("CoordinatorKeys", s.coordinator_keys, since(4));
    }
    bool operator==(const find_coordinator_request&) const = default;
};

struct find_coordinator_response {
    static constexpr int16_t api_key = 10;
    static constexpr const char* schema_name = "FindCoordinatorResponse";
    static constexpr version_range valid{0, 4};
    static constexpr int16_t flexible_from = 3;

    struct coordinator {
        std::string key;
        int32_t node_id = 0;
        std::string host;
        int32_t port = 0;
        int16_t error_code = 0;
        std::optional<std::string> error_message;
        template <class S, class V>
        static void fields(S& s, V& v) {
            v("Key", s.key, since(4));
            v("NodeId", s.node_id, since(4));
            v("Host", s.host, since(4));
            v("Port", s.port, since(4));
            v("ErrorCode", s.error_code, since(4));
            v("ErrorMessage", s.error_message, field_spec(since(4)).nullable_in(since(4)));
        }
        bool operator==(const coordinator&) const = default;
    };

    int32_t throttle_time_ms = 0;
    int16_t error_code = 0;
    std::optional<std::string> error_message;
    int32_t node_id = 0;
    std::string host;
    int32_t port = 0;
    std::vector<coordinator> coordinators;

    template <class S, class V>
    static void fields(S& s, V& v) {
        v("ThrottleTimeMs", s.throttle_time_ms, since(1));
        v("ErrorCode", s.error_code, between(0, 3));
        v("ErrorMessage", s.error_message, field_spec(between(1, 3)).nullable_in(between(1, 3)));
        v("NodeId", s.node_id, between(0, 3));
        v("Host", s.host, between(0, 3));
        v("Port", s.port, between(0, 3));
        v("Coordinators", s.coordinators, since(4));
    }
    bool operator==(const find_coordinator_response&) const = default;
};

}  // namespace sluice::protocol
