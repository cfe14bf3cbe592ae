#pragma once
// DeleteAcls (key 31). PatternTypeFilter (v1+) defaults to 3 = LITERAL.

#include "protocol/codec.h"

namespace sluice::protocol {

struct delete_acls_request {
    static constexpr int16_t api_key = 31;
    static constexpr const char* schema_name = "DeleteAclsRequest";
    static constexpr version_range valid{0, 1};
    static constexpr int16_t flexible_from = 2;

    struct filter {
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
            v("ResourceNameFilter", s.resource_name_filter,
              field_spec(since(0)).nullable_in(since(0)));
            v("PatternTypeFilter", s.pattern_type_filter, since(1));
            v("PrincipalFilter", s.principal_filter, field_spec(since(0)).nullable_in(since(0)));
            v("HostFilter", s.host_filter, field_spec(since(0)).nullable_in(since(0)));
            v("Operation", s.operation, since(0));
            v("PermissionType", s.permission_type, since(0));
        }
        bool operator==(const filter&) const = default;
    };

    std::vector<filter> filters;

    template <class S, class V>
    static void fields(S& s, V& v) {
        v("Filters", s.filters, since(0));
    }
    bool operator==(const delete_acls_request&) const = default;
};

struct delete_acls_response {
    static constexpr int16_t api_key = 31;
    static constexpr const char* schema_name = "DeleteAclsResponse";
    static constexpr version_range valid{0, 1};
    static constexpr int16_t flexible_from = 2;

    struct filter_result {
        struct matching_acl {
            int16_t error_code = 0;
            std::optional<std::string> error_message;
            int8_t resource_type = 0;
            std::string resource_name;
            int8_t pattern_type = 3;
            std::string principal;
            std::string host;
            int8_t operation = 0;
            int8_t permission_type = 0;
            template <class S, class V>
            static void fields(S& s, V& v) {
                v("ErrorCode", s.error_code, since(0));
                v("ErrorMessage", s.error_message, field_spec(since(0)).nullable_in(since(0)));
                v("ResourceType", s.resource_type, since(0));
                v("ResourceName", s.resource_name, since(0));
                v("PatternType", s.pattern_type, since(1));
                v("Principal", s.principal, since(0));
                v("Host", s.host, since(0));
                v("Operation", s.operation, since(0));
                v("PermissionType", s.permission_type, since(0));
            }
            bool operator==(const matching_acl&) const = default;
        };
        int16_t error_code = 0;
        std::optional<std::string> error_message;
        std::vector<matching_acl> matching_acls;
        template <class S, class V>
        static void fields(S& s, V& v) {
            v("ErrorCode", s.error_code, since(0));
            v("ErrorMessage", s.error_message, field_spec(since(0)).nullable_in(since(0)));
            v("MatchingAcls", s.matching_acls, since(0));
        }
        bool operator==(const filter_result&) const = default;
    };

    int32_t throttle_time_ms = 0;
    std::vector<filter_result> filter_results;

    template <class S, class V>
    static void fields(S& s, V& v) {
        v("ThrottleTimeMs", s.throttle_time_ms, since(0));
        v("FilterResults", s.filter_results, since(0));
    }
    bool operator==(const delete_acls_response&) const = default;
};

}  // namespace sluice::protocol
