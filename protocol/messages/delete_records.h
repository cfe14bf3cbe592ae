#pragma once
// DeleteRecords (key 21). Moves each partition's log start offset up to Offset
// (-1 = the high watermark); the response reports the new LowWatermark.

#include "protocol/codec.h"

namespace sluice::protocol {

struct delete_records_request {
    static constexpr int16_t api_key = 21;
    static constexpr const char* schema_name = "DeleteRecordsRequest";
    static constexpr version_range valid{0, 2};
    static constexpr int16_t flexible_from = 2;

    struct topic {
        struct partition {
            int32_t partition_index = 0;
            int64_t offset = 0;
            template <class S, class V>
            static void fields(S& s, V& v) {
                v("PartitionIndex", s.partition_index, since(0));
                v("Offset", s.offset, since(0));
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

    std::vector<topic> topics;
    int32_t timeout_ms = 0;

    template <class S, class V>
    static void fields(S& s, V& v) {
        v("Topics", s.topics, since(0));
        v("TimeoutMs", s.timeout_ms, since(0));
    }
    bool operator==(const delete_records_request&) const = default;
};

struct delete_records_response {
    static constexpr int16_t api_key = 21;
    static constexpr const char* schema_name = "DeleteRecordsResponse";
    static constexpr version_range valid{0, 2};
    static constexpr int16_t flexible_from = 2;

    struct topic_result {
        struct partition_result {
            int32_t partition_index = 0;
            int64_t low_watermark = 0;
            int16_t error_code = 0;
            template <class S, class V>
            static void fields(S& s, V& v) {
                v("PartitionIndex", s.partition_index, since(0));
                v("LowWatermark", s.low_watermark, since(0));
                v("ErrorCode", s.error_code, since(0));
            }
            bool operator==(const partition_result&) const = default;
        };
        std::string name;
        std::vector<partition_result> partitions;
        template <class S, class V>
        static void fields(S& s, V& v) {
            v("Name", s.name, since(0));
            v("Partitions", s.partitions, since(0));
        }
        bool operator==(const topic_result&) const = default;
    };

    int32_t throttle_time_ms = 0;
    std::vector<topic_result> topics;

    template <class S, class V>
    static void fields(S& s, V& v) {
        v("ThrottleTimeMs", s.throttle_time_ms, since(0));
        v("Topics", s.topics, since(0));
    }
    bool operator==(const delete_records_response&) const = default;
};

}  // namespace sluice::protocol
