#pragma once
// OffsetForLeaderEpoch (key 23). ReplicaId (v3+) is the follower's broker id,
// -1 for consumers; the schema default is -2 (debugging).
// The response's partition entry is an EpochEndOffset.

#include "protocol/codec.h"

namespace sluice::protocol {

struct offset_for_leader_epoch_request {
    static constexpr int16_t api_key = 23;
    static constexpr const char* schema_name = "OffsetForLeaderEpochRequest";
    static constexpr version_range valid{0, 4};
    static constexpr int16_t flexible_from = 4;

    struct offset_for_leader_topic {
        struct offset_for_leader_partition {
            int32_t partition = 0;
            int32_t current_leader_epoch = -1;
            int32_t leader_epoch = 0;
            template <class S, class V>
            static void fields(S& s, V& v) {
                v("Partition", s.partition, since(0));
                v("CurrentLeaderEpoch", s.current_leader_epoch, since(2));
                v("LeaderEpoch", s.leader_epoch, since(0));
            }
            bool operator==(const offset_for_leader_partition&) const = default;
        };
        std::string topic;
        std::vector<offset_for_leader_partition> partitions;
        template <class S, class V>
        static void fields(S& s, V& v) {
            v("Topic", s.topic, since(0));
            v("Partitions", s.partitions, since(0));
        }
        bool operator==(const offset_for_leader_topic&) const = default;
    };

    int32_t replica_id = -2;
    std::vector<offset_for_leader_topic> topics;

    template <class S, class V>
    static void fields(S& s, V& v) {
        v("ReplicaId", s.replica_id, since(3));
        v("Topics", s.topics, since(0));
    }
    bool operator==(const offset_for_leader_epoch_request&) const = default;
};

struct offset_for_leader_epoch_response {
    static constexpr int16_t api_key = 23;
    static constexpr const char* schema_name = "OffsetForLeaderEpochResponse";
    static constexpr version_range valid{0, 4};
    static constexpr int16_t flexible_from = 4;

    struct topic_result {
        struct epoch_end_offset {
            int16_t error_code = 0;
            int32_t partition = 0;
            int32_t leader_epoch = -1;
            int64_t end_offset = -1;
            template <class S, class V>
            static void fields(S& s, V& v) {
                v("ErrorCode", s.error_code, since(0));
                v("Partition", s.partition, since(0));
                v("LeaderEpoch", s.leader_epoch, since(1));
                v("EndOffset", s.end_offset, since(0));
            }
            bool operator==(const epoch_end_offset&) const = default;
        };
        std::string topic;
        std::vector<epoch_end_offset> partitions;
        template <class S, class V>
        static void fields(S& s, V& v) {
            v("Topic", s.topic, since(0));
            v("Partitions", s.partitions, since(0));
        }
        bool operator==(const topic_result&) const = default;
    };

    int32_t throttle_time_ms = 0;
    std::vector<topic_result> topics;

    template <class S, class V>
    static void fields(S& s, V& v) {
        v("ThrottleTimeMs", s.throttle_time_ms, since(2));
        v("Topics", s.topics, since(0));
    }
    bool operator==(const offset_for_leader_epoch_response&) const = default;
};

}  // namespace sluice::protocol
