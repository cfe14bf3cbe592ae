#pragma once
// The topics this broker hosts: names, ids, per-topic config overrides and the
// partitions with their logs. Readers take an immutable snapshot (one atomic
// shared_ptr load); changes (create, delete, add partitions, alter configs) are
// serialized by a mutex, persisted through storage::topic_store first, then
// published as a new snapshot. The cluster work will drive the same interface
// from the metadata log.

#include "broker/asio.h"
#include "broker/partition.h"
#include "broker/settings.h"
#include "protocol/codec.h"
#include "protocol/errors.h"
#include "storage/log_manager.h"
#include "storage/topic_store.h"

#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace sluice::broker {

struct topic_info {
    std::string name;
    protocol::uuid id;
    bool internal = false;
    std::map<std::string, std::string> overrides;
    std::vector<std::shared_ptr<partition>> partitions;
    storage::log_config log;
    // compression.type other than producer: the codec every batch is stored with.
    std::optional<protocol::compression> recompress_to;
    // cleanup.policy contains compact: how to compact its partitions.
    std::optional<storage::compaction_config> compaction;
    int32_t max_message_bytes = 1048588;
    int32_t min_insync_replicas = 1;
};

using topic_map = std::map<std::string, std::shared_ptr<const topic_info>>;

struct admin_result {
    protocol::error_code error = protocol::error_code::none;
    std::string message;
};

// Kafka's topic name rule: 1-249 characters of [a-zA-Z0-9._-], not "." or "..".
std::optional<std::string> invalid_topic_name(const std::string& name);

class topic_registry {
public:
    // `metrics` (may be null) is handed to every partition for flush latencies.
    topic_registry(asio::io_context& io, asio::thread_pool& flush_pool,
                   const broker_settings& settings, storage::log_manager& logs,
                   storage::topic_store& store, broker_metrics* metrics = nullptr);

    // Loads persisted topics and opens (recovering) their logs.
    void load();
    int segments_scanned_at_load() const { return segments_scanned_; }

    std::shared_ptr<const topic_map> snapshot() const { return std::atomic_load(&snapshot_); }
    std::shared_ptr<const topic_info> find(const std::string& name) const;

    admin_result create(const std::string& name, int32_t partitions, int16_t replication_factor,
                        const std::map<std::string, std::string>& configs, bool validate_only);
    admin_result remove(const std::string& name);
    admin_result add_partitions(const std::string& name, int32_t total, bool validate_only);
    // Replaces the topic's overrides (already validated by the caller).
    admin_result set_overrides(const std::string& name,
                               const std::map<std::string, std::string>& overrides,
                               bool validate_only);

    // Resolves a topic's effective log settings from broker defaults + overrides.
    // Returns an error message for an unknown key or a bad value.
    std::optional<std::string> resolve(const std::map<std::string, std::string>& overrides,
                                       topic_info& out) const;

    // Every partition, for shutdown, checkpoints and the retention/flush timers.
    std::vector<std::shared_ptr<partition>> all_partitions() const;

private:
    std::shared_ptr<partition> open_partition(const topic_info& t, int32_t index, bool clean,
                                              int64_t recovery_point, int64_t log_start);
    void publish(topic_map next);

    asio::io_context& io_;
    asio::thread_pool& flush_pool_;
    broker_metrics* metrics_;
    const broker_settings& settings_;
    storage::log_manager& logs_;
    storage::topic_store& store_;
    std::mutex mutex_;
    std::shared_ptr<const topic_map> snapshot_ = std::make_shared<topic_map>();
    int segments_scanned_ = 0;
};

}  // namespace sluice::broker
