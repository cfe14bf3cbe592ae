#include "broker/settings.h"

#include "broker/security/scram.h"
#include "broker/security/tls.h"
#include "config/topic_config.h"

#include <stdexcept>

namespace sluice::broker {

storage::log_config to_log_config(const config::topic_settings& t) {
    storage::log_config c;
    c.segment_bytes = uint64_t(t.segment_bytes);
    c.segment_ms = t.segment_ms;
    c.segment_index_bytes = uint32_t(t.segment_index_bytes);
    c.index_interval_bytes = uint32_t(t.index_interval_bytes);
    c.retention_ms = t.retention_ms;
    c.retention_bytes = t.retention_bytes;
    c.flush_messages = t.flush_messages;
    c.flush_ms = t.flush_ms;
    c.file_delete_delay_ms = t.file_delete_delay_ms;
    c.log_append_time = t.log_append_time;
    if (!t.cleanup_delete) {
        // cleanup.policy=compact alone: Kafka never deletes such segments by age or
        // size (compaction, not retention, bounds them).
        c.retention_ms = -1;
        c.retention_bytes = -1;
    }
    return c;
}

broker_settings settings_from_config(const config::broker_config& cfg) {
    broker_settings s;
    s.config = cfg;
    s.node_id = cfg.node_id;
    s.cluster_id = cfg.cluster_id.value_or("");
    auto convert = [](const std::vector<config::listener>& in) {
        std::vector<listener> out;
        for (auto& l : in) out.push_back({l.name, l.host, l.port});
        return out;
    };
    // Only client listeners are served here; controller listeners belong to the
    // quorum work.
    for (auto& l : cfg.listeners) {
        bool controller = false;
        for (auto& n : cfg.controller_listener_names) controller |= n == l.name;
        if (controller) continue;
        s.listeners.push_back({l.name, l.host, l.port, l.security_protocol});
    }
    s.sasl_mechanisms = cfg.sasl_enabled_mechanisms;
    bool sasl = false, tls = false;
    for (auto& l : s.listeners) {
        sasl |= l.sasl();
        tls |= l.tls();
    }
    if (tls) s.tls = std::make_shared<security::tls_context>(cfg);
    if (sasl && cfg.sasl_users_file) {
        auto users = std::make_shared<security::credential_store>(
            security::credential_store::load_file(*cfg.sasl_users_file));
        s.sasl_users = std::move(users);
    }
    s.advertised_listeners = convert(cfg.advertised_listeners);
    for (auto& a : s.advertised_listeners)
        for (auto& l : cfg.listeners)
            if (l.name == a.name) a.security_protocol = l.security_protocol;
    if (s.advertised_listeners.empty()) s.advertised_listeners = s.listeners;
    for (auto& a : s.advertised_listeners)
        if (a.host.empty() || a.host == "0.0.0.0" || a.host == "::") a.host = "localhost";
    for (auto& d : cfg.log_dirs) s.log_dirs.emplace_back(d);
    s.num_partitions = cfg.num_partitions;
    s.default_replication_factor = int16_t(cfg.default_replication_factor);
    s.auto_create_topics = cfg.auto_create_topics_enable;
    s.delete_topic_enable = cfg.delete_topic_enable;
    s.message_max_bytes = cfg.message_max_bytes;
    s.socket_request_max_bytes = cfg.socket_request_max_bytes;
    s.max_connections = cfg.max_connections;
    s.queued_max_requests = cfg.queued_max_requests;
    s.io_threads = cfg.num_io_threads;
    s.retention_check_interval_ms = cfg.log_retention_check_interval_ms;
    s.producer_id_expiration_ms = cfg.producer_id_expiration_ms;
    s.flush_scheduler_interval_ms = cfg.log_flush_scheduler_interval_ms;
    s.min_insync_replicas = cfg.min_insync_replicas;
    s.default_compression_type = cfg.compression_type;
    s.log_defaults = to_log_config(config::resolve_topic_settings(cfg, {}));
    s.log_level = cfg.log_level;
    if (s.cluster_id.empty()) s.cluster_id = "sluice-single-node";
    return s;
}

}  // namespace sluice::broker
