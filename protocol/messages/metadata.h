#pragma once
// Metadata (key 3). v0: an empty topic list means all topics; v1+: null means
// all, empty means none (handled by the broker, not the codec).

#include "protocol/codec.h"

namespace sluice::protocol {

struct metadata_request {
    static constexpr int16_t api_key = 3;
    static constexpr const char* schema_name = "MetadataRequest";
    static constexpr version_range valid{0, 12};
    static constexpr int16_t flexible_from = 9;

    struct topic {
        uuid topic_id;
        std::optional<std::string> name;
        template <class S, class V>
        static void fields(S& s, V& v) {
            v("TopicId", s.topic_id, since(10));
            v("Name", s.name, field_spec(since(0)).nullable_in(since(10)));
        }
        bool operator==(const topic&) const = default;
    };

    std::optional<std::vector<topic>> topics = std::vector<topic>{};
    bool allow_auto_topic_creation = true;
    bool include_cluster_authorized_operations = false;
    bool include_topic_authorized_operations = false;

    template <class S, class V>
    static void fields(S& s, V& v) {
        v("Topics", s.topics, field_spec(since(0)).nullable_in(since(1)));
        v("AllowAutoTopicCreation", s.allow_auto_topic_creation, since(4));
        v("IncludeClusterAuthorizedOperations", s.include_cluster_authorized_operations,
          between(8, 10));
        v("IncludeTopicAuthorizedOperations", s.include_topic_authorized_operations, since(8));
    }
    bool operator==(const metadata_request&) const = default;
};

struct metadata_response {
    static constexpr int16_t api_key = 3;
    static constexpr const char* schema_name = "MetadataResponse";
    static constexpr version_range valid{0, 12};
    static constexpr int16_t flexible_from = 9;

    struct broker {
        int32_t node_id = 0;
        std::string host;
        int32_t port = 0;
        std::optional<std::string> rack;
        template <class S, class V>
        static void fields(S& s, V& v) {
            v("NodeId", s.node_id, since(0));
            v("Host", s.host, since(0));
            v("Port", s.port, since(0));
            v("Rack", s.rack, field_spec(since(1)).nullable_in(since(1)));
        }
        bool operator==(const broker&) const = default;
    };
    struct partition {
        int16_t error_code = 0;
        int32_t partition_index = 0;
        int32_t leader_id = 0;
        int32_t leader_epoch = -1;
        std::vector<int32_t> replica_nodes;
        std::vector<int32_t> isr_nodes;
        std::vector<int32_t> offline_replicas;
        template <class S, class V>
        static void fields(S& s, V& v) {
            v("ErrorCode", s.error_code, since(0));
            v("PartitionIndex", s.partition_index, since(0));
            v("LeaderId", s.leader_id, since(0));
            v("LeaderEpoch", s.leader_epoch, since(7));
            v("ReplicaNodes", s.replica_nodes, since(0));
            v("IsrNodes", s.isr_nodes, since(0));
            v("OfflineReplicas", s.offline_replicas, since(5));
        }
        bool operator==(const partition&) const = default;
    };
    struct topic {
        int16_t error_code = 0;
        std::optional<std::string> name;
        uuid topic_id;
        bool is_internal = false;
        std::vector<partition> partitions;
        int32_t topic_authorized_operations = INT32_MIN;
        template <class S, class V>
        static void fields(S& s, V& v) {
            v("ErrorCode", s.error_code, since(0));
            v("Name", s.name, field_spec(since(0)).nullable_in(since(12)));
            v("TopicId", s.topic_id, since(10));
            v("IsInternal", s.is_internal, since(1));
            v("Partitions", s.partitions, since(0));
            v("TopicAuthorizedOperations", s.topic_authorized_operations, since(8));
        }
        bool operator==(const topic&) const = default;
    };

    int32_t throttle_time_ms = 0;
    std::vector<broker> brokers;
    std::optional<std::string> cluster_id;
    int32_t controller_id = -1;
    std::vector<topic> topics;
    int32_t cluster_authorized_operations = INT32_MIN;

    template <class S, class V>
    static void fields(S& s, V& v) {
        v("ThrottleTimeMs", s.throttle_time_ms, since(3));
        v("Brokers", s.brokers, since(0));
        v("ClusterId", s.cluster_id, field_spec(since(2)).nullable_in(since(2)));
        v("ControllerId", s.controller_id, since(1));
        v("Topics", s.topics, since(0));
        v("ClusterAuthorizedOperations", s.cluster_authorized_operations, between(8, 10));
    }
    bool operator==(const metadata_response&) const = default;
};

}  // namespace sluice::protocol
