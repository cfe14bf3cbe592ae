#pragma once
// DescribeLogDirs (key 35). Null Topics ask for every partition.

#include "protocol/codec.h"

namespace sluice::protocol {

struct describe_log_dirs_request {
    static constexpr int16_t api_key = 35;
    static constexpr const char* schema_name = "DescribeLogDirsRequest";
    static constexpr version_range valid{0, 4};
    static constexpr int16_t flexible_from = 2;

    struct describable_topic {
        std::string topic;
        std::vector<int32_t> partitions;
        template <class S, class V>
        static void fields(S& s, V& v) {
            v("Topic", s.topic, since(0));
            v("Partitions", s.partitions, since(0));
        }
        bool operator==(const describable_topic&) const = default;
    };

    std::optional<std::vector<describable_topic>> topics = std::vector<describable_topic>{};

    template <class S, class V>
    static void fields(S& s, V& v) {
        v("Topics", s.topics, field_spec(since(0)).nullable_in(since(0)));
    }
    bool operator==(const describe_log_dirs_request&) const = default;
};

struct describe_log_dirs_response {
    static constexpr int16_t api_key = 35;
    static constexpr const char* schema_name = "DescribeLogDirsResponse";
    static constexpr version_range valid{0, 4};
    static constexpr int16_t flexible_from = 2;

    struct log_dir_result {
        struct topic {
            struct partition {
                int32_t partition_index = 0;
                int64_t partition_size = 0;
                int64_t offset_lag = 0;
                bool is_future_key = false;
                template <class S, class V>
                static void fields(S& s, V& v) {
                    v("PartitionIndex", s.partition_index, since(0));
                    v("PartitionSize", s.partition_size, since(0));
                    v("OffsetLag", s.offset_lag, since(0));
                    v("IsFutureKey", s.is_future_key, since(0));
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
        std::string log_dir;
        std::vector<topic> topics;
        int64_t total_bytes = -1;
        int64_t usable_bytes = -1;
        template <class S, class V>
        static void fields(S& s, V& v) {
            v("ErrorCode", s.error_code, since(0));
            v("LogDir", s.log_dir, since(0));
            v("Topics", s.topics, since(0));
            v("TotalBytes", s.total_bytes, since(4));
            v("UsableBytes", s.usable_bytes, since(4));
        }
        bool operator==(const log_dir_result&) const = default;
    };

    int32_t throttle_time_ms = 0;
    int16_t error_code = 0;
    std::vector<log_dir_result> results;

    template <class S, class V>
    static void fields(S& s, V& v) {
        v("ThrottleTimeMs", s.throttle_time_ms, since(0));
        v("ErrorCode", s.error_code, since(3));
        v("Results", s.results, since(0));
    }
    bool operator==(const describe_log_dirs_response&) const = default;
};

}  // namespace sluice::protocol
