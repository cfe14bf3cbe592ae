#pragma once
// JoinGroup (key 11). v4+: a member joining with an empty MemberId gets
// MEMBER_ID_REQUIRED and a generated id to rejoin with. Protocol metadata and the
// leader's member metadata are opaque bytes for the broker.

#include "protocol/codec.h"

namespace sluice::protocol {

struct join_group_request {
    static constexpr int16_t api_key = 11;
    static constexpr const char* schema_name = "JoinGroupRequest";
    static constexpr version_range valid{0, 9};
    static constexpr int16_t flexible_from = 6;

    struct protocol {
        std::string name;
        bytes metadata;
        template <class S, class V>
        static void fields(S& s, V& v) {
            v("Name", s.name, since(0));
            v("Metadata", s.metadata, since(0));
        }
        bool operator==(const protocol&) const = default;
    };

    std::string group_id;
    int32_t session_timeout_ms = 0;
    int32_t rebalance_timeout_ms = -1;
    std::string member_id;
    std::optional<std::string> group_instance_id;
    std::string protocol_type;
    std::vector<protocol> protocols;
    std::optional<std::string> reason;

    template <class S, class V>
    static void fields(S& s, V& v) {
        v("GroupId", s.group_id, since(0));
        v("SessionTimeoutMs", s.session_timeout_ms, since(0));
        v("RebalanceTimeoutMs", s.rebalance_timeout_ms, since(1));
        v("MemberId", s.member_id, since(0));
        v("GroupInstanceId", s.group_instance_id, field_spec(since(5)).nullable_in(since(5)));
        v("ProtocolType", s.protocol_type, since(0));
        v("Protocols", s.protocols, since(0));
        v("Reason", s.reason, field_spec(since(8)).nullable_in(since(8)));
    }
    bool operator==(const join_group_request&) const = default;
};

struct join_group_response {
    static constexpr int16_t api_key = 11;
    static constexpr const char* schema_name = "JoinGroupResponse";
    static constexpr version_range valid{0, 9};
    static constexpr int16_t flexible_from = 6;

    struct member {
        std::string member_id;
        std::optional<std::string> group_instance_id;
        bytes metadata;
        template <class S, class V>
        static void fields(S& s, V& v) {
            v("MemberId", s.member_id, since(0));
            v("GroupInstanceId", s.group_instance_id, field_spec(since(5)).nullable_in(since(5)));
            v("Metadata", s.metadata, since(0));
        }
        bool operator==(const member&) const = default;
    };

    int32_t throttle_time_ms = 0;
    int16_t error_code = 0;
    int32_t generation_id = -1;
    std::optional<std::string> protocol_type;
    std::optional<std::string> protocol_name;
    std::string leader;
    bool skip_assignment = false;
    std::string member_id;
    std::vector<member> members;

    template <class S, class V>
    static void fields(S& s, V& v) {
        v("ThrottleTimeMs", s.throttle_time_ms, since(2));
        v("ErrorCode", s.error_code, since(0));
        v("GenerationId", s.generation_id, since(0));
        v("ProtocolType", s.protocol_type, field_spec(since(7)).nullable_in(since(7)));
        v("ProtocolName", s.protocol_name, field_spec(since(0)).nullable_in(since(7)));
        v("Leader", s.leader, since(0));
        v("SkipAssignment", s.skip_assignment, since(9));
        v("MemberId", s.member_id, since(0));
        v("Members", s.members, since(0));
    }
    bool operator==(const join_group_response&) const = default;
};

}  // namespace sluice::protocol
