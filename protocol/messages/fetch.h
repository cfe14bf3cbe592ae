#pragma once
// Fetch (key 1). v7+ adds incremental fetch sessions (SessionId, SessionEpoch,
// ForgottenTopicsData); v12 is the first flexible version and moves DivergingEpoch,
// CurrentLeader and SnapshotId into tagged fields. Response records are nullable at
// every version. Topics are named by string throughout our range (ids come in v13).

#include "protocol/codec.h"

namespace sluice::protocol {

struct fetch_request {
    static constexpr int16_t api_key = 1;
    static constexpr const char* schema_name = "FetchRequest";
    static constexpr version_range valid{0, 12};
    static constexpr int16_t flexible_from = 12;

    struct fetch_topic {
        struct fetch_partition {
            int32_t partition = 0;
            int32_t current_leader_epoch = -1;
            int64_t fetch_offset = 0;
            int32_t last_fetched_epoch = -1;
            int64_t log_start_offset = -1;
            int32_t partition_max_bytes = 0;
            template <class S, class V>
            static void fields(S& s, V& v) {
                v("Partition", s.partition, since(0));
                v("CurrentLeaderEpoch", s.current_leader_epoch, since(9));
                v("FetchOffset", s.fetch_offset, since(0));
                v("LastFetchedEpoch", s.last_fetched_epoch, since(12));
                v("LogStartOffset", s.log_start_offset, since(5));
                v("PartitionMaxBytes", s.partition_max_bytes, since(0));
            }
            bool operator==(const fetch_partition&) const = default;
        };
        std::string topic;
        std::vector<fetch_partition> partitions;
        template <class S, class V>
        static void fields(S& s, V& v) {
            v("Topic", s.topic, between(0, 12));
            v("Partitions", s.partitions, since(0));
        }
        bool operator==(const fetch_topic&) const = default;
    };
    struct forgotten_topic {
        std::string topic;
        std::vector<int32_t> partitions;
        template <class S, class V>
        static void fields(S& s, V& v) {
            v("Topic", s.topic, between(7, 12));
            v("Partitions", s.partitions, since(7));
        }
        bool operator==(const forgotten_topic&) const = default;
    };

    std::optional<std::string> cluster_id;
    int32_t replica_id = -1;
    int32_t max_wait_ms = 0;
    int32_t min_bytes = 0;
    int32_t max_bytes = INT32_MAX;
    int8_t isolation_level = 0;
    int32_t session_id = 0;
    int32_t session_epoch = -1;
    std::vector<fetch_topic> topics;
    std::vector<forgotten_topic> forgotten_topics_data;
    std::string rack_id;

    template <class S, class V>
    static void fields(S& s, V& v) {
        v("ClusterId", s.cluster_id,
          field_spec(since(12)).nullable_in(since(12)).tagged_as(0, since(12)));
        v("ReplicaId", s.replica_id, between(0, 14));
        v("MaxWaitMs", s.max_wait_ms, since(0));
        v("MinBytes", s.min_bytes, since(0));
        v("MaxBytes", s.max_bytes, since(3));
        v("IsolationLevel", s.isolation_level, since(4));
        v("SessionId", s.session_id, since(7));
        v("SessionEpoch", s.session_epoch, since(7));
        v("Topics", s.topics, since(0));
        v("ForgottenTopicsData", s.forgotten_topics_data, since(7));
        v("RackId", s.rack_id, since(11));
    }
    bool operator==(const fetch_request&) const = default;
};

struct fetch_response {
    static constexpr int16_t api_key = 1;
    static constexpr const char* schema_name = "FetchResponse";
    static constexpr version_range valid{0, 12};
    static constexpr int16_t flexible_from = 12;

    struct topic_response {
        struct partition_data {
            struct epoch_end_offset {
                int32_t epoch = -1;
                int64_t end_offset = -1;
                template <class S, class V>
                static void fields(S& s, V& v) {
                    v("Epoch", s.epoch, since(12));
                    v("EndOffset", s.end_offset, since(12));
                }
                bool operator==(const epoch_end_offset&) const = default;
            };
            struct leader_id_and_epoch {
                int32_t leader_id = -1;
                int32_t leader_epoch = -1;
                template <class S, class V>
                static void fields(S& s, V& v) {
                    v("LeaderId", s.leader_id, since(12));
                    v("LeaderEpoch", s.leader_epoch, since(12));
                }
                bool operator==(const leader_id_and_epoch&) const = default;
            };
            struct snapshot {
                int64_t end_offset = -1;
                int32_t epoch = -1;
                template <class S, class V>
                static void fields(S& s, V& v) {
                    v("EndOffset", s.end_offset, since(0));
                    v("Epoch", s.epoch, since(0));
                }
                bool operator==(const snapshot&) const = default;
            };
            struct aborted_transaction {
                int64_t producer_id = 0;
                int64_t first_offset = 0;
                template <class S, class V>
                static void fields(S& s, V& v) {
                    v("ProducerId", s.producer_id, since(4));
                    v("FirstOffset", s.first_offset, since(4));
                }
                bool operator==(const aborted_transaction&) const = default;
            };
            int32_t partition_index = 0;
            int16_t error_code = 0;
            int64_t high_watermark = 0;
            int64_t last_stable_offset = -1;
            int64_t log_start_offset = -1;
            epoch_end_offset diverging_epoch;
            leader_id_and_epoch current_leader;
            snapshot snapshot_id;
            std::optional<std::vector<aborted_transaction>> aborted_transactions =
                std::vector<aborted_transaction>{};
            int32_t preferred_read_replica = -1;
            protocol::records records;
            template <class S, class V>
            static void fields(S& s, V& v) {
                v("PartitionIndex", s.partition_index, since(0));
                v("ErrorCode", s.error_code, since(0));
                v("HighWatermark", s.high_watermark, since(0));
                v("LastStableOffset", s.last_stable_offset, since(4));
                v("LogStartOffset", s.log_start_offset, since(5));
                v("DivergingEpoch", s.diverging_epoch,
                  field_spec(since(12)).tagged_as(0, since(12)));
                v("CurrentLeader", s.current_leader, field_spec(since(12)).tagged_as(1, since(12)));
                v("SnapshotId", s.snapshot_id, field_spec(since(12)).tagged_as(2, since(12)));
                v("AbortedTransactions", s.aborted_transactions,
                  field_spec(since(4)).nullable_in(since(4)));
                v("PreferredReadReplica", s.preferred_read_replica, since(11));
                v("Records", s.records, field_spec(since(0)).nullable_in(since(0)));
            }
            bool operator==(const partition_data&) const = default;
        };
        std::string topic;
        std::vector<partition_data> partitions;
        template <class S, class V>
        static void fields(S& s, V& v) {
            v("Topic", s.topic, between(0, 12));
            v("Partitions", s.partitions, since(0));
        }
        bool operator==(const topic_response&) const = default;
    };

    int32_t throttle_time_ms = 0;
    int16_t error_code = 0;
    int32_t session_id = 0;
    std::vector<topic_response> responses;

    template <class S, class V>
    static void fields(S& s, V& v) {
        v("ThrottleTimeMs", s.throttle_time_ms, since(1));
        v("ErrorCode", s.error_code, since(7));
        v("SessionId", s.session_id, since(7));
        v("Responses", s.responses, since(0));
    }
    bool operator==(const fetch_response&) const = default;
};

}  // namespace sluice::protocol
