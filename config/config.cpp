// Loading the broker configuration: defaults < YAML file < SLUICE_* environment
// < --set. Each value is checked when its layer is applied, so the error names
// where it came from; checks that involve several keys run once at the end.

#include "config/broker_config.h"

#include "config/synonyms.h"

// GCC 12 reports -Wdangling-pointer inside yaml-cpp's node templates; the
// warnings point into yaml-cpp's headers, not at this file.
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 12
#pragma GCC diagnostic ignored "-Wdangling-pointer"
#endif
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <set>
#include <stdexcept>

extern char** environ;

namespace sluice::config {

std::string_view to_string(value_source s) {
    switch (s) {
        case value_source::default_value:
            return "default";
        case value_source::file:
            return "file";
        case value_source::env:
            return "env";
        case value_source::override_flag:
            return "override";
    }
    return "default";
}

namespace detail {

std::optional<resolved_synonym> resolve_synonyms(
    const std::map<std::string, effective_value>& values, const std::vector<synonym_decl>& chain) {
    for (const auto& s : chain) {
        auto it = values.find(std::string(s.name));
        if (it == values.end() || !it->second.value) continue;
        resolved_synonym r;
        r.from = &s;
        r.source = &it->second;
        if (s.multiplier == 1) {
            r.value = *it->second.value;
        } else {
            int64_t v = std::stoll(*it->second.value);
            r.value = std::to_string(v < 0 ? -1 : v * s.multiplier);
        }
        return r;
    }
    return std::nullopt;
}

}  // namespace detail

namespace {

std::string in_quotes(std::string_view s) { return "\"" + std::string(s) + "\""; }

size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (size_t j = 1; j <= b.size(); ++j)
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])});
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

// "unknown configuration key ..." with a hint: the broker-wide synonym of a
// topic-level key, or the closest broker key.
std::string unknown_key_message(std::string_view key) {
    if (const key_decl* t = find_topic_key(key); t && !t->broker_synonyms.empty()) {
        return in_quotes(key) + " is a topic-level config; set its broker-wide default with " +
               in_quotes(t->broker_synonyms.front().name);
    }
    std::string best;
    size_t best_distance = 4;
    for (const key_decl* d : broker_keys()) {
        auto consider = [&](std::string_view name) {
            size_t dist = edit_distance(key, name);
            if (dist < best_distance) {
                best_distance = dist;
                best = std::string(name);
            }
        };
        consider(d->name);
        for (auto a : d->aliases) consider(a);
    }
    std::string msg = "unknown configuration key " + in_quotes(key);
    if (!best.empty()) msg += " (did you mean " + in_quotes(best) + "?)";
    return msg;
}

std::vector<std::string> split_list(std::string_view v) {
    std::vector<std::string> out;
    if (v.empty()) return out;
    size_t start = 0;
    while (true) {
        size_t comma = v.find(',', start);
        out.emplace_back(v.substr(start, comma == v.npos ? v.npos : comma - start));
        if (comma == v.npos) break;
        start = comma + 1;
    }
    return out;
}

