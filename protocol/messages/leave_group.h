#pragma once
// LeaveGroup (key 13). v0-2 name one MemberId; v3+ batch Members (with optional
// GroupInstanceId for static members) and answer per member.

#include "protocol/codec.h"

namespace sluice::protocol {

struct leave_group_request {
    static constexpr int16_t api_key = 13;
    static constexpr const char* schema_name = "LeaveGroupRequest";
    static constexpr version_range valid{0, 5};
    static constexpr int16_t flexible_from = 4;

    struct member {
        std::string member_id;
        std::optional<std::string> group_instance_id;
        std::optional<std::string> reason;
        template <class S, class V>
        static void fields(S& s, V& v) {
            v("MemberId", s.member_id, since(3));
            v("GroupInstanceId", s.group_instance_id, field_spec(since(3)).nullable_in(since(3)));
            v("Reason", s.reason, field_spec(since(5)).nullable_in(since(5)));
        }
        bool operator==(const member&) const = default;
    };

    std::string group_id;
    std::string member_id;
    std::vector<member> members;

    template <class S, class V>
    static void fields(S& s, V& v) {
        v("GroupId", s.group_id, since(0));
        v("MemberId", s.member_id, between(0, 2));
        v("Members", s.members, since(3));
    }
    bool operator==(const leave_group_request&) const = default;
};

struct leave_group_response {
    static constexpr int16_t api_key = 13;
    static constexpr const char* schema_name = "LeaveGroupResponse";
    static constexpr version_range valid{0, 5};
    static constexpr int16_t flexible_from = 4;

    struct member_response {
        std::string member_id;
        std::optional<std::string> group_instance_id;
        int16_t error_code = 0;
        template <class S, class V>
        static void fields(S& s, V& v) {
            v("MemberId", s.member_id, since(3));
            v("GroupInstanceId", s.group_instance_id, field_spec(since(3)).nullable_in(since(3)));
            v("ErrorCode", s.error_code, since(3));
        }
        bool operator==(const member_response&) const = default;
    };

    int32_t throttle_time_ms = 0;
    int16_t error_code = 0;
    std::vector<member_response> members;

    template <class S, class V>
    static void fields(S& s, V& v) {
        v("ThrottleTimeMs", s.throttle_time_ms, since(1));
        v("ErrorCode", s.error_code, since(0));
        v("Members", s.members, since(3));
    }
    bool operator==(const leave_group_response&) const = default;
};

}  // namespace sluice::protocol
