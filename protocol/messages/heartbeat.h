#pragma once
// Heartbeat (key 12).

#include "protocol/codec.h"

namespace sluice::protocol {

struct heartbeat_request {
    static constexpr int16_t api_key = 12;
    static constexpr const char* schema_name = "HeartbeatRequest";
    static constexpr version_range valid{0, 4};
    static constexpr int16_t flexible_from = 4;

    std::string group_id;
    int32_t generation_id = 0;
    std::string member_id;
    std::optional<std::string> group_instance_id;

    template <class S, class V>
    static void fields(S& s, V& v) {
        v("GroupId", s.group_id, since(0));
        v("GenerationId", s.generation_id, since(0));
        v("MemberId", s.member_id, since(0));
        v("GroupInstanceId", s.group_instance_id, field_spec(since(3)).nullable_in(since(3)));
    }
    bool operator==(const heartbeat_request&) const = default;
};

struct heartbeat_response {
    static constexpr int16_t api_key = 12;
    static constexpr const char* schema_name = "HeartbeatResponse";
    static constexpr version_range valid{0, 4};
    static constexpr int16_t flexible_from = 4;

    int32_t throttle_time_ms = 0;
    int16_t error_code = 0;

    template <class S, class V>
    static void fields(S& s, V& v) {
        v("ThrottleTimeMs", s.throttle_time_ms, since(1));
        v("ErrorCode", s.error_code, since(0));
    }
    bool operator==(const heartbeat_response&) const = default;
};

}  // namespace sluice::protocol
