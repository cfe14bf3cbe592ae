#pragma once
// OffsetFetch (key 9). v0-7 ask for one GroupId; v8 batches Groups. Null Topics
// (v2+) ask for every committed offset of the group. The response's top-level
// Topics / ErrorCode (v0-7) become per-group in Groups (v8).

#include "protocol/codec.h"

namespace sluice::protocol {

struct offset_fetch_request {
    static constexpr int16_t api_key = 9;
    static constexpr const char* schema_name = "OffsetFetchRequest";
    static constexpr version_range valid{0, 8};
    static constexpr int16_t flexible_from = 6;

    struct topic {
        std::string name;
        std::vector<int32_t> partition_indexes;
        template <class S, class V>
        static void fields(S& s, V& v) {
            v("Name", s.name, between(0, 7));
            v("PartitionIndexes", s.partition_indexes, between(0, 7));
        }
        bool operator==(const topic&) const = default;
    };
    struct group {
        struct topic {
            std::string name;
            std::vector<int32_t> partition_indexes;
            template <class S, class V>
            static void fields(S& s, V& v) {
                v("Name", s.name, since(8));
                v("PartitionIndexes", s.partition_indexes, since(8));
            }
            bool operator==(const topic&) const = default;
        };
        std::string group_id;
        std::optional<std::vector<topic>> topics = std::vector<topic>{};
        template <class S, class V>
        static void fields(S& s, V& v) {
            v("GroupId", s.group_id, since(8));
            v("Topics", s.topics, field_spec(since(8)).nullable_in(since(8)));
        }
        bool operator==(const group&) const = default;
    };

    std::string group_id;
    std::optional<std::vector<topic>> topics = std::vector<topic>{};
    std::vector<group> groups;
    bool require_stable = false;

    template <class S, class V>
    static void fields(S& s, V& v) {
        v("GroupId", s.group_id, between(0, 7));
        v("Topics", s.topics, field_spec(between(0, 7)).nullable_in(between(2, 7)));
        v("Groups", s.groups, since(8));
        v("RequireStable", s.require_stable, since(7));
    }
    bool operator==(const offset_fetch_request&) const = default;
};

struct offset_fetch_response {
    static constexpr int16_t api_key = 9;
    static constexpr const char* schema_name = "OffsetFetchResponse";
    static constexpr version_range valid{0, 8};
    static constexpr int16_t flexible_from = 6;

    struct topic {
        struct partition {
            int32_t partition_index = 0;
            int64_t committed_offset = 0;
            int32_t committed_leader_epoch = -1;
            std::optional<std::string> metadata;
            int16_t error_code = 0;
            template <class S, class V>
            static void fields(S& s, V& v) {
                v("PartitionIndex", s.partition_index, between(0, 7));
                v("CommittedOffset", s.committed_offset, between(0, 7));
                v("CommittedLeaderEpoch", s.committed_leader_epoch, between(5, 7));
                v("Metadata", s.metadata, field_spec(between(0, 7)).nullable_in(between(0, 7)));
                v("ErrorCode", s.error_code, between(0, 7));
            }
            bool operator==(const partition&) const = default;
        };
        std::string name;
        std::vector<partition> partitions;
        template <class S, class V>
        static void fields(S& s, V& v) {
            v("Name", s.name, between(0, 7));
            v("Partitions", s.partitions, between(0, 7));
        }
        bool operator==(const topic&) const = default;
    };
    struct group {
        struct topic {
            struct partition {
                int32_t partition_index = 0;
                int64_t committed_offset = 0;
                int32_t committed_leader_epoch = -1;
                std::optional<std::string> metadata;
                int16_t error_code = 0;
                template <class S, class V>
                static void fields(S& s, V& v) {
                    v("PartitionIndex", s.partition_index, since(8));
                    v("CommittedOffset", s.committed_offset, since(8));
                    v("CommittedLeaderEpoch", s.committed_leader_epoch, since(8));
                    v("Metadata", s.metadata, field_spec(since(8)).nullable_in(since(8)));
                    v("ErrorCode", s.error_code, since(8));
                }
                bool operator==(const partition&) const = default;
            };
            std::string name;
            std::vector<partition> partitions;
            template <class S, class V>
            static void fields(S& s, V& v) {
                v("Name", s.name, since(8));
                v("Partitions", s.partitions, since(8));
            }
            bool operator==(const topic&) const = default;
        };
        std::string group_id;
        std::vector<topic> topics;
        int16_t error_code = 0;
        template <class S, class V>
        static void fields(S& s, V& v) {
            v("GroupId", s.group_id, since(8));
            v("Topics", s.topics, since(8));
            v("ErrorCode", s.error_code, since(8));
        }
        bool operator==(const group&) const = default;
    };

    int32_t throttle_time_ms = 0;
    std::vector<topic> topics;
    int16_t error_code = 0;
    std::vector<group> groups;

    template <class S, class V>
    static void fields(S& s, V& v) {
        v("ThrottleTimeMs", s.throttle_time_ms, since(3));
        v("Topics", s.topics, between(0, 7));
        v("ErrorCode", s.error_code, between(2, 7));
        v("Groups", s.groups, since(8));
    }
    bool operator==(const offset_fetch_response&) const = default;
};

}  // namespace sluice::protocol
