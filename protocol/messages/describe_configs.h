#pragma once
// DescribeConfigs (key 32). ResourceType 2 = topic, 4 = broker, 8 = broker logger.
// Null ConfigurationKeys ask for every key. v0 reports IsDefault; v1+ ConfigSource
// and synonyms; v3+ ConfigType and Documentation.

#include "protocol/codec.h"

namespace sluice::protocol {

struct describe_configs_request {
    static constexpr int16_t api_key = 32;
    static constexpr const char* schema_name = "DescribeConfigsRequest";
    static constexpr version_range valid{0, 4};
    static constexpr int16_t flexible_from = 4;

    struct resource {
        int8_t resource_type = 0;
        std::string resource_name;
        std::optional<std::vector<std::string>> configuration_keys = std::vector<std::string>{};
        template <class S, class V>
        static void fields(S& s, V& v) {
            v("ResourceType", s.resource_type, since(0));
            v("ResourceName", s.resource_name, since(0));
            v("ConfigurationKeys", s.configuration_keys,
              field_spec(since(0)).nullable_in(since(0)));
        }
        bool operator==(const resource&) const = default;
    };

    std::vector<resource> resources;
    bool include_synonyms = false;
    bool include_documentation = false;

    template <class S, class V>
    static void fields(S& s, V& v) {
        v("Resources", s.resources, since(0));
        v("IncludeSynonyms", s.include_synonyms, since(1));
        v("IncludeDocumentation", s.include_documentation, since(3));
    }
    bool operator==(const describe_configs_request&) const = default;
};

struct describe_configs_response {
    static constexpr int16_t api_key = 32;
    static constexpr const char* schema_name = "DescribeConfigsResponse";
    static constexpr version_range valid{0, 4};
    static constexpr int16_t flexible_from = 4;

    struct resource_result {
        struct config {
            struct synonym {
                std::string name;
                std::optional<std::string> value;
                int8_t source = 0;
                template <class S, class V>
                static void fields(S& s, V& v) {
                    v("Name", s.name, since(1));
                    v("Value", s.value, field_spec(since(1)).nullable_in(since(0)));
                    v("Source", s.source, since(1));
                }
                bool operator==(const synonym&) const = default;
            };
            std::string name;
            std::optional<std::string> value;
            bool read_only = false;
            bool is_default = false;
            int8_t config_source = -1;
            bool is_sensitive = false;
            std::vector<synonym> synonyms;
            int8_t config_type = 0;
            std::optional<std::string> documentation;
            template <class S, class V>
            static void fields(S& s, V& v) {
                v("Name", s.name, since(0));
                v("Value", s.value, field_spec(since(0)).nullable_in(since(0)));
                v("ReadOnly", s.read_only, since(0));
                v("IsDefault", s.is_default, between(0, 0));
                v("ConfigSource", s.config_source, since(1));
                v("IsSensitive", s.is_sensitive, since(0));
                v("Synonyms", s.synonyms, since(1));
                v("ConfigType", s.config_type, since(3));
                v("Documentation", s.documentation, field_spec(since(3)).nullable_in(since(0)));
            }
            bool operator==(const config&) const = default;
        };
        int16_t error_code = 0;
        std::optional<std::string> error_message;
        int8_t resource_type = 0;
        std::string resource_name;
        std::vector<config> configs;
        template <class S, class V>
        static void fields(S& s, V& v) {
            v("ErrorCode", s.error_code, since(0));
            v("ErrorMessage", s.error_message, field_spec(since(0)).nullable_in(since(0)));
            v("ResourceType", s.resource_type, since(0));
            v("ResourceName", s.resource_name, since(0));
            v("Configs", s.configs, since(0));
        }
        bool operator==(const resource_result&) const = default;
    };

    int32_t throttle_time_ms = 0;
    std::vector<resource_result> results;

    template <class S, class V>
    static void fields(S& s, V& v) {
        v("ThrottleTimeMs", s.throttle_time_ms, since(0));
        v("Results", s.results, since(0));
    }
    bool operator==(const describe_configs_response&) const = default;
};

}  // namespace sluice::protocol
