#pragma once
// ListOffsets (key 2). Timestamp -1 asks for the latest offset, -2 for the earliest
// (v7+: -3 for the offset of the max timestamp). v0 answers with OldStyleOffsets
// (up to MaxNumOffsets of them); v1+ with a single Timestamp/Offset pair.

#include "protocol/codec.h"

namespace sluice::protocol {

struct list_offsets_request {
    static constexpr int16_t api_key = 2;
    static constexpr const char* schema_name = "ListOffsetsRequest";
    static constexpr version_range valid{0, 7};
    static constexpr int16_t flexible_from = 6;

    struct topic {
        struct partition {
            int32_t partition_index = 0;
            int32_t current_leader_epoch = -1;
            int64_t timestamp = 0;
            int32_t max_num_offsets = 1;
            template <class S, class V>
            static void fields(S& s, V& v) {
                v("PartitionIndex", s.partition_index, since(0));
                v("CurrentLeaderEpoch", s.current_leader_epoch, since(4));
                v("Timestamp", s.timestamp, since(0));
                v("MaxNumOffsets", s.max_num_offsets, between(0, 0));
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

    int32_t replica_id = 0;
    int8_t isolation_level = 0;
    std::vector<topic> topics;

    template <class S, class V>
    static void fields(S& s, V& v) {
        v("ReplicaId", s.replica_id, since(0));
        v("IsolationLevel", s.isolation_level, since(2));
        v("Topics", s.topics, since(0));
    }
    bool operator==(const list_offsets_request&) const = default;
};

struct list_offsets_response {
    static constexpr int16_t api_key = 2;
    static constexpr const char* schema_name = "ListOffsetsResponse";
    static constexpr version_range valid{0, 7};
    static constexpr int16_t flexible_from = 6;

    struct topic {
        struct partition {
            int32_t partition_index = 0;
            int16_t error_code = 0;
            std::vector<int64_t> old_style_offsets;
            int64_t timestamp = -1;
            int64_t offset = -1;
            int32_t leader_epoch = -1;
            template <class S, class V>
            static void fields(S& s, V& v) {
                v("PartitionIndex", s.partition_index, since(0));
                v("ErrorCode", s.error_code, since(0));
                v("OldStyleOffsets", s.old_style_offsets, between(0, 0));
                v("Timestamp", s.timestamp, since(1));
                v("Offset", s.offset, since(1));
                v("LeaderEpoch", s.leader_epoch, since(4));
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
        v("ThrottleTimeMs", s.throttle_time_ms, since(2));
        v("Topics", s.topics, since(0));
    }
    bool operator==(const list_offsets_response&) const = default;
};

}  // namespace sluice::protocol
