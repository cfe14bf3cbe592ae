// CreateTopics: creates (or, with validate_only, only checks) each topic of the
// request independently. Partition count and replication factor come from the
// request, or from the broker defaults when -1, or from a manual replica
// assignment, which on this single node must put every partition on this node
// alone. Config overrides are validated and stored in canonical form. From v5
// the result also carries the topic's partition count, replication factor and
// every effective config (what the topic got, even for validate_only), and from
// v7 its id (zero for validate_only). The work is synchronous: timeout_ms has no
// use here.
#include "broker/handlers/handlers.h"
#include "broker/handlers/rejections.h"
#include "config/topic_config.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

namespace sluice::broker {

namespace {

using topic_result = protocol::create_topics_response::topic_result;

// Collects the topics a request rejects, for one log line per request.

// Checks a manual replica assignment: partitions 0..n-1, each exactly once,
// each on this node only. Returns the error message, or nullopt when valid.
std::optional<std::string> check_assignments(
    const std::vector<protocol::create_topics_request::topic::assignment>& assignments,
    int32_t node) {
    std::set<int32_t> seen;
    for (auto& a : assignments) {
        if (!seen.insert(a.partition_index).second)
            return "Found multiple manual partition assignments for partition " +
                   std::to_string(a.partition_index) + ".";
        if (a.broker_ids.empty())
            return "The manual partition assignment for partition " +
                   std::to_string(a.partition_index) + " includes an empty replica list.";
        std::set<int32_t> replicas;
        for (int32_t id : a.broker_ids) {
            if (!replicas.insert(id).second)
                return "The manual partition assignment for partition " +
                       std::to_string(a.partition_index) + " includes broker " +
                       std::to_string(id) + " more than once.";
            if (id != node)
                return "The manual partition assignment for partition " +
                       std::to_string(a.partition_index) + " includes broker " +
                       std::to_string(id) + ", but no such broker is registered (the only broker is " +
                       std::to_string(node) + ").";
        }
    }
    int32_t expected = 0;
    for (int32_t index : seen) {  // ordered
        if (index != expected)
            return "Partitions should be a consecutive 0-based integer sequence, but partition " +
                   std::to_string(expected) + " has no assignment.";
        ++expected;
    }
    return std::nullopt;
}

}  // namespace

awaitable<protocol::create_topics_response> handle_create_topics(
    request_context& ctx, protocol::create_topics_request& req) {
    auto& b = ctx.b;
    const auto& s = b.settings();
    const int16_t version = ctx.version();
    const bool validate_only = version >= 1 && req.validate_only;
    protocol::create_topics_response resp;
    rejections rejected{"topic"};

    auto fail = [&](topic_result& r, error_code e, std::string msg) {
        rejected.add(r.name, e, msg);
        r.error_code = code(e);
        if (version >= 1) r.error_message = std::move(msg);
    };

    std::map<std::string, int> occurrences;
    for (auto& t : req.topics) ++occurrences[t.name];
    std::set<std::string> duplicates_reported;

    for (auto& t : req.topics) {
        if (occurrences[t.name] > 1) {
            // One result per duplicated name, as Kafka answers.
            if (!duplicates_reported.insert(t.name).second) continue;
            auto& r = resp.topics.emplace_back();
            r.name = t.name;
            fail(r, error_code::invalid_request, "Duplicate topic name.");
            continue;
        }
        auto& r = resp.topics.emplace_back();
        r.name = t.name;

        if (auto bad = invalid_topic_name(t.name)) {
            fail(r, error_code::invalid_topic_exception, *bad);
            continue;
        }
        if (b.topics().find(t.name)) {
            fail(r, error_code::topic_already_exists, "Topic '" + t.name + "' already exists.");
            continue;
        }

        int32_t partitions = t.num_partitions;
        int16_t replication = t.replication_factor;
        if (!t.assignments.empty()) {
            if (t.num_partitions != -1 || t.replication_factor != -1) {
                fail(r, error_code::invalid_request,
                     "Both numPartitions or replicationFactor and replicasAssignments were set. "
                     "Both cannot be used at the same time.");
                continue;
            }
            if (auto bad = check_assignments(t.assignments, s.node_id)) {
                fail(r, error_code::invalid_replica_assignment, *bad);
                continue;
            }
            partitions = int32_t(t.assignments.size());
            replication = 1;
        }

        std::map<std::string, std::string> configs;
        std::string config_errors;
        for (auto& c : t.configs) {
            std::optional<std::string> bad;
            if (!c.value)
                bad = "Null value not supported for topic configs: " + c.name;
            else
                bad = config::validate_topic_config(c.name, *c.value);
            if (bad) {
                if (!config_errors.empty()) config_errors += "; ";
                config_errors += *bad;
                continue;
            }
            configs[c.name] = config::canonical_topic_value(c.name, *c.value);
        }
        if (!config_errors.empty()) {
            fail(r, error_code::invalid_config,
                 "Invalid config for topic '" + t.name + "': " + config_errors);
            continue;
        }

        auto res = b.topics().create(t.name, partitions, replication, configs, validate_only);
        if (res.error != error_code::none) {
            fail(r, res.error, res.message);
            continue;
        }

        r.num_partitions = partitions == -1 ? s.num_partitions : partitions;
        r.replication_factor = replication == -1 ? s.default_replication_factor : replication;
        auto overrides = configs;
        if (!validate_only) {
            if (auto created = b.topics().find(t.name)) {
                r.topic_id = created->id;
                r.num_partitions = int32_t(created->partitions.size());
                overrides = created->overrides;
            }
        }
        r.configs.emplace();
        for (auto& e : config::effective_topic_config(s.config, overrides)) {
            auto& c = r.configs->emplace_back();
            c.name = e.name;
            c.value = e.sensitive ? std::nullopt : e.value;
            c.read_only = e.read_only;
            c.config_source = int8_t(e.source);
            c.is_sensitive = e.sensitive;
        }
    }
    rejected.log(ctx, "CreateTopics", validate_only);
    co_return resp;
}

}  // namespace sluice::broker
