#pragma once
// AddPartitionsToTxn (key 24). Our range (v0-3) only has the schema's
// "V3AndBelow" fields (v4+ batches transactions); the members keep those names.

#include "protocol/codec.h"

namespace sluice::protocol {

struct add_partitions_to_txn_request {
    static constexpr int16_t api_key = 24;
    static constexpr const char* schema_name = "AddPartitionsToTxnRequest";
    static constexpr version_range valid{0, 3};
    static constexpr int16_t flexible_from = 3;

    struct topic {
        std::string name;
        std::vector<int32_t> partitions;
        template <class S, class V>
        static void fields(S& s, V& v) {
            v("Name", s.name, since(0));
            v("Partitions", s.partitions, since(0));
        }
        bool operator==(const topic&) const = default;
    };

    std::string v3_and_below_transactional_id;
    int64_t v3_and_below_producer_id = 0;
    int16_t v3_and_below_producer_epoch = 0;
    std::vector<topic> v3_and_below_topics;

    template <class S, class V>
    static void fields(S& s, V& v) {
        v("V3AndBelowTransactionalId", s.v3_and_below_transactional_id, between(0, 3));
        v("V3AndBelowProducerId", s.v3_and_below_producer_id, between(0, 3));
        v("V3AndBelowProducerEpoch", s.v3_and_below_producer_epoch, between(0, 3));
        v("V3AndBelowTopics", s.v3_and_below_topics, between(0, 3));
    }
    bool operator==(const add_partitions_to_txn_request&) const = default;
};

struct add_partitions_to_txn_response {
    static constexpr int16_t api_key = 24;
    static constexpr const char* schema_name = "AddPartitionsToTxnResponse";
    static constexpr version_range valid{0, 3};
    static constexpr int16_t flexible_from = 3;

    struct partition_result {
        int32_t partition_index = 0;
        int16_t partition_error_code = 0;
        template <class S, class V>
        static void fields(S& s, V& v) {
            v("PartitionIndex", s.partition_index, since(0));
            v("PartitionErrorCode", s.partition_error_code, since(0));
        }
        bool operator==(const partition_result&) const = default;
    };
    struct topic_result {
        std::string name;
        std::vector<partition_result> results_by_partition;
        template <class S, class V>
        static void fields(S& s, V& v) {
            v("Name", s.name, since(0));
            v("ResultsByPartition", s.results_by_partition, since(0));
        }
        bool operator==(const topic_result&) const = default;
    };

    int32_t throttle_time_ms = 0;
    std::vector<topic_result> results_by_topic_v3_and_below;

    template <class S, class V>
    static void fields(S& s, V& v) {
        v("ThrottleTimeMs", s.throttle_time_ms, since(0));
        v("ResultsByTopicV3AndBelow", s.results_by_topic_v3_and_below, between(0, 3));
    }
    bool operator==(const add_partitions_to_txn_response&) const = default;
};

}  // namespace sluice::protocol
