#pragma once
// Loading the broker's configuration: built-in defaults, then the YAML file,
// then SLUICE_* environment variables, then --set key=value flags (each layer
// overrides the one before). Every key and value is checked against the
// declarations table; the first problem throws config_error and the broker must
// not start. The result is immutable after loading and may be shared by threads.

#include "config/declarations.h"
#include "config/listener.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sluice::config {

// Where an effective broker value came from.
enum class value_source : uint8_t { default_value, file, env, override_flag };
std::string_view to_string(value_source s);  // "default", "file", "env", "override"

struct effective_value {
    std::optional<std::string> value;  // canonical text; nullopt: no value (null)
    value_source source = value_source::default_value;
    std::string
        origin;  // "sluice.yaml:12", "environment variable SLUICE_X", "--set"; "" for defaults
};

// Typed view of the broker keys the code uses. Field names follow the keys.
// Obtain one from load_broker_config() (or default_broker_config()); the
// zero-initialised members of a default-constructed struct are not defaults.
struct broker_config {
    // Identity and roles
    int32_t node_id = 0;                                 // node.id (alias broker.id)
    bool broker_role = false;                            // process.roles contains "broker"
    bool controller_role = false;                        // process.roles contains "controller"
    std::optional<std::string> cluster_id;               // cluster.id
    std::vector<quorum_voter> controller_quorum_voters;  // empty: standalone single node
    std::vector<std::string> controller_listener_names;  // upper-case

    // Listeners (names upper-case, security_protocol resolved)
    std::vector<listener> listeners;
    // advertised.listeners, or when unset the non-controller listeners.
    std::vector<listener> advertised_listeners;
    std::map<std::string, std::string> listener_security_protocol_map;
    // inter.broker.listener.name, or when unset PLAINTEXT if such a listener
    // exists, otherwise the first advertised listener. Empty for controller-only.
    std::string inter_broker_listener_name;
    std::vector<endpoint> admin_listeners;  // admin.listeners (Sluice's HTTP port)

    // Connections and requests
    int32_t socket_request_max_bytes = 0;
    int32_t socket_send_buffer_bytes = 0;     // -1: OS default
    int32_t socket_receive_buffer_bytes = 0;  // -1: OS default
    int32_t max_connections = 0;
    int32_t max_connections_per_ip = 0;
    int64_t connections_max_idle_ms = 0;
    int32_t queued_max_requests = 0;  // per-connection in-flight request limit
    int32_t num_io_threads = 0;       // 0: one per core
    int32_t num_network_threads = 0;  // accepted for compatibility
    int32_t message_max_bytes = 0;

    // Topics
    int32_t num_partitions = 0;
    int32_t default_replication_factor = 0;
    int32_t min_insync_replicas = 0;
    bool auto_create_topics_enable = false;
    bool delete_topic_enable = false;
    bool unclean_leader_election_enable = false;
    std::string compression_type;

    // Log
    std::vector<std::string> log_dirs;  // log.dirs (alias log.dir)
    int32_t log_segment_bytes = 0;
    int64_t log_roll_ms = 0;         // resolved: log.roll.ms, else log.roll.hours
    int64_t log_roll_jitter_ms = 0;  // resolved: log.roll.jitter.ms, else .hours
    // resolved: log.retention.ms, else .minutes, else .hours; -1 = no time limit
    int64_t log_retention_ms = 0;
    int64_t log_retention_bytes = 0;  // -1: no size limit
    int64_t log_retention_check_interval_ms = 0;
    std::vector<std::string> log_cleanup_policy;
    int64_t log_segment_delete_delay_ms = 0;
    int32_t log_index_size_max_bytes = 0;
    int32_t log_index_interval_bytes = 0;
    bool log_preallocate = false;
    int64_t log_flush_interval_messages = 0;
    // resolved: log.flush.interval.ms, else log.flush.scheduler.interval.ms
    int64_t log_flush_interval_ms = 0;
    int64_t log_flush_scheduler_interval_ms = 0;
    int32_t log_flush_offset_checkpoint_interval_ms = 0;
    std::string log_message_timestamp_type;  // CreateTime | LogAppendTime
    int64_t log_message_timestamp_difference_max_ms = 0;
    bool log_message_downconversion_enable = false;
    bool log_cleaner_enable = false;
    int64_t log_cleaner_backoff_ms = 15000;
    int64_t log_cleaner_dedupe_buffer_size = 134217728;
    int32_t log_cleaner_threads = 0;
    int64_t log_cleaner_delete_retention_ms = 0;
    int64_t log_cleaner_min_compaction_lag_ms = 0;
    int64_t log_cleaner_max_compaction_lag_ms = 0;
    double log_cleaner_min_cleanable_ratio = 0;
    int32_t num_recovery_threads_per_data_dir = 0;

