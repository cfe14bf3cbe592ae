#include "config_test_util.h"

#include <catch2/catch.hpp>

#include <set>

using namespace sluice::config;
using Catch::Matchers::Contains;

TEST_CASE("every default is valid for its own declaration", "[config][table]") {
    for (const auto& d : declarations()) {
        INFO(d.name);
        CHECK_FALSE(d.doc.empty());
        if (!d.default_value) continue;
        auto c = check_value(d, *d.default_value);
        CHECK(c.error == "");
        // Defaults are written in canonical form, so describe shows them as declared.
        CHECK(c.canonical == std::string(*d.default_value));
    }
}

TEST_CASE("key names are unique per scope and aliases do not collide", "[config][table]") {
    std::set<std::string> broker_names, topic_names;
    for (const auto& d : declarations()) {
        INFO(d.name);
        auto& names = d.scope == key_scope::broker ? broker_names : topic_names;
        CHECK(names.insert(std::string(d.name)).second);
        for (auto a : d.aliases) CHECK(broker_names.insert(std::string(a)).second);
    }
}

TEST_CASE("environment variable names are unambiguous", "[config][table]") {
    std::map<std::string, std::string> seen;
    for (const key_decl* d : broker_keys()) {
        std::vector<std::string_view> names{d->name};
        names.insert(names.end(), d->aliases.begin(), d->aliases.end());
        for (auto n : names) {
            auto var = environment_variable_for(n);
            INFO(n << " -> " << var);
            auto [it, inserted] = seen.emplace(var, std::string(n));
            CHECK(inserted);
        }
    }
    CHECK(environment_variable_for("log.dirs") == "SLUICE_LOG_DIRS");
}

TEST_CASE("topic keys' broker synonyms exist and give the topic default", "[config][table]") {
    auto broker = default_broker_config();
    for (const key_decl* t : topic_keys()) {
        INFO(t->name);
        CHECK_FALSE(t->broker_synonyms.empty());
        for (const auto& s : t->broker_synonyms) {
            INFO(s.name);
            const key_decl* b = find_broker_key(s.name);
            REQUIRE(b != nullptr);
            if (s.multiplier == 1) {
                CHECK(b->type == t->type);
                CHECK(b->is_list() == t->is_list());
                CHECK(b->allowed == t->allowed);
            } else {
                CHECK(b->is_integer());
                CHECK(t->type == config_type::int64);
            }
        }
        // With no broker settings the resolved value equals the topic's declared default.
        auto entries = effective_topic_config(broker, {});
        auto it = std::find_if(entries.begin(), entries.end(),
                               [&](const config_entry& e) { return e.name == t->name; });
        REQUIRE(it != entries.end());
        CHECK(it->value == std::optional<std::string>(t->default_value));
    }
}

