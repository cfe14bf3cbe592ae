#pragma once
// DescribeGroups (key 15). Member metadata and assignment are opaque bytes;
// AuthorizedOperations is INT32_MIN unless asked for (v3+).

#include "protocol/codec.h"

namespace sluice::protocol {

struct describe_groups_request {
    static constexpr int16_t api_key = 15;
    static constexpr const char* schema_name = "DescribeGroupsRequest";
    static constexpr version_range valid{0, 5};
    static constexpr int16_t flexible_from = 5;

    std::vector<std::string> groups;
    bool include_authorized_operations = false;

    template <class S, class V>
    static void fields(S& s, V& v) {
        v("Groups", s.groups, since(0));
        v("IncludeAuthorizedOperations", s.include_authorized_operations, since(3));
    }
    bool operator==(const describe_groups_request&) const = default;
};

struct describe_groups_response {
    static constexpr int16_t api_key = 15;
    static constexpr const char* schema_name = "DescribeGroupsResponse";
    static constexpr version_range valid{0, 5};
    static constexpr int16_t flexible_from = 5;

    struct group {
        struct member {
            std::string member_id;
            std::optional<std::string> group_instance_id;
            std::string client_id;
            std::string client_host;
            bytes member_metadata;
            bytes member_assignment;
            template <class S, class V>
            static void fields(S& s, V& v) {
                v("MemberId", s.member_id, since(0));
                v("GroupInstanceId", s.group_instance_id,
                  field_spec(since(4)).nullable_in(since(4)));
                v("ClientId", s.client_id, since(0));
                v("ClientHost", s.client_host, since(0));
                v("MemberMetadata", s.member_metadata, since(0));
                v("MemberAssignment", s.member_assignment, since(0));
            }
            bool operator==(const member&) const = default;
        };
        int16_t error_code = 0;
        std::string group_id;
        std::string group_state;
        std::string protocol_type;
        std::string protocol_data;
        std::vector<member> members;
        int32_t authorized_operations = INT32_MIN;
        template <class S, class V>
        static void fields(S& s, V& v) {
            v("ErrorCode", s.error_code, since(0));
            v("GroupId", s.group_id, since(0));
            v("GroupState", s.group_state, since(0));
            v("ProtocolType", s.protocol_type, since(0));
            v("ProtocolData", s.protocol_data, since(0));
            v("Members", s.members, since(0));
            v("AuthorizedOperations", s.authorized_operations, since(3));
        }
        bool operator==(const group&) const = default;
    };

    int32_t throttle_time_ms = 0;
    std::vector<group> groups;

    template <class S, class V>
    static void fields(S& s, V& v) {
        v("ThrottleTimeMs", s.throttle_time_ms, since(1));
        v("Groups", s.groups, since(0));
    }
    bool operator==(const describe_groups_response&) const = default;
};

}  // namespace sluice::protocol
