#pragma once
// ApiVersions (key 18). Its response header is always v0 (see header.h), and an
// unsupported request version is answered with a v0-encoded body.

#include "protocol/codec.h"

namespace sluice::protocol {

struct api_versions_request {
    static constexpr int16_t api_key = 18;
    static constexpr const char* schema_name = "ApiVersionsRequest";
    static constexpr version_range valid{0, 3};
    static constexpr int16_t flexible_from = 3;

    std::string client_software_name;
    std::string client_software_version;

    template <class S, class V>
    static void fields(S& s, V& v) {
        v("ClientSoftwareName", s.client_software_name, since(3));
        v("ClientSoftwareVersion", s.client_software_version, since(3));
    }
    bool operator==(const api_versions_request&) const = default;
};

struct api_versions_response {
    static constexpr int16_t api_key = 18;
    static constexpr const char* schema_name = "ApiVersionsResponse";
    static constexpr version_range valid{0, 3};
    static constexpr int16_t flexible_from = 3;

    struct api_version {
        int16_t api_key = 0;
        int16_t min_version = 0;
        int16_t max_version = 0;
        template <class S, class V>
        static void fields(S& s, V& v) {
            v("ApiKey", s.api_key, since(0));
            v("MinVersion", s.min_version, since(0));
            v("MaxVersion", s.max_version, since(0));
        }
        bool operator==(const api_version&) const = default;
    };
    struct supported_feature {
        std::string name;
        int16_t min_version = 0;
        int16_t max_version = 0;
        template <class S, class V>
        static void fields(S& s, V& v) {
            v("Name", s.name, since(3));
            v("MinVersion", s.min_version, since(3));
            v("MaxVersion", s.max_version, since(3));
        }
        bool operator==(const supported_feature&) const = default;
    };
    struct finalized_feature {
        std::string name;
        int16_t max_version_level = 0;
        int16_t min_version_level = 0;
        template <class S, class V>
        static void fields(S& s, V& v) {
            v("Name", s.name, since(3));
            v("MaxVersionLevel", s.max_version_level, since(3));
            v("MinVersionLevel", s.min_version_level, since(3));
        }
        bool operator==(const finalized_feature&) const = default;
    };

    int16_t error_code = 0;
    std::vector<api_version> api_keys;
    int32_t throttle_time_ms = 0;
    std::vector<supported_feature> supported_features;
    int64_t finalized_features_epoch = -1;
    std::vector<finalized_feature> finalized_features;
    bool zk_migration_ready = false;

    template <class S, class V>
    static void fields(S& s, V& v) {
        v("ErrorCode", s.error_code, since(0));
        v("ApiKeys", s.api_keys, since(0));
        v("ThrottleTimeMs", s.throttle_time_ms, since(1));
        v("SupportedFeatures", s.supported_features, field_spec(since(3)).tagged_as(0, since(3)));
        v("FinalizedFeaturesEpoch", s.finalized_features_epoch,
          field_spec(since(3)).tagged_as(1, since(3)));
        v("FinalizedFeatures", s.finalized_features, field_spec(since(3)).tagged_as(2, since(3)));
        v("ZkMigrationReady", s.zk_migration_ready, field_spec(since(3)).tagged_as(3, since(3)));
    }
    bool operator==(const api_versions_response&) const = default;
};

}  // namespace sluice::protocol
