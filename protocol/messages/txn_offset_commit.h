#pragma once
// TxnOffsetCommit (key 28). v3+ carries the group generation and member
// identity so the coordinator can fence zombie producers.

#include "protocol/codec.h"

namespace sluice::protocol {

struct txn_offset_commit_request {
    static constexpr int16_t api_key = 28;
    static constexpr const char* schema_name = "TxnOffsetCommitRequest";
    static constexpr version_range valid{0, 3};
    static constexpr int16_t flexible_from = 3;

    struct topic {
        struct partition {
            int32_t partition_index = 0;
            int64_t committed_offset = 0;
            int32_t committed_leader_epoch = -1;
            std::optional<std::string> committed_metadata;
            template <class S, class V>
            static void fields(S& s, V& v) {
                v("PartitionIndex", s.partition_index, since(0));
                v("CommittedOffset", s.committed_offset, since(0));
                v("CommittedLeaderEpoch", s.committed_leader_epoch, since(2));
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

    std::string transactional_id;
    std::string group_id;
    int64_t producer_id = 0;
    int16_t producer_epoch = 0;
    int32_t generation_id = -1;
    std::string member_id;
    std::optional<std::string> group_instance_id;
    std::vector<topic> topics;

    template <class S, class V>
    static void fields(S& s, V& v) {
        v("TransactionalId", s.transactional_id, since(0));
        v("GroupId", s.group_id, since(0));
        v("ProducerId", s.producer_id, since(0));
        v("ProducerEpoch", s.producer_epoch, since(0));
        v("GenerationId", s.generation_id, since(3));
        v("MemberId", s.member_id, since(3));
        v("GroupInstanceId", s.group_instance_id, field_spec(since(3)).nullable_in(since(3)));
        v("Topics", s.topics, since(0));
    }
    bool operator==(const txn_offset_commit_request&) const = default;
};

struct txn_offset_commit_response {
    static constexpr int16_t api_key = 28;
    static constexpr const char* schema_name = "TxnOffsetCommitResponse";
    static constexpr version_range valid{0, 3};
    static constexpr int16_t flexible_from = 3;

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
        v("ThrottleTimeMs", s.throttle_time_ms, since(0));
        v("Topics", s.topics, since(0));
    }
    bool operator==(const txn_offset_commit_response&) const = default;
};

}  // namespace sluice::protocol
