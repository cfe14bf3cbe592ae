#include "config/topic_config.h"

#include "config/synonyms.h"

#include <algorithm>

namespace sluice::config {

namespace {

std::string in_quotes(std::string_view s) { return "\"" + std::string(s) + "\""; }

// Synonyms for the broker keys in `chain`, Kafka's order: every statically set
// one first, then every built-in default, each group in chain order.
std::vector<config_synonym> broker_synonyms(const broker_config& broker,
                                            const std::vector<synonym_decl>& chain,
                                            bool sensitive) {
    std::vector<config_synonym> out;
    for (const auto& s : chain) {
        auto it = broker.values.find(std::string(s.name));
        if (it == broker.values.end() || !it->second.value ||
            it->second.source == value_source::default_value)
            continue;
        out.push_back({std::string(s.name), sensitive ? std::nullopt : it->second.value,
                       config_source::static_broker});
    }
    for (const auto& s : chain) {
        const key_decl* d = find_broker_key(s.name);
        if (!d || !d->default_value) continue;
        out.push_back({std::string(s.name),
                       sensitive ? std::nullopt : std::optional<std::string>(*d->default_value),
                       config_source::default_config});
    }
    return out;
}

}  // namespace

std::optional<std::string> validate_topic_config(std::string_view name, std::string_view value) {
    const key_decl* d = find_topic_key(name);
    if (!d) return "unknown topic config " + in_quotes(name);
    checked_value c = check_value(*d, value);
    if (!c.canonical) return c.error;
    return std::nullopt;
}

std::string canonical_topic_value(std::string_view name, std::string_view value) {
    const key_decl* d = find_topic_key(name);
    if (!d) throw config_error(std::string(name), "unknown topic config " + in_quotes(name));
    checked_value c = check_value(*d, value);
    if (!c.canonical) throw config_error(std::string(name), c.error);
    return *c.canonical;
}

std::vector<config_entry> effective_topic_config(
    const broker_config& broker, const std::map<std::string, std::string>& overrides) {
    std::vector<config_entry> out;
    for (const key_decl* t : topic_keys()) {
        config_entry e;
        e.name = std::string(t->name);
        e.type = t->type;
        e.doc = std::string(t->doc);
        e.read_only = false;
        e.sensitive = t->sensitive();

        std::optional<std::string> value;
        if (auto o = overrides.find(e.name); o != overrides.end()) {
            checked_value c = check_value(*t, o->second);
            value = c.canonical.value_or(o->second);
            e.synonyms.push_back(
                {e.name, e.sensitive ? std::nullopt : value, config_source::dynamic_topic});
        } else if (auto r = detail::resolve_synonyms(broker.values, t->broker_synonyms)) {
            value = r->value;
        } else if (t->default_value) {
            value = std::string(*t->default_value);
        }
        auto from_broker = broker_synonyms(broker, t->broker_synonyms, e.sensitive);
        e.synonyms.insert(e.synonyms.end(), from_broker.begin(), from_broker.end());

        e.value = e.sensitive ? std::nullopt : value;
        e.source = e.synonyms.empty() ? config_source::default_config : e.synonyms.front().source;
        e.is_default = e.source == config_source::default_config;
        out.push_back(std::move(e));
    }
    return out;
}

std::vector<config_entry> describe_broker_config(const broker_config& broker) {
    std::vector<config_entry> out;
    for (const key_decl* d : broker_keys()) {
        config_entry e;
        e.name = std::string(d->name);
        e.type = d->type;
        e.doc = std::string(d->doc);
        e.read_only = true;
        e.sensitive = d->sensitive();
        if (auto it = broker.values.find(e.name); it != broker.values.end() && !e.sensitive)
            e.value = it->second.value;

        // The synonym chain this key belongs to (log.retention.ms/minutes/hours),
        // from this key on, as Kafka reports it for broker resources.
        std::vector<synonym_decl> chain{{d->name}};
        for (const key_decl* t : topic_keys()) {
            auto& s = t->broker_synonyms;
            if (std::any_of(s.begin(), s.end(),
                            [&](const synonym_decl& x) { return x.name == d->name; })) {
                chain = s;
                break;
            }
        }
        auto all = broker_synonyms(broker, chain, e.sensitive);
        auto first = std::find_if(all.begin(), all.end(),
                                  [&](const config_synonym& s) { return s.name == e.name; });
        e.synonyms.assign(first, all.end());
        e.source = e.synonyms.empty() ? config_source::default_config : e.synonyms.front().source;
        e.is_default = e.source == config_source::default_config;
        out.push_back(std::move(e));
    }
    return out;
}

topic_settings resolve_topic_settings(const broker_config& broker,
                                      const std::map<std::string, std::string>& overrides) {
    for (const auto& [name, value] : overrides)
        if (find_topic_key(name)) canonical_topic_value(name, value);  // throws when invalid

    std::map<std::string, std::string> v;
    for (auto& e : effective_topic_config(broker, overrides)) v[e.name] = e.value.value_or("");
    auto num = [&](const char* k) { return std::stoll(v.at(k)); };
    auto i32 = [&](const char* k) { return static_cast<int32_t>(std::stoll(v.at(k))); };
    auto flag = [&](const char* k) { return v.at(k) == "true"; };

    topic_settings s;
    const std::string& policy = v.at("cleanup.policy");
    s.cleanup_delete = policy.find("delete") != std::string::npos;
    s.cleanup_compact = policy.find("compact") != std::string::npos;
    s.compression_type = v.at("compression.type");
    s.delete_retention_ms = num("delete.retention.ms");
    s.file_delete_delay_ms = num("file.delete.delay.ms");
    s.flush_messages = num("flush.messages");
    s.flush_ms = num("flush.ms");
    s.index_interval_bytes = i32("index.interval.bytes");
    s.max_compaction_lag_ms = num("max.compaction.lag.ms");
    s.max_message_bytes = i32("max.message.bytes");
    s.message_downconversion_enable = flag("message.downconversion.enable");
    s.message_timestamp_difference_max_ms = num("message.timestamp.difference.max.ms");
    s.log_append_time = v.at("message.timestamp.type") == "LogAppendTime";
    s.min_cleanable_dirty_ratio = std::stod(v.at("min.cleanable.dirty.ratio"));
    s.min_compaction_lag_ms = num("min.compaction.lag.ms");
    s.min_insync_replicas = i32("min.insync.replicas");
    s.preallocate = flag("preallocate");
    s.retention_bytes = num("retention.bytes");
    s.retention_ms = num("retention.ms");
    s.segment_bytes = i32("segment.bytes");
    s.segment_index_bytes = i32("segment.index.bytes");
    s.segment_jitter_ms = num("segment.jitter.ms");
    s.segment_ms = num("segment.ms");
    s.unclean_leader_election_enable = flag("unclean.leader.election.enable");
    return s;
}

}  // namespace sluice::config
