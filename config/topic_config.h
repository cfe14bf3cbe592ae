#pragma once
// Topic-level configuration for the broker's admin APIs (CreateTopics configs,
// DescribeConfigs, AlterConfigs, IncrementalAlterConfigs) and for building a
// partition's log settings.
//
// A topic's effective value is, in order: the topic's own override (source
// DYNAMIC_TOPIC_CONFIG), else the first of its broker synonyms that has a value,
// converted to the topic key's unit (STATIC_BROKER_CONFIG when that broker key
// was set by file/env/--set, DEFAULT_CONFIG when it is the built-in default),
// else the topic key's default. This matches Kafka's DescribeConfigs output.
//
// All functions are pure and thread-safe.

#include "config/broker_config.h"
#include "config/declarations.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::config {

struct config_synonym {
    std::string name;
    std::optional<std::string> value;  // nullopt when sensitive
    config_source source = config_source::unknown;
};

// One DescribeConfigs result entry.
struct config_entry {
    std::string name;
    std::optional<std::string> value;  // nullopt: null (no value, or sensitive)
    config_source source = config_source::unknown;
    config_type type = config_type::string;
    std::string doc;
    bool is_default = false;  // source == DEFAULT_CONFIG (DescribeConfigs v0 field)
    bool read_only = false;
    bool sensitive = false;
    // Highest precedence first: the topic override, broker keys set statically,
    // then built-in broker defaults. Callers drop them when not requested.
    std::vector<config_synonym> synonyms;
};
using topic_config_entry = config_entry;

// nullopt when `name` is a topic key and `value` is valid for it; otherwise the
// reason, e.g. `retention.ms: "abc" is not a valid long (expected an integer >= -1)`
// or `unknown topic config "retention.mss"`.
std::optional<std::string> validate_topic_config(std::string_view name, std::string_view value);

// The normalised form to store for a valid override (trimmed, booleans
// lower-cased, list items joined with ','). Throws config_error when invalid.
std::string canonical_topic_value(std::string_view name, std::string_view value);

// Every topic key (table order) resolved for a topic whose overrides are
// `overrides` (name -> value). Unknown names in `overrides` are skipped; a value
// that fails validation is reported as given.
std::vector<config_entry> effective_topic_config(
    const broker_config& broker, const std::map<std::string, std::string>& overrides);

// Every broker key with its effective value, for a BROKER resource. All are
// read-only (Sluice has no dynamic broker configs yet); sensitive values are null.
std::vector<config_entry> describe_broker_config(const broker_config& broker);

// Typed effective topic settings, for building the partition log and enforcing
// produce limits. Throws config_error if an override is invalid.
struct topic_settings {
    bool cleanup_delete = true;    // cleanup.policy contains delete
    bool cleanup_compact = false;  // cleanup.policy contains compact
    std::string compression_type;  // producer | uncompressed | gzip | snappy | lz4 | zstd
    int64_t delete_retention_ms = 0;
    int64_t file_delete_delay_ms = 0;
    int64_t flush_messages = 0;  // 1: fsync before acknowledging every append
    int64_t flush_ms = 0;
    int32_t index_interval_bytes = 0;
    int64_t max_compaction_lag_ms = 0;
    int32_t max_message_bytes = 0;
    bool message_downconversion_enable = true;
    int64_t message_timestamp_difference_max_ms = 0;
    bool log_append_time = false;  // message.timestamp.type == LogAppendTime
    double min_cleanable_dirty_ratio = 0;
    int64_t min_compaction_lag_ms = 0;
    int32_t min_insync_replicas = 0;
    bool preallocate = false;
    int64_t retention_bytes = 0;  // -1: no limit
    int64_t retention_ms = 0;     // -1: no limit
    int32_t segment_bytes = 0;
    int32_t segment_index_bytes = 0;
    int64_t segment_jitter_ms = 0;
    int64_t segment_ms = 0;
    bool unclean_leader_election_enable = false;
};
topic_settings resolve_topic_settings(const broker_config& broker,
                                      const std::map<std::string, std::string>& overrides);

}  // namespace sluice::config