    // Consumer groups and offsets
    int32_t offsets_topic_num_partitions = 0;
    int16_t offsets_topic_replication_factor = 0;
    int32_t offsets_topic_segment_bytes = 0;
    int32_t offsets_retention_minutes = 0;
    int64_t offsets_retention_check_interval_ms = 0;
    int32_t group_min_session_timeout_ms = 0;
    int32_t group_max_session_timeout_ms = 0;
    int32_t group_initial_rebalance_delay_ms = 0;
    int32_t group_max_size = 0;

    // Transactions and idempotence
    int32_t transaction_state_log_num_partitions = 0;
    int16_t transaction_state_log_replication_factor = 0;
    int32_t transaction_state_log_min_isr = 0;
    int32_t transaction_max_timeout_ms = 0;
    int32_t transactional_id_expiration_ms = 0;
    int32_t producer_id_expiration_ms = 0;

    // Replication and leadership
    int64_t replica_lag_time_max_ms = 0;
    int32_t replica_fetch_max_bytes = 0;
    int32_t replica_fetch_min_bytes = 0;
    int32_t replica_fetch_wait_max_ms = 0;
    int32_t replica_fetch_response_max_bytes = 0;
    int32_t num_replica_fetchers = 0;
    bool auto_leader_rebalance_enable = false;
    int64_t leader_imbalance_check_interval_seconds = 0;
    bool controlled_shutdown_enable = false;

    // Security
    std::vector<std::string> sasl_enabled_mechanisms;
    std::optional<std::string> sasl_users_file;
    std::vector<std::string> super_users;  // "User:alice" principals
    std::string ssl_keystore_type;
    std::optional<std::string> ssl_keystore_location;
    std::optional<std::string> ssl_key_password;  // secret: never log it
    std::string ssl_truststore_type;
    std::optional<std::string> ssl_truststore_location;
    std::string ssl_client_auth;  // none | requested | required
    std::vector<std::string> ssl_enabled_protocols;

    // Operations
    std::string log_level;  // trace | debug | info | warn | error | critical | off

    // The file that was loaded, if any.
    std::optional<std::string> config_file;
    // Every broker key (canonical names, no aliases) with its effective value and
    // source, for DescribeConfigs and for logging the configuration at start.
    std::map<std::string, effective_value> values;
};

// Loads and validates the broker configuration.
//   file           YAML file with Kafka key names, flat (log.dirs: x) or nested
//                  (log: {dirs: x}); nullopt: defaults only.
//   set_overrides  "key=value" strings from --set, applied in order.
//   env            the process environment; only SLUICE_<KEY> variables whose name
//                  matches a declared key (or alias) are used, others are ignored.
// Throws config_error naming the source, key, value and expectation.
broker_config load_broker_config(const std::optional<std::string>& file,
                                 const std::vector<std::string>& set_overrides,
                                 const std::map<std::string, std::string>& env);

// The configuration with no file, flags or environment.
broker_config default_broker_config();

// The current process environment as a map (for load_broker_config's `env`).
std::map<std::string, std::string> process_environment();

}  // namespace sluice::config
