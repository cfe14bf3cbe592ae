#pragma once
// DescribeCluster (key 60). Flexible at every version. EndpointType (v1+)
// 1 = brokers, 2 = controllers.

#include "protocol/codec.h"

namespace sluice::protocol {

struct describe_cluster_request {
    static constexpr int16_t api_key = 60;
    static constexpr const char* schema_name = "DescribeClusterRequest";
    static constexpr version_range valid{0, 1};
    static constexpr int16_t flexible_from = 0;

    bool include_cluster_authorized_operations = false;
    int8_t endpoint_type = 1;

    template <class S, class V>
    static void fields(S& s, V& v) {
        v("IncludeClusterAuthorizedOperations", s.include_cluster_authorized_operations, since(0));
        v("EndpointType", s.endpoint_type, since(1));
    }
    bool operator==(const describe_cluster_request&) const = default;
};

struct describe_cluster_response {
    static constexpr int16_t api_key = 60;
    static constexpr const char* schema_name = "DescribeClusterResponse";
    static constexpr version_range valid{0, 1};
    static constexpr int16_t flexible_from = 0;

    struct broker {
        int32_t broker_id = 0;
        std::string host;
        int32_t port = 0;
        std::optional<std::string> rack;
        template <class S, class V>
        static void fields(S& s, V& v) {
            v("BrokerId", s.broker_id, since(0));
            v("Host", s.host, since(0));
            v("Port", s.port, since(0));
            v("Rack", s.rack, field_spec(since(0)).nullable_in(since(0)));
        }
        bool operator==(const broker&) const = default;
    };

    int32_t throttle_time_ms = 0;
    int16_t error_code = 0;
    std::optional<std::string> error_message;
    int8_t endpoint_type = 1;
    std::string cluster_id;
    int32_t controller_id = -1;
    std::vector<broker> brokers;
    int32_t cluster_authorized_operations = INT32_MIN;

    template <class S, class V>
    static void fields(S& s, V& v) {
        v("ThrottleTimeMs", s.throttle_time_ms, since(0));
        v("ErrorCode", s.error_code, since(0));
        v("ErrorMessage", s.error_message, field_spec(since(0)).nullable_in(since(0)));
        v("EndpointType", s.endpoint_type, since(1));
        v("ClusterId", s.cluster_id, since(0));
        v("ControllerId", s.controller_id, since(0));
        v("Brokers", s.brokers, since(0));
        v("ClusterAuthorizedOperations", s.cluster_authorized_operations, since(0));
    }
    bool operator==(const describe_cluster_response&) const = default;
};

}  // namespace sluice::protocol
