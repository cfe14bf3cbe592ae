#include "broker/topic_registry.h"

#include "config/topic_config.h"

#include <spdlog/spdlog.h>

#include <random>

namespace sluice::broker {
namespace {

protocol::uuid random_uuid() {
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    protocol::uuid u;
    for (int i = 0; i < 16; i += 8) {
        uint64_t v = rng();
        for (int k = 0; k < 8; ++k) u.bytes[i + k] = uint8_t(v >> (8 * k));
    }
    u.bytes[6] = (u.bytes[6] & 0x0f) | 0x40;  // version 4
    u.bytes[8] = (u.bytes[8] & 0x3f) | 0x80;
    return u;
}

}  // namespace

std::optional<std::string> invalid_topic_name(const std::string& name) {
    if (name.empty()) return "topic name is empty";
    if (name == "." || name == "..") return "topic name cannot be '.' or '..'";
    if (name.size() > 249) return "topic name is longer than 249 characters";
    for (char c : name)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-'))
            return "topic name '" + name + "' contains a character other than [a-zA-Z0-9._-]";
    return std::nullopt;
}

topic_registry::topic_registry(asio::io_context& io, asio::thread_pool& flush_pool,
                               const broker_settings& settings, storage::log_manager& logs,
                               storage::topic_store& store, broker_metrics* metrics)
    : io_(io),
      flush_pool_(flush_pool),
      metrics_(metrics),
      settings_(settings),
      logs_(logs),
      store_(store) {}

std::optional<std::string> topic_registry::resolve(
    const std::map<std::string, std::string>& overrides, topic_info& out) const {
    for (auto& [k, v] : overrides)
        if (auto err = config::validate_topic_config(k, v)) return err;
    auto t = config::resolve_topic_settings(settings_.config, overrides);
    out.log = to_log_config(t);
    out.max_message_bytes = t.max_message_bytes;
    out.min_insync_replicas = t.min_insync_replicas;
    out.recompress_to.reset();
    if (t.compression_type != "producer") {
        protocol::compression c = protocol::compression::none;
        if (t.compression_type == "uncompressed" ||
            protocol::parse_compression(t.compression_type, c))
            out.recompress_to = c;
    }
    out.compaction.reset();
    if (t.cleanup_compact) {
        storage::compaction_config c;
        c.delete_retention_ms = t.delete_retention_ms;
        c.min_compaction_lag_ms = t.min_compaction_lag_ms;
        c.min_cleanable_dirty_ratio = t.min_cleanable_dirty_ratio;
        c.max_compaction_lag_ms = t.max_compaction_lag_ms;
        c.key_map_bytes = uint64_t(settings_.config.log_cleaner_dedupe_buffer_size);
        out.compaction = c;
    }
    return std::nullopt;
}

void topic_registry::load() {
    auto found = logs_.discover();
    std::map<storage::topic_partition, storage::discovered_log> by_tp;
    for (auto& f : found) by_tp[f.tp] = f;

    topic_map next;
    for (auto& meta : store_.load()) {
        auto t = std::make_shared<topic_info>();
        t->name = meta.name;
        t->id = meta.id;
        t->internal = !meta.name.empty() && meta.name[0] == '_' && meta.name.rfind("__", 0) == 0;
        t->overrides = meta.configs;
        if (auto err = resolve(meta.configs, *t))
            spdlog::warn("topic {}: ignoring bad stored config: {}", meta.name, *err);
        for (int32_t p = 0; p < meta.partitions; ++p) {
            storage::topic_partition tp{meta.name, p};
            auto it = by_tp.find(tp);
            bool clean = it != by_tp.end() && it->second.clean_shutdown;
            int64_t rp = it != by_tp.end() ? it->second.recovery_point : 0;
            int64_t ls = it != by_tp.end() ? it->second.log_start_offset : 0;
            t->partitions.push_back(open_partition(*t, p, clean, rp, ls));
        }
        next[t->name] = t;
    }
    publish(std::move(next));
}

std::shared_ptr<partition> topic_registry::open_partition(const topic_info& t, int32_t index,
                                                          bool clean, int64_t recovery_point,
                                                          int64_t log_start) {
    storage::topic_partition tp{t.name, index};
    auto dir = logs_.dir_for(tp) / tp.dir_name();
    auto log = storage::partition_log::open(dir, tp, t.log, recovery_point, clean, log_start);
    segments_scanned_ += log->recovery().segments_scanned;
    return std::make_shared<partition>(io_, flush_pool_, std::move(log), metrics_);
}

void topic_registry::publish(topic_map next) {
    std::atomic_store(
        &snapshot_, std::shared_ptr<const topic_map>(std::make_shared<topic_map>(std::move(next))));
}

std::shared_ptr<const topic_info> topic_registry::find(const std::string& name) const {
    auto snap = snapshot();
    auto it = snap->find(name);
    return it == snap->end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<partition>> topic_registry::all_partitions() const {
    std::vector<std::shared_ptr<partition>> out;
    auto snap = snapshot();  // keep the map alive while iterating
    for (auto& [name, t] : *snap) out.insert(out.end(), t->partitions.begin(), t->partitions.end());
    return out;
}

admin_result topic_registry::create(const std::string& name, int32_t partitions,
                                    int16_t replication_factor,
                                    const std::map<std::string, std::string>& configs,
                                    bool validate_only) {
    using protocol::error_code;
    if (auto err = invalid_topic_name(name)) return {error_code::invalid_topic_exception, *err};
    if (partitions == -1) partitions = settings_.num_partitions;
    if (replication_factor == -1) replication_factor = settings_.default_replication_factor;
    if (partitions <= 0)
        return {error_code::invalid_partitions, "Number of partitions must be larger than 0."};
    if (partitions > 100000)
        return {error_code::invalid_partitions, "Number of partitions is too large."};
    if (replication_factor <= 0)
        return {error_code::invalid_replication_factor,
                "Replication factor must be larger than 0."};
    if (replication_factor > 1)
        return {error_code::invalid_replication_factor,
                "Replication factor: " + std::to_string(replication_factor) +
                    " larger than available brokers: 1."};
    auto t = std::make_shared<topic_info>();
    t->name = name;
    t->overrides = configs;
    if (auto err = resolve(configs, *t)) return {error_code::invalid_config, *err};

    std::lock_guard lock(mutex_);
    auto snap = snapshot();
    if (snap->count(name))
        return {error_code::topic_already_exists, "Topic '" + name + "' already exists."};
    // Kafka rejects names that collide once '.' and '_' are treated alike.
    auto norm = [](std::string s) {
        for (auto& c : s)
            if (c == '.') c = '_';
        return s;
    };
    for (auto& [existing, _] : *snap)
        if (norm(existing) == norm(name))
            return {error_code::invalid_topic_exception,
                    "Topic '" + name + "' collides with existing topic: " + existing};
    if (validate_only) return {};

    t->id = random_uuid();
    t->internal = name.rfind("__", 0) == 0;
    store_.put({name, t->id, partitions, configs});
    for (int32_t p = 0; p < partitions; ++p)
        t->partitions.push_back(open_partition(*t, p, false, 0, 0));
    topic_map next = *snap;
    next[name] = t;
    publish(std::move(next));
    spdlog::info("created topic {} with {} partitions", name, partitions);
    return {};
}

admin_result topic_registry::remove(const std::string& name) {
    using protocol::error_code;
    if (!settings_.delete_topic_enable)
        return {error_code::topic_deletion_disabled, "Topic deletion is disabled."};
    std::lock_guard lock(mutex_);
    auto snap = snapshot();
    auto it = snap->find(name);
    if (it == snap->end())
        return {error_code::unknown_topic_or_partition,
                "This server does not host this topic-partition."};
    auto t = it->second;
    store_.remove(name);
    topic_map next = *snap;
    next.erase(name);
    publish(std::move(next));
    for (auto& p : t->partitions) asio::post(p->executor(), [p] { p->remove(); });
    spdlog::info("deleted topic {}", name);
    return {};
}

admin_result topic_registry::add_partitions(const std::string& name, int32_t total,
                                            bool validate_only) {
    using protocol::error_code;
    std::lock_guard lock(mutex_);
    auto snap = snapshot();
    auto it = snap->find(name);
    if (it == snap->end())
        return {error_code::unknown_topic_or_partition,
                "This server does not host this topic-partition."};
    int32_t current = int32_t(it->second->partitions.size());
    if (total <= current)
        return {error_code::invalid_partitions, "Topic currently has " + std::to_string(current) +
                                                    " partitions, " + std::to_string(total) +
                                                    " would not be an increase."};
    if (validate_only) return {};
    auto t = std::make_shared<topic_info>(*it->second);
    store_.put({name, t->id, total, t->overrides});
    for (int32_t p = current; p < total; ++p)
        t->partitions.push_back(open_partition(*t, p, false, 0, 0));
    topic_map next = *snap;
    next[name] = t;
    publish(std::move(next));
    return {};
}

admin_result topic_registry::set_overrides(const std::string& name,
                                           const std::map<std::string, std::string>& overrides,
                                           bool validate_only) {
    using protocol::error_code;
    std::lock_guard lock(mutex_);
    auto snap = snapshot();
    auto it = snap->find(name);
    if (it == snap->end())
        return {error_code::unknown_topic_or_partition,
                "This server does not host this topic-partition."};
    auto t = std::make_shared<topic_info>(*it->second);
    t->overrides = overrides;
    if (auto err = resolve(overrides, *t)) return {error_code::invalid_config, *err};
    if (validate_only) return {};
    store_.put({name, t->id, int32_t(t->partitions.size()), overrides});
    for (auto& p : t->partitions)
        asio::post(p->executor(), [p, cfg = t->log] { p->log().set_config(cfg); });
    topic_map next = *snap;
    next[name] = t;
    publish(std::move(next));
    return {};
}

}  // namespace sluice::broker