TEST_CASE("keys the brief requires are declared", "[config][table]") {
    for (auto name : {"node.id",
                      "process.roles",
                      "listeners",
                      "advertised.listeners",
                      "listener.security.protocol.map",
                      "inter.broker.listener.name",
                      "controller.listener.names",
                      "controller.quorum.voters",
                      "log.dirs",
                      "num.partitions",
                      "default.replication.factor",
                      "auto.create.topics.enable",
                      "delete.topic.enable",
                      "message.max.bytes",
                      "socket.request.max.bytes",
                      "socket.send.buffer.bytes",
                      "socket.receive.buffer.bytes",
                      "max.connections",
                      "max.connections.per.ip",
                      "queued.max.requests",
                      "num.io.threads",
                      "num.network.threads",
                      "log.segment.bytes",
                      "log.roll.ms",
                      "log.roll.hours",
                      "log.retention.ms",
                      "log.retention.minutes",
                      "log.retention.hours",
                      "log.retention.bytes",
                      "log.retention.check.interval.ms",
                      "log.index.size.max.bytes",
                      "log.index.interval.bytes",
                      "log.flush.interval.messages",
                      "log.flush.interval.ms",
                      "log.flush.scheduler.interval.ms",
                      "log.message.timestamp.type",
                      "compression.type",
                      "min.insync.replicas",
                      "offsets.topic.num.partitions",
                      "offsets.topic.replication.factor",
                      "offsets.retention.minutes",
                      "group.min.session.timeout.ms",
                      "group.max.session.timeout.ms",
                      "group.initial.rebalance.delay.ms",
                      "transaction.state.log.num.partitions",
                      "replica.lag.time.max.ms",
                      "cluster.id",
                      "admin.listeners",
                      "log.level",
                      "broker.id",
                      "log.dir"}) {
        INFO(name);
        CHECK(find_broker_key(name) != nullptr);
    }
    for (auto name : {"cleanup.policy",
                      "compression.type",
                      "delete.retention.ms",
                      "file.delete.delay.ms",
                      "flush.messages",
                      "flush.ms",
                      "index.interval.bytes",
                      "max.compaction.lag.ms",
                      "max.message.bytes",
                      "message.timestamp.type",
                      "message.timestamp.difference.max.ms",
                      "min.cleanable.dirty.ratio",
                      "min.compaction.lag.ms",
                      "min.insync.replicas",
                      "preallocate",
                      "retention.bytes",
                      "retention.ms",
                      "segment.bytes",
                      "segment.index.bytes",
                      "segment.jitter.ms",
                      "segment.ms",
                      "unclean.leader.election.enable",
                      "message.downconversion.enable"}) {
        INFO(name);
        CHECK(find_topic_key(name) != nullptr);
    }
}

TEST_CASE("all_keys lists each name once, broker keys first", "[config][table]") {
    auto keys = all_keys();
    std::set<std::string> unique(keys.begin(), keys.end());
    CHECK(unique.size() == keys.size());
    CHECK(keys.front() == "node.id");
    CHECK(unique.count("retention.ms") == 1);
    CHECK(unique.count("compression.type") == 1);
    CHECK(unique.count("broker.id") == 0);  // aliases are not separate keys
    CHECK(keys.size() == broker_keys().size() + topic_keys().size() - 3);  // 3 shared names
}

TEST_CASE("the reference documents every key", "[config][table]") {
    auto md = config_reference_markdown();
    CHECK_THAT(md, Contains("## Broker configuration"));
    CHECK_THAT(md, Contains("## Topic configuration"));
    CHECK_THAT(md, Contains("| Key | Type | Default | Meaning |"));
    for (const auto& k : all_keys()) {
        INFO(k);
        CHECK_THAT(md, Contains("| `" + k + "` |"));
    }
    // Keys in both sections appear twice.
    auto count = [&](const std::string& s) {
        size_t n = 0;
        for (size_t pos = md.find(s); pos != std::string::npos; pos = md.find(s, pos + 1)) ++n;
        return n;
    };
    CHECK(count("| `compression.type` |") == 2);
    CHECK_THAT(md, Contains("Alias: `broker.id`"));
    CHECK_THAT(md, Contains("| `log.flush.interval.messages` | long | `1` |"));
    CHECK_THAT(md, Contains("Kafka's default: 9223372036854775807"));
    CHECK_THAT(md, Contains("Broker default: `log.retention.ms`, `log.retention.minutes`, "
                            "`log.retention.hours`."));
    CHECK_THAT(md, Contains("| `log.retention.ms` | long | (none) |"));
    // Every row has the four columns (no stray '|' in the text).
    size_t rows = 0;
    size_t start = 0;
    while (start < md.size()) {
        size_t end = md.find('\n', start);
        if (end == std::string::npos) end = md.size();
        std::string line = md.substr(start, end - start);
        if (line.rfind("| `", 0) == 0) {
            ++rows;
            size_t bars = 0;
            for (size_t i = 0; i < line.size(); ++i)
                if (line[i] == '|' && (i == 0 || line[i - 1] != '\\')) ++bars;
            INFO(line);
            CHECK(bars == 5);
        }
        start = end + 1;
    }
    CHECK(rows == declarations().size());
}
