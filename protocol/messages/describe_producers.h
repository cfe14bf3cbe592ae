#pragma once
// DescribeProducers (key 61). Flexible at every version.

#include "protocol/codec.h"

namespace sluice::protocol {

struct describe_producers_request {
    static constexpr int16_t api_key = 61;
    static constexpr const char* schema_name = "DescribeProducersRequest";
    static constexpr version_range valid{0, 0};
    static constexpr int16_t flexible_from = 0;

    struct topic {
        std::string name;
        std::vector<int32_t> partition_indexes;
        template <class S, class V>
        static void fields(S& s, V& v) {
            v("Name", s.name, since(0));
            v("PartitionIndexes", s.partition_indexes, since(0));
        }
        bool operator==(const topic&) const = default;
    };

    std::vector<topic> topics;

    template <class S, class V>
    static void fields(S& s, V& v) {
        v("Topics", s.topics, since(0));
    }
    bool operator==(const describe_producers_request&) const = default;
};

struct describe_producers_response {
    static constexpr int16_t api_key = 61;
    static constexpr const char* schema_name = "DescribeProducersResponse";
    static constexpr version_range valid{0, 0};
    static constexpr int16_t flexible_from = 0;

    struct topic {
        struct partition {
            struct producer {
                int64_t producer_id = 0;
                int32_t producer_epoch = 0;
                int32_t last_sequence = -1;
                int64_t last_timestamp = -1;
                int32_t coordinator_epoch = 0;
                int64_t current_txn_start_offset = -1;
                template <class S, class V>
                static void fields(S& s, V& v) {
                    v("ProducerId", s.producer_id, since(0));
                    v("ProducerEpoch", s.producer_epoch, since(0));
                    v("LastSequence", s.last_sequence, since(0));
                    v("LastTimestamp", s.last_timestamp, since(0));
                    v("CoordinatorEpoch", s.coordinator_epoch, since(0));
                    v("CurrentTxnStartOffset", s.current_txn_start_offset, since(0));
                }
                bool operator==(const producer&) const = default;
            };
            int32_t partition_index = 0;
            int16_t error_code = 0;
            std::optional<std::string> error_message;
            std::vector<producer> active_producers;
            template <class S, class V>
            static void fields(S& s, V& v) {
                v("PartitionIndex", s.partition_index, since(0));
                v("ErrorCode", s.error_code, since(0));
                v("ErrorMessage", s.error_message, field_spec(since(0)).nullable_in(since(0)));
                v("ActiveProducers", s.active_producers, since(0));
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
    bool operator==(const describe_producers_response&) const = default;
};

}  // namespace sluice::protocol
