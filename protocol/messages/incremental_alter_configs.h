#pragma once
// IncrementalAlterConfigs (key 44). ConfigOperation 0 = set, 1 = delete,
// 2 = append, 3 = subtract.

#include "protocol/codec.h"

namespace sluice::protocol {

struct incremental_alter_configs_request {
    static constexpr int16_t api_key = 44;
    static constexpr const char* schema_name = "IncrementalAlterConfigsRequest";
    static constexpr version_range valid{0, 1};
    static constexpr int16_t flexible_from = 1;

    struct resource {
        struct config {
            std::string name;
            int8_t config_operation = 0;
            std::optional<std::string> value;
            template <class S, class V>
            static void fields(S& s, V& v) {
                v("Name", s.name, since(0));
                v("ConfigOperation", s.config_operation, since(0));
                v("Value", s.value, field_spec(since(0)).nullable_in(since(0)));
            }
            bool operator==(const config&) const = default;
        };
        int8_t resource_type = 0;
        std::string resource_name;
        std::vector<config> configs;
        template <class S, class V>
        static void fields(S& s, V& v) {
            v("ResourceType", s.resource_type, since(0));
            v("ResourceName", s.resource_name, since(0));
            v("Configs", s.configs, since(0));
        }
        bool operator==(const resource&) const = default;
    };

    std::vector<resource> resources;
    bool validate_only = false;

    template <class S, class V>
    static void fields(S& s, V& v) {
        v("Resources", s.resources, since(0));
        v("ValidateOnly", s.validate_only, since(0));
    }
    bool operator==(const incremental_alter_configs_request&) const = default;
};

struct incremental_alter_configs_response {
    static constexpr int16_t api_key = 44;
    static constexpr const char* schema_name = "IncrementalAlterConfigsResponse";
    static constexpr version_range valid{0, 1};
    static constexpr int16_t flexible_from = 1;

    struct resource_response {
        int16_t error_code = 0;
        std::optional<std::string> error_message;
        int8_t resource_type = 0;
        std::string resource_name;
        template <class S, class V>
        static void fields(S& s, V& v) {
            v("ErrorCode", s.error_code, since(0));
            v("ErrorMessage", s.error_message, field_spec(since(0)).nullable_in(since(0)));
            v("ResourceType", s.resource_type, since(0));
            v("ResourceName", s.resource_name, since(0));
        }
        bool operator==(const resource_response&) const = default;
    };

    int32_t throttle_time_ms = 0;
    std::vector<resource_response> responses;

    template <class S, class V>
    static void fields(S& s, V& v) {
        v("ThrottleTimeMs", s.throttle_time_ms, since(0));
        v("Responses", s.responses, since(0));
    }
    bool operator==(const incremental_alter_configs_response&) const = default;
};

}  // namespace sluice::protocol
