#pragma once
// CreatePartitions (key 37). Count is the new total number of partitions; null
// Assignments leave the placement of the new partitions to the broker.

#include "protocol/codec.h"

namespace sluice::protocol {

struct create_partitions_request {
    static constexpr int16_t api_key = 37;
    static constexpr const char* schema_name = "CreatePartitionsRequest";
    static constexpr version_range valid{0, 3};
    static constexpr int16_t flexible_from = 2;

    struct topic {
        struct assignment {
            std::vector<int32_t> broker_ids;
            template <class S, class V>
            static void fields(S& s, V& v) {
                v("BrokerIds", s.broker_ids, since(0));
            }
            bool operator==(const assignment&) const = default;
        };
        std::string name;
        int32_t count = 0;
        std::optional<std::vector<assignment>> assignments = std::vector<assignment>{};
        template <class S, class V>
        static void fields(S& s, V& v) {
            v("Name", s.name, since(0));
            v("Count", s.count, since(0));
            v("Assignments", s.assignments, field_spec(since(0)).nullable_in(since(0)));
        }
        bool operator==(const topic&) const = default;
    };

    std::vector<topic> topics;
    int32_t timeout_ms = 0;
    bool validate_only = false;

    template <class S, class V>
    static void fields(S& s, V& v) {
        v("Topics", s.topics, since(0));
        v("TimeoutMs", s.timeout_ms, since(0));
        v("ValidateOnly", s.validate_only, since(0));
    }
    bool operator==(const create_partitions_request&) const = default;
};

struct create_partitions_response {
    static constexpr int16_t api_key = 37;
    static constexpr const char* schema_name = "CreatePartitionsResponse";
    static constexpr version_range valid{0, 3};
    static constexpr int16_t flexible_from = 2;

    struct topic_result {
        std::string name;
        int16_t error_code = 0;
        std::optional<std::string> error_message;
        template <class S, class V>
        static void fields(S& s, V& v) {
            v("Name", s.name, since(0));
            v("ErrorCode", s.error_code, since(0));
            v("ErrorMessage", s.error_message, field_spec(since(0)).nullable_in(since(0)));
        }
        bool operator==(const topic_result&) const = default;
    };

    int32_t throttle_time_ms = 0;
    std::vector<topic_result> results;

    template <class S, class V>
    static void fields(S& s, V& v) {
        v("ThrottleTimeMs", s.throttle_time_ms, since(0));
        v("Results", s.results, since(0));
    }
    bool operator==(const create_partitions_response&) const = default;
};

}  // namespace sluice::protocol
