#pragma once
// Produce (key 0). A request with acks = 0 gets no response at all. Records hold
// legacy message sets (v0-2) or RecordBatch v2 (v3+); the codec keeps them as raw
// bytes. The wire fields TopicData / PartitionData are held in members `topics` /
// `partitions` (a member cannot share the name of its struct type).

#include "protocol/codec.h"

namespace sluice::protocol {

struct produce_request {
    static constexpr int16_t api_key = 0;
    static constexpr const char* schema_name = "ProduceRequest";
    static constexpr version_range valid{0, 9};
    static constexpr int16_t flexible_from = 9;

    struct topic_data {
        struct partition_data {
            int32_t index = 0;
            protocol::records records;
            template <class S, class V>
            static void fields(S& s, V& v) {
                v("Index", s.index, since(0));
                v("Records", s.records, field_spec(since(0)).nullable_in(since(0)));
            }
            bool operator==(const partition_data&) const = default;
        };
        std::string name;
        std::vector<partition_data> partitions;
        template <class S, class V>
        static void fields(S& s, V& v) {
            v("Name", s.name, since(0));
            v("PartitionData", s.partitions, since(0));
        }
        bool operator==(const topic_data&) const = default;
    };

    std::optional<std::string> transactional_id;
    int16_t acks = 0;
    int32_t timeout_ms = 0;
    std::vector<topic_data> topics;

    template <class S, class V>
    static void fields(S& s, V& v) {
        v("TransactionalId", s.transactional_id, field_spec(since(3)).nullable_in(since(3)));
        v("Acks", s.acks, since(0));
        v("TimeoutMs", s.timeout_ms, since(0));
        v("TopicData", s.topics, since(0));
    }
    bool operator==(const produce_request&) const = default;
};

struct produce_response {
    static constexpr int16_t api_key = 0;
    static constexpr const char* schema_name = "ProduceResponse";
    static constexpr version_range valid{0, 9};
    static constexpr int16_t flexible_from = 9;

    struct topic_response {
        struct partition_response {
            struct record_error {
                int32_t batch_index = 0;
                std::optional<std::string> batch_index_error_message;
                template <class S, class V>
                static void fields(S& s, V& v) {
                    v("BatchIndex", s.batch_index, since(8));
                    v("BatchIndexErrorMessage", s.batch_index_error_message,
                      field_spec(since(8)).nullable_in(since(8)));
                }
                bool operator==(const record_error&) const = default;
            };
            int32_t index = 0;
            int16_t error_code = 0;
            int64_t base_offset = 0;
            int64_t log_append_time_ms = -1;
            int64_t log_start_offset = -1;
            std::vector<record_error> record_errors;
            std::optional<std::string> error_message;
            template <class S, class V>
            static void fields(S& s, V& v) {
                v("Index", s.index, since(0));
                v("ErrorCode", s.error_code, since(0));
                v("BaseOffset", s.base_offset, since(0));
                v("LogAppendTimeMs", s.log_append_time_ms, since(2));
                v("LogStartOffset", s.log_start_offset, since(5));
                v("RecordErrors", s.record_errors, since(8));
                v("ErrorMessage", s.error_message, field_spec(since(8)).nullable_in(since(8)));
            }
            bool operator==(const partition_response&) const = default;
        };
        std::string name;
        std::vector<partition_response> partition_responses;
        template <class S, class V>
        static void fields(S& s, V& v) {
            v("Name", s.name, since(0));
            v("PartitionResponses", s.partition_responses, since(0));
        }
        bool operator==(const topic_response&) const = default;
    };

    std::vector<topic_response> responses;
    int32_t throttle_time_ms = 0;

    template <class S, class V>
    static void fields(S& s, V& v) {
        v("Responses", s.responses, since(0));
        v("ThrottleTimeMs", s.throttle_time_ms, since(1));
    }
    bool operator==(const produce_response&) const = default;
};

}  // namespace sluice::protocol
