#pragma once
// DeleteTopics (key 20). v0-5 name topics in TopicNames; v6 sends Topics, each
// with a (nullable) name or a topic id.

#include "protocol/codec.h"

namespace sluice::protocol {

struct delete_topics_request {
    static constexpr int16_t api_key = 20;
    static constexpr const char* schema_name = "DeleteTopicsRequest";
    static constexpr version_range valid{0, 6};
    static constexpr int16_t flexible_from = 4;

    struct topic {
        std::optional<std::string> name;
        uuid topic_id;
        template <class S, class V>
        static void fields(S& s, V& v) {
            v("Name", s.name, field_spec(since(6)).nullable_in(since(6)));
            v("TopicId", s.topic_id, since(6));
        }
        bool operator==(const topic&) const = default;
    };

    std::vector<topic> topics;
    std::vector<std::string> topic_names;
    int32_t timeout_ms = 0;

    template <class S, class V>
    static void fields(S& s, V& v) {
        v("Topics", s.topics, since(6));
        v("TopicNames", s.topic_names, between(0, 5));
        v("TimeoutMs", s.timeout_ms, since(0));
    }
    bool operator==(const delete_topics_request&) const = default;
};

struct delete_topics_response {
    static constexpr int16_t api_key = 20;
    static constexpr const char* schema_name = "DeleteTopicsResponse";
    static constexpr version_range valid{0, 6};
    static constexpr int16_t flexible_from = 4;

    struct topic_result {
        std::optional<std::string> name;
        uuid topic_id;
        int16_t error_code = 0;
        std::optional<std::string> error_message;
        template <class S, class V>
        static void fields(S& s, V& v) {
            v("Name", s.name, field_spec(since(0)).nullable_in(since(6)));
            v("TopicId", s.topic_id, since(6));
            v("ErrorCode", s.error_code, since(0));
            v("ErrorMessage", s.error_message, field_spec(since(5)).nullable_in(since(5)));
        }
        bool operator==(const topic_result&) const = default;
    };

    int32_t throttle_time_ms = 0;
    std::vector<topic_result> responses;

    template <class S, class V>
    static void fields(S& s, V& v) {
        v("ThrottleTimeMs", s.throttle_time_ms, since(1));
        v("Responses", s.responses, since(0));
    }
    bool operator==(const delete_topics_response&) const = default;
};

}  // namespace sluice::protocol
