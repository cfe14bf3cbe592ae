#pragma once
// DescribeAcls (key 29). PatternTypeFilter (v1+) defaults to 3 = LITERAL.

#include "protocol/codec.h"

namespace sluice::protocol {

struct describe_acls_request {
    static constexpr int16_t api_key = 29;
    static constexpr const char* schema_name = "DescribeAclsRequest";
    static constexpr version_range valid{0, 1};
    static constexpr int16_t flexible_from = 2;

    int8_t resource_type_filter = 0;
    std::optional<std::string> resource_name_filter;
    int8_t pattern_type_filter = 3;
    std::optional<std::string> principal_filter;
    std::optional<std::string> host_filter;
    int8_t operation = 0;
    int8_t permission_type = 0;

    template <class S, class V>
    static void fields(S& s, V& v) {
        v("ResourceTypeFilter", s.resource_type_filter, since(0));
        v("ResourceNameFilter", s.resource_name_filter, field_spec(since(0)).nullable_in(since(0)));
        v("PatternTypeFilter", s.pattern_type_filter, since(1));
        v("PrincipalFilter", s.principal_filter, field_spec(since(0)).nullable_in(since(0)));
        v("HostFilter", s.host_filter, field_spec(since(0)).nullable_in(since(0)));
        v("Operation", s.operation, since(0));
        v("PermissionType", s.permission_type, since(0));
    }
    bool operator==(const describe_acls_request&) const = default;
};

struct describe_acls_response {
    static constexpr int16_t api_key = 29;
    static constexpr const char* schema_name = "DescribeAclsResponse";
    static constexpr version_range valid{0, 1};
    static constexpr int16_t flexible_from = 2;

    struct resource {
        struct acl {
            std::string principal;
            std::string host;
            int8_t operation = 0;
            int8_t permission_type = 0;
            template <class S, class V>
            static void fields(S& s, V& v) {
                v("Principal", s.principal, since(0));
                v("Host", s.host, since(0));
                v("Operation", s.operation, since(0));
                v("PermissionType", s.permission_type, since(0));
            }
            bool operator==(const acl&) const = default;
        };
        int8_t resource_type = 0;
        std::string resource_name;
        int8_t pattern_type = 3;
        std::vector<acl> acls;
        template <class S, class V>
        static void fields(S& s, V& v) {
            v("ResourceType", s.resource_type, since(0));
            v("ResourceName", s.resource_name, since(0));
            v("PatternType", s.pattern_type, since(1));
            v("Acls", s.acls, since(0));
        }
        bool operator==(const resource&) const = default;
    };

    int32_t throttle_time_ms = 0;
    int16_t error_code = 0;
    std::optional<std::string> error_message;
    std::vector<resource> resources;

    template <class S, class V>
    static void fields(S& s, V& v) {
        v("ThrottleTimeMs", s.throttle_time_ms, since(0));
        v("ErrorCode", s.error_code, since(0));
        v("ErrorMessage", s.error_message, field_spec(since(0)).nullable_in(since(0)));
        v("Resources", s.resources, since(0));
    }
    bool operator==(const describe_acls_response&) const = default;
};

}  // namespace sluice::protocol
