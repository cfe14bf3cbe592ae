#pragma once
// ListGroups (key 16). v4+ can filter by group state.

#include "protocol/codec.h"

namespace sluice::protocol {

struct list_groups_request {
    static constexpr int16_t api_key = 16;
    static constexpr const char* schema_name = "ListGroupsRequest";
    static constexpr version_range valid{0, 4};
    static constexpr int16_t flexible_from = 3;

    std::vector<std::string> states_filter;

    template <class S, class V>
    static void fields(S& s, V& v) {
        v("StatesFilter", s.states_filter, since(4));
    }
    bool operator==(const list_groups_request&) const = default;
};

struct list_groups_response {
    static constexpr int16_t api_key = 16;
    static constexpr const char* schema_name = "ListGroupsResponse";
    static constexpr version_range valid{0, 4};
    static constexpr int16_t flexible_from = 3;

    struct group {
        std::string group_id;
        std::string protocol_type;
        std::string group_state;
        template <class S, class V>
        static void fields(S& s, V& v) {
            v("GroupId", s.group_id, since(0));
            v("ProtocolType", s.protocol_type, since(0));
            v("GroupState", s.group_state, since(4));
        }
        bool operator==(const group&) const = default;
    };

    int32_t throttle_time_ms = 0;
    int16_t error_code = 0;
    std::vector<group> groups;

    template <class S, class V>
    static void fields(S& s, V& v) {
        v("ThrottleTimeMs", s.throttle_time_ms, since(1));
        v("ErrorCode", s.error_code, since(0));
        v("Groups", s.groups, since(0));
    }
    bool operator==(const list_groups_response&) const = default;
};

}  // namespace sluice::protocol
