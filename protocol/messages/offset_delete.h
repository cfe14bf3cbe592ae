#pragma once
// OffsetDelete (key 47). Never flexible.

#include "protocol/messages/common.h"

namespace sluice::protocol {

struct offset_delete_request {
    static constexpr int16_t api_key = 47;
    static constexpr const char* schema_name = "OffsetDeleteRequest";
    static constexpr version_range valid{0, 0};
    static constexpr int16_t flexible_from = never_flexible;

    struct topic {
        struct partition {
            int32_t partition_index = 0;
            template <class S, class V>
            static void fields(S& s, V& v) {
                v("PartitionIndex", s.partition_index, since(0));
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
    std::vector<topic> topics;

    template <class S, class V>
    static void fields(S& s, V& v) {
        v("GroupId", s.group_id, since(0));
        v("Topics", s.topics, since(0));
    }
    bool operator==(const offset_delete_request&) const = default;
};

struct offset_delete_response {
    static constexpr int16_t api_key = 47;
    static constexpr const char* schema_name = "OffsetDeleteResponse";
    static constexpr version_range valid{0, 0};
    static constexpr int16_t flexible_from = never_flexible;

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

    int16_t error_code = 0;
    int32_t throttle_time_ms = 0;
    std::vector<topic> topics;

    template <class S, class V>
    static void fields(S& s, V& v) {
        v("ErrorCode", s.error_code, since(0));
        v("ThrottleTimeMs", s.throttle_time_ms, since(0));
        v("Topics", s.topics, since(0));
    }
    bool operator==(const offset_delete_response&) const = default;
};

}  // namespace sluice::protocol
