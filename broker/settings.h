#pragma once
// The broker's typed settings, filled from config::broker_config at start-up
// (see settings.cpp). Handlers read these; they never parse configuration.

#include "config/broker_config.h"
#include "storage/partition_log.h"

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace sluice::broker {

namespace security {
class credential_store;
class tls_context;
}  // namespace security

struct listener {
    std::string name;  // PLAINTEXT, SSL, ...
    std::string host;  // empty = all interfaces
    uint16_t port = 0;
    std::string security_protocol = "PLAINTEXT";
    bool sasl() const { return security_protocol.rfind("SASL_", 0) == 0; }
    bool tls() const { return security_protocol == "SSL" || security_protocol == "SASL_SSL"; }
};

struct broker_settings {
    int32_t node_id = 1;
    std::string cluster_id;
    std::vector<listener> listeners;
    std::vector<listener> advertised_listeners;
    std::vector<std::filesystem::path> log_dirs;
    int32_t num_partitions = 1;
    int16_t default_replication_factor = 1;
    bool auto_create_topics = true;
    bool delete_topic_enable = true;
    int32_t message_max_bytes = 1048588;
    int32_t socket_request_max_bytes = 104857600;
    int32_t max_connections = 2147483647;
    int32_t queued_max_requests = 500;
    int io_threads = 0;  // 0 = one per core
    int64_t retention_check_interval_ms = 300000;
    int64_t producer_id_expiration_ms = 86400000;  // idle producers' sequence state
    int64_t flush_scheduler_interval_ms = 1000;
    int32_t min_insync_replicas = 1;
    storage::log_config log_defaults;
    std::string default_compression_type = "producer";
    std::string log_level = "info";
    // SASL: mechanisms offered and the users (from sasl.users.file; null when no
    // listener uses SASL).
    std::vector<std::string> sasl_mechanisms;
    std::shared_ptr<const security::credential_store> sasl_users;
    // TLS for SSL and SASL_SSL listeners (null when there are none).
    std::shared_ptr<security::tls_context> tls;
    // The validated configuration itself (DescribeConfigs, topic defaults).
    config::broker_config config;
};

// Maps the validated configuration onto the broker's settings.
broker_settings settings_from_config(const config::broker_config& cfg);
}  // namespace sluice::broker

namespace sluice::config {
struct topic_settings;
}

namespace sluice::broker {
storage::log_config to_log_config(const config::topic_settings& t);

}  // namespace sluice::broker
