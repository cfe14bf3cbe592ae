#pragma once
// SyncGroup (key 14). Only the leader sends Assignments; every member gets its
// own assignment back as opaque bytes.

#include "protocol/codec.h"

namespace sluice::protocol {

struct sync_group_request {
    static constexpr int16_t api_key = 14;
    static constexpr const char* schema_name = "SyncGroupRequest";
    static constexpr version_range valid{0, 5};
    static constexpr int16_t flexible_from = 4;

    struct member_assignment {
        std::string member_id;
        bytes assignment;
        template <class S, class V>
        static void fields(S& s, V& v) {
            v("MemberId", s.member_id, since(0));
            v("Assignment", s.assignment, since(0));
        }
        bool operator==(const member_assignment&) const = default;
    };

    std::string group_id;
    int32_t generation_id = 0;
    std::string member_id;
    std::optional<std::string> group_instance_id;
    std::optional<std::string> protocol_type;
    std::optional<std::string> protocol_name;
    std::vector<member_assignment> assignments;

    template <class S, class V>
    static void fields(S& s, V& v) {
        v("GroupId", s.group_id, since(0));
        v("GenerationId", s.generation_id, since(0));
        v("MemberId", s.member_id, since(0));
        v("GroupInstanceId", s.group_instance_id, field_spec(since(3)).nullable_in(since(3)));
        v("ProtocolType", s.protocol_type, field_spec(since(5)).nullable_in(since(5)));
        v("ProtocolName", s.protocol_name, field_spec(since(5)).nullable_in(since(5)));
        v("Assignments", s.assignments, since(0));
    }
    bool operator==(const sync_group_request&) const = default;
};

struct sync_group_response {
    static constexpr int16_t api_key = 14;
    static constexpr const char* schema_name = "SyncGroupResponse";
    static constexpr version_range valid{0, 5};
    static constexpr int16_t flexible_from = 4;

    int32_t throttle_time_ms = 0;
    int16_t error_code = 0;
    std::optional<std::string> protocol_type;
    std::optional<std::string> protocol_name;
    bytes assignment;

    template <class S, class V>
    static void fields(S& s, V& v) {
        v("ThrottleTimeMs", s.throttle_time_ms, since(1));
        v("ErrorCode", s.error_code, since(0));
        v("ProtocolType", s.protocol_type, field_spec(since(5)).nullable_in(since(5)));
        v("ProtocolName", s.protocol_name, field_spec(since(5)).nullable_in(since(5)));
        v("Assignment", s.assignment, since(0));
    }
    bool operator==(const sync_group_response&) const = default;
};

}  // namespace sluice::protocol