std::string upper(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

// One key: value pair found in the YAML file, after flattening.
struct file_setting {
    std::string key;
    std::optional<std::string> value;  // nullopt: YAML null / empty
    int line = 0;
    bool was_sequence = false;
};

class loader {
public:
    loader() {
        for (const key_decl* d : broker_keys()) {
            effective_value v;
            if (d->default_value) v.value = std::string(*d->default_value);
            values_[std::string(d->name)] = std::move(v);
        }
    }

    void load_file(const std::string& path) {
        std::error_code ec;
        auto status = std::filesystem::status(path, ec);
        if (ec || !std::filesystem::exists(status))
            throw config_error("",
                               "cannot read configuration file " + path + ": it does not exist");
        if (std::filesystem::is_directory(status))
            throw config_error("",
                               "cannot read configuration file " + path + ": it is a directory");
        YAML::Node root;
        try {
            root = YAML::LoadFile(path);
        } catch (const YAML::BadFile&) {
            throw config_error("", "cannot read configuration file " + path);
        } catch (const YAML::ParserException& e) {
            throw config_error("", path + ":" + std::to_string(e.mark.line + 1) + ":" +
                                       std::to_string(e.mark.column + 1) +
                                       ": YAML syntax error: " + e.msg);
        }
        if (!root || root.IsNull()) return;  // an empty file sets nothing
        if (!root.IsMap())
            throw config_error("", path + ":" + std::to_string(root.Mark().line + 1) +
                                       ": the file must be a map of key: value pairs");

        std::vector<file_setting> settings;
        flatten(root, "", path, settings);

        std::map<std::string, std::pair<std::string, int>> seen;  // key -> (spelling, line)
        for (auto& s : settings) {
            std::string prefix = path + ":" + std::to_string(s.line) + ": ";
            const key_decl* d = find_broker_key(s.key);
            if (!d) throw config_error(s.key, prefix + unknown_key_message(s.key));
            auto [it, inserted] = seen.emplace(std::string(d->name), std::make_pair(s.key, s.line));
            if (!inserted) {
                const auto& [first_spelling, first_line] = it->second;
                std::string what = first_spelling == s.key
                                       ? in_quotes(s.key) + " is set twice"
                                       : in_quotes(first_spelling) + " and " + in_quotes(s.key) +
                                             " both set " + in_quotes(d->name);
                throw config_error(std::string(d->name), prefix + what + " (lines " +
                                                             std::to_string(first_line) + " and " +
                                                             std::to_string(s.line) + ")");
            }
            if (s.was_sequence && !d->is_list()) {
                throw config_error(std::string(d->name), prefix + std::string(d->name) +
                                                             ": got a YAML list (expected " +
                                                             expectation(*d) + ")");
            }
            apply(*d, s.key, s.value, value_source::file, path + ":" + std::to_string(s.line),
                  prefix);
        }
    }

    void load_env(const std::map<std::string, std::string>& env) {
        std::map<std::string, std::pair<const key_decl*, std::string>> by_variable;
        for (const key_decl* d : broker_keys()) {
            by_variable[environment_variable_for(d->name)] = {d, std::string(d->name)};
            for (auto a : d->aliases)
                by_variable[environment_variable_for(a)] = {d, std::string(a)};
        }
        std::map<std::string, std::string> used;  // canonical key -> variable
        for (const auto& [name, value] : env) {
            auto it = by_variable.find(name);
            if (it == by_variable.end()) continue;  // SLUICE_BIN, SLUICE_TEST_*, ...: not ours
            const auto& [d, spelled] = it->second;
            auto [u, inserted] = used.emplace(std::string(d->name), name);
            if (!inserted) {
                throw config_error(std::string(d->name), "environment variables " + u->second +
                                                             " and " + name + " both set " +
                                                             in_quotes(d->name));
            }
            std::string origin = "environment variable " + name;
            apply(*d, spelled, value, value_source::env, origin, origin + ": ");
        }
    }

    void load_overrides(const std::vector<std::string>& overrides) {
        for (const auto& o : overrides) {
            size_t eq = o.find('=');
            std::string key = eq == o.npos ? o : o.substr(0, eq);
            while (!key.empty() && std::isspace(static_cast<unsigned char>(key.back())))
                key.pop_back();
            while (!key.empty() && std::isspace(static_cast<unsigned char>(key.front())))
                key.erase(0, 1);
            if (eq == o.npos || key.empty())
                throw config_error(key, "--set " + in_quotes(o) + ": expected key=value");
            const key_decl* d = find_broker_key(key);
            if (!d) throw config_error(key, "--set: " + unknown_key_message(key));
            apply(*d, key, o.substr(eq + 1), value_source::override_flag, "--set", "--set: ");
        }
    }

    broker_config finish(const std::optional<std::string>& file) {
        broker_config c;
        c.config_file = file;
        fill(c);
        c.values = values_;
        return c;
    }

private:
    std::map<std::string, effective_value> values_;

    void flatten(const YAML::Node& map, const std::string& prefix, const std::string& path,
                 std::vector<file_setting>& out) {
        for (auto it = map.begin(); it != map.end(); ++it) {
            const YAML::Node& k = it->first;
            const YAML::Node& v = it->second;
            int line = k.Mark().line + 1;
            if (!k.IsScalar() || k.Scalar().empty())
                throw config_error("", path + ":" + std::to_string(line) +
                                           ": keys must be plain names such as log.dirs");
            std::string key = prefix.empty() ? k.Scalar() : prefix + "." + k.Scalar();
            file_setting s;
            s.key = key;
            s.line = line;
            if (v.IsMap()) {
                const key_decl* d = find_broker_key(key);
                if (d && d->name == "listener.security.protocol.map") {
                    // The one key whose value is itself a map: {EXTERNAL: SSL} -> "EXTERNAL:SSL"
                    std::string joined;
                    for (auto e = v.begin(); e != v.end(); ++e) {
                        if (!e->first.IsScalar() || !e->second.IsScalar())
                            throw config_error(key, path + ":" + std::to_string(line) + ": " + key +
                                                        ": nested values are not allowed here");
                        if (!joined.empty()) joined += ',';
                        joined += e->first.Scalar() + ":" + e->second.Scalar();
                    }
                    s.value = joined;
                    out.push_back(std::move(s));
                } else if (d) {
                    throw config_error(std::string(d->name),
                                       path + ":" + std::to_string(line) + ": " + key +
                                           ": got a YAML map (expected " + expectation(*d) + ")");
                } else if (v.size() == 0) {
                    throw config_error(
                        key, path + ":" + std::to_string(line) + ": " + unknown_key_message(key));
                } else {
                    flatten(v, key, path, out);
                }
                continue;
            }
            if (v.IsSequence()) {
                std::string joined;
                for (size_t i = 0; i < v.size(); ++i) {
                    if (!v[i].IsScalar())
                        throw config_error(key, path + ":" + std::to_string(v[i].Mark().line + 1) +
                                                    ": " + key +
                                                    ": list items must be plain values");
                    if (i) joined += ',';
                    joined += v[i].Scalar();
                }
                s.value = joined;
                s.was_sequence = true;
            } else if (v.IsScalar()) {
                s.value = v.Scalar();
            }  // null: no value
            out.push_back(std::move(s));
        }
    }

    void apply(const key_decl& d, std::string_view spelled, const std::optional<std::string>& raw,
               value_source source, std::string origin, const std::string& prefix) {
        std::string name(d.name);
        std::string label =
            spelled == d.name ? name : std::string(spelled) + " (alias of " + name + ")";
        effective_value v;
        v.source = source;
        v.origin = std::move(origin);
        if (!raw) {
            if (d.default_value)
                throw config_error(
                    name, prefix + label + ": no value given (expected " + expectation(d) + ")");
        } else {
            checked_value c = check_value(d, *raw);
            if (!c.canonical) {
                std::string msg = c.error;
                if (label != name) msg = label + msg.substr(name.size());
                throw config_error(name, prefix + msg);
            }
            v.value = std::move(c.canonical);
        }
        values_[name] = std::move(v);
    }

    // ---- typed access ----

    const effective_value& ev(std::string_view key) const {
        auto it = values_.find(std::string(key));
        if (it == values_.end())
            throw std::logic_error("config: typed field reads undeclared key " + std::string(key));
        return it->second;
    }
    std::string str(std::string_view key) const { return ev(key).value.value_or(""); }
    std::optional<std::string> opt_str(std::string_view key) const {
        const auto& v = ev(key).value;
        if (!v || v->empty()) return std::nullopt;
        return v;
    }
    int64_t num(std::string_view key) const { return std::stoll(ev(key).value.value()); }
    int32_t i32(std::string_view key) const { return static_cast<int32_t>(num(key)); }
    bool flag(std::string_view key) const { return str(key) == "true"; }
    double dbl(std::string_view key) const { return std::stod(ev(key).value.value()); }
    std::vector<std::string> list(std::string_view key) const { return split_list(str(key)); }

    // The value of a topic key's broker synonym chain, e.g. log.retention.* for retention.ms.
    int64_t derived(std::string_view topic_key) const {
        const key_decl* t = find_topic_key(topic_key);
        if (!t) throw std::logic_error("config: unknown topic key " + std::string(topic_key));
        auto r = detail::resolve_synonyms(values_, t->broker_synonyms);
        return std::stoll(r ? r->value : std::string(t->default_value.value()));
    }

    [[noreturn]] void fail(std::string_view key, const std::string& message) const {
        const auto& v = ev(key);
        std::string prefix = v.origin.empty() ? "" : v.origin + ": ";
        throw config_error(std::string(key), prefix + std::string(key) + ": " + message);
    }

    void fill(broker_config& c) const {
        // Identity and roles
        c.node_id = i32("node.id");
        for (const auto& r : list("process.roles")) {
            if (r == "broker") c.broker_role = true;
            if (r == "controller") c.controller_role = true;
        }
        c.cluster_id = opt_str("cluster.id");
        c.controller_quorum_voters = parse_quorum_voters(str("controller.quorum.voters"));
        for (const auto& n : list("controller.listener.names"))
            c.controller_listener_names.push_back(upper(n));
        auto is_controller_listener = [&](const std::string& name) {
            return std::find(c.controller_listener_names.begin(), c.controller_listener_names.end(),
                             name) != c.controller_listener_names.end();
        };

        // Listeners
        c.listener_security_protocol_map =
            parse_security_protocol_map(str("listener.security.protocol.map"));
        c.listeners = parse_listeners(str("listeners"));
        for (auto& l : c.listeners) {
            auto it = c.listener_security_protocol_map.find(l.name);
            if (it == c.listener_security_protocol_map.end())
                fail("listeners", "listener " + in_quotes(l.name) +
                                      " has no security protocol (expected an entry " + l.name +
                                      ":<PROTOCOL> in listener.security.protocol.map)");
            l.security_protocol = it->second;
        }
        auto find_listener = [&](const std::string& name) -> const listener* {
            for (const auto& l : c.listeners)
                if (l.name == name) return &l;
            return nullptr;
        };
        if (auto adv = opt_str("advertised.listeners")) {
            c.advertised_listeners = parse_listeners(*adv, "advertised.listeners");
            for (auto& a : c.advertised_listeners) {
                const listener* l = find_listener(a.name);
                if (!l)
                    fail("advertised.listeners",
                         "listener name " + in_quotes(a.name) +
                             " is not one of the listeners (expected names from listeners: " +
                             str("listeners") + ")");
                if (is_controller_listener(a.name))
                    fail("advertised.listeners",
                         "listener " + in_quotes(a.name) +
                             " is a controller listener, which is never advertised");
                a.security_protocol = l->security_protocol;
            }
        } else {
            for (const auto& l : c.listeners)
                if (!is_controller_listener(l.name)) c.advertised_listeners.push_back(l);
        }
        c.admin_listeners = parse_endpoints(str("admin.listeners"));

        bool has_controller_listener =
            std::any_of(c.listeners.begin(), c.listeners.end(),
                        [&](const listener& l) { return is_controller_listener(l.name); });
        if (c.broker_role && c.advertised_listeners.empty())
            fail("listeners",
                 "a broker needs a listener that is not a controller listener "
                 "(controller.listener.names is " +
                     str("controller.listener.names") + ")");
        if (c.controller_role && !c.broker_role) {
            for (const auto& l : c.listeners)
                if (!is_controller_listener(l.name))
                    fail("listeners",
                         "a controller-only node may only have controller listeners, "
                         "but " +
                             in_quotes(l.name) + " is not in controller.listener.names");
        }

        if (c.broker_role) {
            if (auto ib = opt_str("inter.broker.listener.name")) {
                std::string name = upper(*ib);
                if (is_controller_listener(name))
                    fail("inter.broker.listener.name",
                         in_quotes(*ib) + " is a controller listener (expected a broker listener)");
                bool found =
                    std::any_of(c.advertised_listeners.begin(), c.advertised_listeners.end(),
                                [&](const listener& l) { return l.name == name; });
                if (!found)
                    fail("inter.broker.listener.name",
                         in_quotes(*ib) +
                             " is not an advertised listener (expected one of the names in " +
                             (opt_str("advertised.listeners") ? "advertised.listeners"
                                                              : "listeners") +
                             ")");
                c.inter_broker_listener_name = name;
            } else {
                auto plaintext =
                    std::find_if(c.advertised_listeners.begin(), c.advertised_listeners.end(),
                                 [](const listener& l) { return l.name == "PLAINTEXT"; });
                c.inter_broker_listener_name = plaintext != c.advertised_listeners.end()
                                                   ? plaintext->name
                                                   : c.advertised_listeners.front().name;
            }
        }

        // Quorum
        if (c.controller_quorum_voters.empty()) {
            if (!(c.broker_role && c.controller_role))
                fail("process.roles",
                     "must be broker,controller when controller.quorum.voters is empty "
                     "(a standalone node is its own quorum); set controller.quorum.voters "
                     "to run as " +
                         str("process.roles") + " only");
        } else {
            bool voter =
                std::any_of(c.controller_quorum_voters.begin(), c.controller_quorum_voters.end(),
                            [&](const quorum_voter& v) { return v.id == c.node_id; });
            if (c.controller_role && !voter)
                fail("controller.quorum.voters",
                     "node.id " + std::to_string(c.node_id) +
                         " is a controller but is not among the voters (expected an entry " +
                         std::to_string(c.node_id) + "@host:port)");
            if (!c.controller_role && voter)
                fail("controller.quorum.voters",
                     "node.id " + std::to_string(c.node_id) +
                         " is listed as a voter but process.roles does not include controller");
            if (c.controller_role && !has_controller_listener)
                fail("listeners",
                     "a controller in a multi-node quorum needs a listener named in "
                     "controller.listener.names (" +
                         str("controller.listener.names") + ")");
        }

        // Connections and requests
        c.socket_request_max_bytes = i32("socket.request.max.bytes");
        c.socket_send_buffer_bytes = i32("socket.send.buffer.bytes");
        c.socket_receive_buffer_bytes = i32("socket.receive.buffer.bytes");
        c.max_connections = i32("max.connections");
        c.max_connections_per_ip = i32("max.connections.per.ip");
        c.connections_max_idle_ms = num("connections.max.idle.ms");
        c.queued_max_requests = i32("queued.max.requests");
        c.num_io_threads = i32("num.io.threads");
        c.num_network_threads = i32("num.network.threads");
        c.message_max_bytes = i32("message.max.bytes");

        // Topics
        c.num_partitions = i32("num.partitions");
        c.default_replication_factor = i32("default.replication.factor");
        c.min_insync_replicas = i32("min.insync.replicas");
        c.auto_create_topics_enable = flag("auto.create.topics.enable");
        c.delete_topic_enable = flag("delete.topic.enable");
        c.unclean_leader_election_enable = flag("unclean.leader.election.enable");
        c.compression_type = str("compression.type");

        // Log
        c.log_dirs = list("log.dirs");
        {
            std::set<std::string> dirs;
            for (const auto& d : c.log_dirs) {
                std::string norm = std::filesystem::path(d).lexically_normal().string();
                if (!dirs.insert(norm).second)
                    fail("log.dirs", "directory " + in_quotes(d) + " is listed twice");
            }
        }
        c.log_segment_bytes = i32("log.segment.bytes");
        c.log_roll_ms = derived("segment.ms");
        c.log_roll_jitter_ms = derived("segment.jitter.ms");
        c.log_retention_ms = derived("retention.ms");
        c.log_retention_bytes = num("log.retention.bytes");
        c.log_retention_check_interval_ms = num("log.retention.check.interval.ms");
        c.log_cleanup_policy = list("log.cleanup.policy");
        c.log_segment_delete_delay_ms = num("log.segment.delete.delay.ms");
        c.log_index_size_max_bytes = i32("log.index.size.max.bytes");
        c.log_index_interval_bytes = i32("log.index.interval.bytes");
        c.log_preallocate = flag("log.preallocate");
        c.log_flush_interval_messages = num("log.flush.interval.messages");
        c.log_flush_interval_ms = derived("flush.ms");
        c.log_flush_scheduler_interval_ms = num("log.flush.scheduler.interval.ms");
        c.log_flush_offset_checkpoint_interval_ms = i32("log.flush.offset.checkpoint.interval.ms");
        c.log_message_timestamp_type = str("log.message.timestamp.type");
        c.log_message_timestamp_difference_max_ms = num("log.message.timestamp.difference.max.ms");
        c.log_message_downconversion_enable = flag("log.message.downconversion.enable");
        c.log_cleaner_enable = flag("log.cleaner.enable");
        c.log_cleaner_backoff_ms = num("log.cleaner.backoff.ms");
        c.log_cleaner_dedupe_buffer_size = num("log.cleaner.dedupe.buffer.size");
        c.log_cleaner_threads = i32("log.cleaner.threads");
        c.log_cleaner_delete_retention_ms = num("log.cleaner.delete.retention.ms");
        c.log_cleaner_min_compaction_lag_ms = num("log.cleaner.min.compaction.lag.ms");
        c.log_cleaner_max_compaction_lag_ms = num("log.cleaner.max.compaction.lag.ms");
        c.log_cleaner_min_cleanable_ratio = dbl("log.cleaner.min.cleanable.ratio");
        c.num_recovery_threads_per_data_dir = i32("num.recovery.threads.per.data.dir");

        // Consumer groups and offsets
        c.offsets_topic_num_partitions = i32("offsets.topic.num.partitions");
        c.offsets_topic_replication_factor =
            static_cast<int16_t>(num("offsets.topic.replication.factor"));
        c.offsets_topic_segment_bytes = i32("offsets.topic.segment.bytes");
        c.offsets_retention_minutes = i32("offsets.retention.minutes");
        c.offsets_retention_check_interval_ms = num("offsets.retention.check.interval.ms");
        c.group_min_session_timeout_ms = i32("group.min.session.timeout.ms");
        c.group_max_session_timeout_ms = i32("group.max.session.timeout.ms");
        c.group_initial_rebalance_delay_ms = i32("group.initial.rebalance.delay.ms");
        c.group_max_size = i32("group.max.size");
        if (c.group_min_session_timeout_ms > c.group_max_session_timeout_ms)
            fail("group.min.session.timeout.ms",
                 std::to_string(c.group_min_session_timeout_ms) +
                     " is larger than group.max.session.timeout.ms (" +
                     std::to_string(c.group_max_session_timeout_ms) + ")");

        // Transactions
        c.transaction_state_log_num_partitions = i32("transaction.state.log.num.partitions");
        c.transaction_state_log_replication_factor =
            static_cast<int16_t>(num("transaction.state.log.replication.factor"));
        c.transaction_state_log_min_isr = i32("transaction.state.log.min.isr");
        c.transaction_max_timeout_ms = i32("transaction.max.timeout.ms");
        c.transactional_id_expiration_ms = i32("transactional.id.expiration.ms");
        c.producer_id_expiration_ms = i32("producer.id.expiration.ms");

        // Replication
        c.replica_lag_time_max_ms = num("replica.lag.time.max.ms");
        c.replica_fetch_max_bytes = i32("replica.fetch.max.bytes");
        c.replica_fetch_min_bytes = i32("replica.fetch.min.bytes");
        c.replica_fetch_wait_max_ms = i32("replica.fetch.wait.max.ms");
        c.replica_fetch_response_max_bytes = i32("replica.fetch.response.max.bytes");
        c.num_replica_fetchers = i32("num.replica.fetchers");
        c.auto_leader_rebalance_enable = flag("auto.leader.rebalance.enable");
        c.leader_imbalance_check_interval_seconds = num("leader.imbalance.check.interval.seconds");
        c.controlled_shutdown_enable = flag("controlled.shutdown.enable");
        if (c.replica_fetch_wait_max_ms >= c.replica_lag_time_max_ms)
            fail("replica.fetch.wait.max.ms",
                 std::to_string(c.replica_fetch_wait_max_ms) +
                     " must be below replica.lag.time.max.ms (" +
                     std::to_string(c.replica_lag_time_max_ms) +
                     "), or followers would drop out of the ISR while waiting");

        // Security
        c.sasl_enabled_mechanisms = list("sasl.enabled.mechanisms");
        c.sasl_users_file = opt_str("sasl.users.file");
        for (const auto& l : c.listeners) {
            if ((l.security_protocol == "SASL_PLAINTEXT" || l.security_protocol == "SASL_SSL") &&
                !c.sasl_users_file)
                fail("sasl.users.file", "must be set because listener " + in_quotes(l.name) +
                                            " uses " + l.security_protocol +
                                            " (expected the path of a YAML file of users)");
        }
        if (auto su = opt_str("super.users")) {
            size_t start = 0;
            while (start <= su->size()) {
                size_t semi = su->find(';', start);
                if (semi == std::string::npos) semi = su->size();
                std::string p = su->substr(start, semi - start);
                p.erase(0, p.find_first_not_of(" \t"));
                p.erase(p.find_last_not_of(" \t") + 1);
                if (!p.empty()) c.super_users.push_back(p);
                start = semi + 1;
            }
        }
        c.ssl_keystore_type = str("ssl.keystore.type");
        c.ssl_keystore_location = opt_str("ssl.keystore.location");
        c.ssl_key_password = opt_str("ssl.key.password");
        c.ssl_truststore_type = str("ssl.truststore.type");
        c.ssl_truststore_location = opt_str("ssl.truststore.location");
        c.ssl_client_auth = str("ssl.client.auth");
        c.ssl_enabled_protocols = list("ssl.enabled.protocols");
        for (const auto& l : c.listeners) {
            if ((l.security_protocol == "SSL" || l.security_protocol == "SASL_SSL") &&
                !c.ssl_keystore_location)
                fail("ssl.keystore.location",
                     "must be set because listener " + in_quotes(l.name) + " uses " +
                         l.security_protocol +
                         " (expected the path of a PEM key and certificate file)");
        }

        // Operations
        c.log_level = str("log.level");
    }
};

}  // namespace

broker_config load_broker_config(const std::optional<std::string>& file,
                                 const std::vector<std::string>& set_overrides,
                                 const std::map<std::string, std::string>& env) {
    loader l;
    if (file) l.load_file(*file);
    l.load_env(env);
    l.load_overrides(set_overrides);
    return l.finish(file);
}

broker_config default_broker_config() { return load_broker_config(std::nullopt, {}, {}); }

std::map<std::string, std::string> process_environment() {
    std::map<std::string, std::string> out;
    for (char** e = environ; e && *e; ++e) {
        std::string_view entry(*e);
        size_t eq = entry.find('=');
        if (eq == entry.npos) continue;
        out.emplace(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
    }
    return out;
}

}  // namespace sluice::config
