#pragma once
// OffsetCommit (key 8). GenerationIdOrMemberEpoch is the generation id at these
// versions (-1 for commits from outside a group). RetentionTimeMs exists in v2-4
// only, CommitTimestamp in v1 only.

#include "protocol/codec.h"

namespace sluice::protocol {

struct offset_commit_request {
    static constexpr int16_t api_key = 8;
    static constexpr const char* schema_name = "OffsetCommitRequest";
    static constexpr version_range valid{0, 8};
    static constexpr int16_t flexible_from = 8;

    struct topic {
        struct partition {
            int32_t partition_index = 0;
            int64_t committed_offset = 0;
            int32_t committed_leader_epoch = -1;
            int64_t commit_timestamp = -1;
            std::optional<std::string> committed_metadata;
            template <class S, class V>
            static void fields(S& s, V& v) {
                v("PartitionIndex", s.partition_index, since(0));
                v("CommittedOffset", s.committed_offset, since(0));
                v("CommittedLeaderEpoch", s.committed_leader_epoch, since(6));
                v("CommitTimestamp", s.commit_timestamp, between(1, 1));
                v("CommittedMetadata", s.committed_metadata,
                  field_spec(since(0)).nullable_in(since(0)));
            }
            bool operator==(const partition&) const = default;
        };
        std::string name;
        std::vector<partition> partitions;
        template <class S, class V>
        static void fields(S& s, V& v) {
            v("Name", s.name, since(0));
            v("Partitions", s.partitions, since(0));
        }
        bool operator==(const topic&) const = default;
    };

    std::string group_id;
    int32_t generation_id_or_member_epoch = -1;
    std::string member_id;
    std::optional<std::string> group_instance_id;
    int64_t retention_time_ms = -1;
    std::vector<topic> topics;

    template <class S, class V>
    static void fields(S& s, V& v) {
        v("GroupId", s.group_id, since(0));
        v("GenerationIdOrMemberEpoch", s.generation_id_or_member_epoch, since(1));
        v("MemberId", s.member_id, since(1));
        v("GroupInstanceId", s.group_instance_id, field_spec(since(7)).nullable_in(since(7)));
        v("RetentionTimeMs", s.retention_time_ms, between(2, 4));
        v("Topics", s.topics, since(0));
    }
    bool operator==(const offset_commit_request&) const = default;
};

struct offset_commit_response {
    static constexpr int16_t api_key = 8;
    static constexpr const char* schema_name = "OffsetCommitResponse";
    static constexpr version_range valid{0, 8};
    static constexpr int16_t flexible_from = 8;

    struct topic {
        struct partition {
            int32_t partition_index = 0;
            int16_t error_code = 0;
            template <class S, class V>
            static void fields(S& s, V& v) {
                v("PartitionIndex", s.partition_index, since(0));
                v("ErrorCode", s.error_code, since(0));
            }
            bool operator==(const partition&) const = default;
        };
        std::string name;
        std::vector<partition> partitions;
        template <class S, class V>
        static void fields(S& s, V& v) {
            v("Name", s.name, since(0));
            v("Partitions", s.partitions, since(0));
        }
        bool operator==(const topic&) const = default;
    };

    int32_t throttle_time_ms = 0;
    std::vector<topic> topics;

    template <class S, class V>
    static void fields(S& s, V& v) {
        v("ThrottleTimeMs", s.throttle_time_ms, since(3));
        v("Topics", s.topics, since(0));
    }
    bool operator==(const offset_commit_response&) const = default;
};

}  // namespace sluice::protocol
