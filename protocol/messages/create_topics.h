#pragma once
// CreateTopics (key 19). NumPartitions / ReplicationFactor of -1 ask for the broker
// default (v4+). The schema spells the request's timeoutMs and validateOnly in
// lowerCamelCase; the visitor strings keep that spelling.

#include "protocol/codec.h"

namespace sluice::protocol {

struct create_topics_request {
    static constexpr int16_t api_key = 19;
    static constexpr const char* schema_name = "CreateTopicsRequest";
    static constexpr version_range valid{0, 7};
    static constexpr int16_t flexible_from = 5;

    struct topic {
        struct assignment {
            int32_t partition_index = 0;
            std::vector<int32_t> broker_ids;
            template <class S, class V>
            static void fields(S& s, V& v) {
                v("PartitionIndex", s.partition_index, since(0));
                v("BrokerIds", s.broker_ids, since(0));
            }
            bool operator==(const assignment&) const = default;
        };
        struct config {
            std::string name;
            std::optional<std::string> value;
            template <class S, class V>
            static void fields(S& s, V& v) {
                v("Name", s.name, since(0));
                v("Value", s.value, field_spec(since(0)).nullable_in(since(0)));
            }
            bool operator==(const config&) const = default;
        };
        std::string name;
        int32_t num_partitions = 0;
        int16_t replication_factor = 0;
        std::vector<assignment> assignments;
        std::vector<config> configs;
        template <class S, class V>
        static void fields(S& s, V& v) {
            v("Name", s.name, since(0));
            v("NumPartitions", s.num_partitions, since(0));
            v("ReplicationFactor", s.replication_factor, since(0));
            v("Assignments", s.assignments, since(0));
            v("Configs", s.configs, since(0));
        }
        bool operator==(const topic&) const = default;
    };

    std::vector<topic> topics;
    int32_t timeout_ms = 60000;
    bool validate_only = false;

    template <class S, class V>
    static void fields(S& s, V& v) {
        v("Topics", s.topics, since(0));
        v("timeoutMs", s.timeout_ms, since(0));
        v("validateOnly", s.validate_only, since(1));
    }
    bool operator==(const create_topics_request&) const = default;
};

struct create_topics_response {
    static constexpr int16_t api_key = 19;
    static constexpr const char* schema_name = "CreateTopicsResponse";
    static constexpr version_range valid{0, 7};
    static constexpr int16_t flexible_from = 5;

    struct topic_result {
        struct config {
            std::string name;
            std::optional<std::string> value;
            bool read_only = false;
            int8_t config_source = -1;
            bool is_sensitive = false;
            template <class S, class V>
            static void fields(S& s, V& v) {
                v("Name", s.name, since(5));
                v("Value", s.value, field_spec(since(5)).nullable_in(since(5)));
                v("ReadOnly", s.read_only, since(5));
                v("ConfigSource", s.config_source, since(5));
                v("IsSensitive", s.is_sensitive, since(5));
            }
            bool operator==(const config&) const = default;
        };
        std::string name;
        uuid topic_id;
        int16_t error_code = 0;
        std::optional<std::string> error_message;
        int16_t topic_config_error_code = 0;
        int32_t num_partitions = -1;
        int16_t replication_factor = -1;
        std::optional<std::vector<config>> configs = std::vector<config>{};
        template <class S, class V>
        static void fields(S& s, V& v) {
            v("Name", s.name, since(0));
            v("TopicId", s.topic_id, since(7));
            v("ErrorCode", s.error_code, since(0));
            v("ErrorMessage", s.error_message, field_spec(since(1)).nullable_in(since(0)));
            v("TopicConfigErrorCode", s.topic_config_error_code,
              field_spec(since(5)).tagged_as(0, since(5)));
            v("NumPartitions", s.num_partitions, since(5));
            v("ReplicationFactor", s.replication_factor, since(5));
            v("Configs", s.configs, field_spec(since(5)).nullable_in(since(5)));
        }
        bool operator==(const topic_result&) const = default;
    };

    int32_t throttle_time_ms = 0;
    std::vector<topic_result> topics;

    template <class S, class V>
    static void fields(S& s, V& v) {
        v("ThrottleTimeMs", s.throttle_time_ms, since(2));
        v("Topics", s.topics, since(0));
    }
    bool operator==(const create_topics_response&) const = default;
};

}  // namespace sluice::protocol
