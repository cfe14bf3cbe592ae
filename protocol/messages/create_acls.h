#pragma once
// CreateAcls (key 30). ResourcePatternType (v1+) defaults to 3 = LITERAL.

#include "protocol/codec.h"

namespace sluice::protocol {

struct create_acls_request {
    static constexpr int16_t api_key = 30;
    static constexpr const char* schema_name = "CreateAclsRequest";
    static constexpr version_range valid{0, 1};
    static constexpr int16_t flexible_from = 2;

    struct creation {
        int8_t resource_type = 0;
        std::string resource_name;
        int8_t resource_pattern_type = 3;
        std::string principal;
        std::string host;
        int8_t operation = 0;
        int8_t permission_type = 0;
        template <class S, class V>
        static void fields(S& s, V& v) {
            v("ResourceType", s.resource_type, since(0));
            v("ResourceName", s.resource_name, since(0));
            v("ResourcePatternType", s.resource_pattern_type, since(1));
            v("Principal", s.principal, since(0));
            v("Host", s.host, since(0));
            v("Operation", s.operation, since(0));
            v("PermissionType", s.permission_type, since(0));
        }
        bool operator==(const creation&) const = default;
    };

    std::vector<creation> creations;

    template <class S, class V>
    static void fields(S& s, V& v) {
        v("Creations", s.creations, since(0));
    }
    bool operator==(const create_acls_request&) const = default;
};

struct create_acls_response {
    static constexpr int16_t api_key = 30;
    static constexpr const char* schema_name = "CreateAclsResponse";
    static constexpr version_range valid{0, 1};
    static constexpr int16_t flexible_from = 2;

    struct creation_result {
        int16_t error_code = 0;
        std::optional<std::string> error_message;
        template <class S, class V>
        static void fields(S& s, V& v) {
            v("ErrorCode", s.error_code, since(0));
            v("ErrorMessage", s.error_message, field_spec(since(0)).nullable_in(since(0)));
        }
        bool operator==(const creation_result&) const = default;
    };

    int32_t throttle_time_ms = 0;
    std::vector<creation_result> results;

    template <class S, class V>
    static void fields(S& s, V& v) {
        v("ThrottleTimeMs", s.throttle_time_ms, since(0));
        v("Results", s.results, since(0));
    }
    bool operator==(const create_acls_response&) const = default;
};

}  // namespace sluice::protocol
