#pragma once
// DeleteGroups (key 42).

#include "protocol/codec.h"

namespace sluice::protocol {

struct delete_groups_request {
    static constexpr int16_t api_key = 42;
    static constexpr const char* schema_name = "DeleteGroupsRequest";
    static constexpr version_range valid{0, 2};
    static constexpr int16_t flexible_from = 2;

    std::vector<std::string> groups_names;

    template <class S, class V>
    static void fields(S& s, V& v) {
        v("GroupsNames", s.groups_names, since(0));
    }
    bool operator==(const delete_groups_request&) const = default;
};

struct delete_groups_response {
    static constexpr int16_t api_key = 42;
    static constexpr const char* schema_name = "DeleteGroupsResponse";
    static constexpr version_range valid{0, 2};
    static constexpr int16_t flexible_from = 2;

    struct group_result {
        std::string group_id;
        int16_t error_code = 0;
        template <class S, class V>
        static void fields(S& s, V& v) {
            v("GroupId", s.group_id, since(0));
            v("ErrorCode", s.error_code, since(0));
        }
        bool operator==(const group_result&) const = default;
    };

    int32_t throttle_time_ms = 0;
    std::vector<group_result> results;

    template <class S, class V>
    static void fields(S& s, V& v) {
        v("ThrottleTimeMs", s.throttle_time_ms, since(0));
        v("Results", s.results, since(0));
    }
    bool operator==(const delete_groups_response&) const = default;
};

}  // namespace sluice::protocol
