#include "config_test_util.h"

#include <catch2/catch.hpp>

using namespace sluice::config;
using namespace sluice::config::test;
using Catch::Matchers::Contains;

TEST_CASE("no file gives single-node defaults", "[config]") {
    auto c = load_broker_config(std::nullopt, {}, {});
    CHECK(c.node_id == 1);
    CHECK(c.broker_role);
    CHECK(c.controller_role);
    CHECK(c.controller_quorum_voters.empty());
    REQUIRE(c.listeners.size() == 1);
    CHECK(c.listeners[0].name == "PLAINTEXT");
    CHECK(c.listeners[0].host == "localhost");
    CHECK(c.listeners[0].port == 9092);
    CHECK(c.listeners[0].security_protocol == "PLAINTEXT");
    CHECK(c.advertised_listeners == c.listeners);
    CHECK(c.inter_broker_listener_name == "PLAINTEXT");
    CHECK(c.controller_listener_names == std::vector<std::string>{"CONTROLLER"});
    CHECK(c.log_dirs == std::vector<std::string>{"./data"});
    CHECK(c.num_partitions == 1);
    CHECK(c.default_replication_factor == 1);
    CHECK(c.auto_create_topics_enable);
    CHECK(c.delete_topic_enable);
    CHECK(c.message_max_bytes == 1048588);
    CHECK(c.socket_request_max_bytes == 104857600);
    CHECK(c.queued_max_requests == 500);
    CHECK(c.num_io_threads == 0);
    CHECK(c.log_segment_bytes == 1073741824);
    CHECK(c.log_roll_ms == 168LL * 3600 * 1000);
    CHECK(c.log_retention_ms == 168LL * 3600 * 1000);
    CHECK(c.log_retention_bytes == -1);
    CHECK(c.log_retention_check_interval_ms == 300000);
    CHECK(c.log_index_size_max_bytes == 10485760);
    CHECK(c.log_index_interval_bytes == 4096);
    CHECK(c.log_flush_interval_messages == 1);
    CHECK(c.log_flush_interval_ms == INT64_MAX);
    CHECK(c.log_message_timestamp_type == "CreateTime");
    CHECK(c.compression_type == "producer");
    CHECK(c.min_insync_replicas == 1);
    CHECK(c.offsets_topic_num_partitions == 50);
    CHECK(c.offsets_topic_replication_factor == 1);
    CHECK(c.offsets_retention_minutes == 10080);
    CHECK(c.group_min_session_timeout_ms == 6000);
    CHECK(c.group_max_session_timeout_ms == 1800000);
    CHECK(c.group_initial_rebalance_delay_ms == 3000);
    CHECK(c.transaction_state_log_num_partitions == 50);
    CHECK(c.replica_lag_time_max_ms == 30000);
    CHECK_FALSE(c.cluster_id);
    REQUIRE(c.admin_listeners.size() == 1);
    CHECK(c.admin_listeners[0] == endpoint{"127.0.0.1", 9644});
    CHECK(c.log_level == "info");
    CHECK_FALSE(c.config_file);

    // Every broker key has an entry in the generic map, sourced from the defaults.
    for (const key_decl* d : broker_keys()) {
        INFO(d->name);
        auto it = c.values.find(std::string(d->name));
        REQUIRE(it != c.values.end());
        CHECK(it->second.source == value_source::default_value);
        CHECK(it->second.origin.empty());
    }
    CHECK(c.values.at("log.retention.ms").value == std::nullopt);
    CHECK(c.values.at("log.retention.hours").value == "168");
    CHECK(default_broker_config().values.size() == c.values.size());
}

TEST_CASE("YAML file values, flat and nested", "[config]") {
    auto c = load_text(R"(
node.id: 3
log.dirs: /var/lib/sluice
num.partitions: 6
auto.create.topics.enable: false
listeners: PLAINTEXT://0.0.0.0:9092,CONTROLLER://0.0.0.0:9093
advertised.listeners: PLAINTEXT://broker3.example.com:9092
controller.quorum.voters: 1@c1:9093,2@c2:9093,3@c3:9093
log:
  retention:
    hours: 24
  segment.bytes: 536870912
message.max.bytes: 2000000
)");
    CHECK(c.node_id == 3);
    CHECK(c.log_dirs == std::vector<std::string>{"/var/lib/sluice"});
    CHECK(c.num_partitions == 6);
    CHECK_FALSE(c.auto_create_topics_enable);
    REQUIRE(c.listeners.size() == 2);
    CHECK(c.listeners[1].name == "CONTROLLER");
    REQUIRE(c.advertised_listeners.size() == 1);
    CHECK(c.advertised_listeners[0].host == "broker3.example.com");
    CHECK(c.advertised_listeners[0].security_protocol == "PLAINTEXT");
    REQUIRE(c.controller_quorum_voters.size() == 3);
    CHECK(c.controller_quorum_voters[2] == quorum_voter{3, "c3", 9093});
    CHECK(c.log_retention_ms == 24LL * 3600 * 1000);
    CHECK(c.log_segment_bytes == 536870912);
    CHECK(c.message_max_bytes == 2000000);
    REQUIRE(c.config_file);

    const auto& v = c.values.at("num.partitions");
    CHECK(v.value == "6");
    CHECK(v.source == value_source::file);
    CHECK_THAT(v.origin, Contains("sluice.yaml:4"));
    CHECK(c.values.at("log.retention.hours").source == value_source::file);
    CHECK(c.values.at("log.roll.hours").source == value_source::default_value);
}

TEST_CASE("YAML lists and maps for list keys", "[config]") {
    auto c = load_text(R"(
log.dirs:
  - /data/a
  - /data/b
listeners: [PLAINTEXT://:9092, EXTERNAL://:9094]
listener.security.protocol.map:
  PLAINTEXT: PLAINTEXT
  EXTERNAL: SASL_PLAINTEXT
  CONTROLLER: PLAINTEXT
sasl.users.file: /etc/sluice/users.yaml
)");
    CHECK(c.log_dirs == std::vector<std::string>{"/data/a", "/data/b"});
    REQUIRE(c.listeners.size() == 2);
    CHECK(c.listeners[1].security_protocol == "SASL_PLAINTEXT");
    CHECK(c.values.at("log.dirs").value == "/data/a,/data/b");
}

TEST_CASE("an empty file sets nothing", "[config]") {
    auto c = load_text("# nothing here\n");
    CHECK(c.num_partitions == 1);
}

TEST_CASE("environment overrides the file, --set overrides both", "[config]") {
    const std::string yaml = "num.partitions: 2\nlog.dirs: /from/file\nlog.retention.hours: 10\n";
    std::map<std::string, std::string> env{
        {"SLUICE_NUM_PARTITIONS", "3"},
        {"SLUICE_LOG_DIRS", "/from/env"},
        {"SLUICE_BIN", "/usr/bin/sluiced"},  // not a key: ignored
        {"SLUICE_TEST_PORT", "1234"},        // not a key: ignored
        {"PATH", "/usr/bin"},
    };

    auto file_only = load_text(yaml);
    CHECK(file_only.num_partitions == 2);

    auto with_env = load_text(yaml, {}, env);
    CHECK(with_env.num_partitions == 3);
    CHECK(with_env.log_dirs == std::vector<std::string>{"/from/env"});
    CHECK(with_env.log_retention_ms == 10LL * 3600 * 1000);  // file value kept
    CHECK(with_env.values.at("num.partitions").source == value_source::env);
    CHECK(with_env.values.at("num.partitions").origin ==
          "environment variable SLUICE_NUM_PARTITIONS");

    auto with_set = load_text(yaml, {"num.partitions=4", "log.dirs = /from/set "}, env);
    CHECK(with_set.num_partitions == 4);
    CHECK(with_set.log_dirs == std::vector<std::string>{"/from/set"});
    CHECK(with_set.values.at("num.partitions").source == value_source::override_flag);
    CHECK(to_string(with_set.values.at("num.partitions").source) == "override");

    // The last --set of a key wins.
    auto twice = load_broker_config(std::nullopt, {"num.partitions=5", "num.partitions=7"}, {});
    CHECK(twice.num_partitions == 7);

    // Environment without a file.
    auto env_only = load_broker_config(std::nullopt, {}, {{"SLUICE_NODE_ID", "9"}});
    CHECK(env_only.node_id == 9);
}

TEST_CASE("aliases broker.id and log.dir", "[config]") {
    auto c = load_text("broker.id: 7\nlog.dir: /x\n");
    CHECK(c.node_id == 7);
    CHECK(c.log_dirs == std::vector<std::string>{"/x"});
    CHECK(c.values.count("broker.id") == 0);
    CHECK(c.values.at("node.id").value == "7");

    CHECK(load_broker_config(std::nullopt, {"broker.id=5"}, {}).node_id == 5);
    CHECK(load_broker_config(std::nullopt, {}, {{"SLUICE_BROKER_ID", "6"}}).node_id == 6);

    auto e = load_error("node.id: 1\nbroker.id: 2\n");
    CHECK_THAT(e, Contains("\"node.id\" and \"broker.id\" both set \"node.id\""));
    CHECK_THAT(e, Contains("lines 1 and 2"));

    auto env_both = error_of([] {
        load_broker_config(std::nullopt, {}, {{"SLUICE_NODE_ID", "1"}, {"SLUICE_BROKER_ID", "1"}});
    });
    CHECK_THAT(env_both, Contains("SLUICE_BROKER_ID"));
    CHECK_THAT(env_both, Contains("SLUICE_NODE_ID"));

    auto bad_alias = load_error("broker.id: x\n");
    CHECK_THAT(bad_alias, Contains("broker.id (alias of node.id): \"x\" is not a valid int"));
}

TEST_CASE("unknown keys stop the start and name the key and line", "[config]") {
    auto e = load_error("num.partitions: 1\nnum.partition: 3\n");
    CHECK_THAT(e, Contains("sluice.yaml:2:"));
    CHECK_THAT(e, Contains("unknown configuration key \"num.partition\""));
    CHECK_THAT(e, Contains("did you mean \"num.partitions\"?"));

    auto nested = load_error("log:\n  dirs: /x\n  bogus: 1\n");
    CHECK_THAT(nested, Contains("sluice.yaml:3:"));
    CHECK_THAT(nested, Contains("\"log.bogus\""));

    auto topic_key = load_error("retention.ms: 1000\n");
    CHECK_THAT(topic_key, Contains("\"retention.ms\" is a topic-level config"));
    CHECK_THAT(topic_key, Contains("\"log.retention.ms\""));

    auto set = error_of([] { load_broker_config(std::nullopt, {"no.such.key=1"}, {}); });
    CHECK_THAT(set, Contains("--set"));
    CHECK_THAT(set, Contains("unknown configuration key \"no.such.key\""));

    auto malformed = error_of([] { load_broker_config(std::nullopt, {"num.partitions"}, {}); });
    CHECK_THAT(malformed, Contains("expected key=value"));

    try {
        load_text("zzz.unknown: 1\n");
        FAIL("no error");
    } catch (const config_error& err) {
        CHECK(err.key() == "zzz.unknown");
    }
}

TEST_CASE("duplicate keys in a file are rejected", "[config]") {
    auto e = load_error("num.partitions: 1\nlog:\n  dirs: /a\nlog.dirs: /b\n");
    CHECK_THAT(e, Contains("\"log.dirs\" is set twice (lines 3 and 4)"));
}

TEST_CASE("bad values name the key, the value and the expectation", "[config]") {
    SECTION("int") {
        auto e = load_error("num.partitions: abc\n");
        CHECK_THAT(e, Contains("sluice.yaml:1: num.partitions: \"abc\" is not a valid int "
                               "(expected an integer >= 1)"));
    }
    SECTION("int out of range") {
        auto e = load_error("num.partitions: 0\n");
        CHECK_THAT(e, Contains("num.partitions: \"0\" is out of range (expected an integer >= 1)"));
    }
    SECTION("int overflow") {
        auto e = load_error("message.max.bytes: 99999999999\n");
        CHECK_THAT(e, Contains("does not fit in an int"));
        CHECK_THAT(e, Contains("between 0 and 2147483647"));
    }
    SECTION("bool") {
        auto e = load_error("\n\nauto.create.topics.enable: yes\n");
        CHECK_THAT(e, Contains("sluice.yaml:3: auto.create.topics.enable: \"yes\" is not a valid "
                               "bool (expected true or false)"));
    }
    SECTION("enum") {
        auto e = load_error("log.message.timestamp.type: Create\n");
        CHECK_THAT(e, Contains("log.message.timestamp.type: \"Create\" is not a valid choice "
                               "(expected one of CreateTime, LogAppendTime)"));
    }
    SECTION("list with allowed items") {
        auto e = load_error("process.roles: broker,router\n");
        CHECK_THAT(e, Contains("process.roles: \"broker,router\" contains \"router\", which is not "
                               "allowed (expected a non-empty comma-separated list of broker, "
                               "controller)"));
    }
    SECTION("listener") {
        auto e = load_error("listeners: PLAINTEXT://localhost\n");
        CHECK_THAT(e, Contains("listeners: \"PLAINTEXT://localhost\" is not valid: "
                               "\"PLAINTEXT://localhost\" has no port (expected a comma-separated "
                               "list of NAME://host:port"));
    }
    SECTION("double") {
        auto e = load_error("log.cleaner.min.cleanable.ratio: 1.5\n");
        CHECK_THAT(e, Contains("\"1.5\" is out of range (expected a number between 0 and 1)"));
    }
    SECTION("YAML null for a key with a default") {
        auto e = load_error("log.level:\n");
        CHECK_THAT(e, Contains("log.level: no value given (expected one of trace"));
    }
    SECTION("YAML list for a scalar key") {
        auto e = load_error("num.partitions: [1, 2]\n");
        CHECK_THAT(e, Contains("num.partitions: got a YAML list (expected an integer >= 1)"));
    }
    SECTION("YAML map for a scalar key") {
        auto e = load_error("num.partitions: {a: 1}\n");
        CHECK_THAT(e, Contains("num.partitions: got a YAML map"));
    }
    SECTION("environment") {
        auto e = error_of([] {
            load_broker_config(std::nullopt, {}, {{"SLUICE_NUM_PARTITIONS", "many"}});
        });
        CHECK(e ==
              "environment variable SLUICE_NUM_PARTITIONS: num.partitions: \"many\" is not a "
              "valid int (expected an integer >= 1)");
    }
    SECTION("--set") {
        auto e =
            error_of([] { load_broker_config(std::nullopt, {"delete.topic.enable=maybe"}, {}); });
        CHECK(e ==
              "--set: delete.topic.enable: \"maybe\" is not a valid bool (expected true or false)");
    }
    SECTION("YAML syntax error") {
        auto e = load_error("a: [1,\nb: c\n");
        CHECK_THAT(e, Contains("YAML syntax error"));
        CHECK_THAT(e, Contains("sluice.yaml:"));
    }
    SECTION("missing file") {
        auto e = error_of([] { load_broker_config("/nonexistent/sluice.yaml", {}, {}); });
        CHECK_THAT(e, Contains("/nonexistent/sluice.yaml"));
        CHECK_THAT(e, Contains("does not exist"));
    }
    SECTION("top level is not a map") {
        auto e = load_error("- a\n- b\n");
        CHECK_THAT(e, Contains("must be a map"));
    }
}

TEST_CASE("values are normalised", "[config]") {
    auto c = load_broker_config(
        std::nullopt,
        {"auto.create.topics.enable= TRUE ", "num.partitions=+4", "log.dirs= /a , /b "}, {});
    CHECK(c.values.at("auto.create.topics.enable").value == "true");
    CHECK(c.values.at("num.partitions").value == "4");
    CHECK(c.values.at("log.dirs").value == "/a,/b");
    CHECK(c.log_dirs == std::vector<std::string>{"/a", "/b"});
}

TEST_CASE("retention: ms overrides minutes overrides hours", "[config]") {
    const int64_t hour = 3600 * 1000LL, minute = 60 * 1000LL;
    CHECK(load_text("log.retention.hours: 5\n").log_retention_ms == 5 * hour);
    CHECK(load_text("log.retention.hours: 5\nlog.retention.minutes: 7\n").log_retention_ms ==
          7 * minute);
    CHECK(load_text("log.retention.hours: 5\nlog.retention.minutes: 7\nlog.retention.ms: 1234\n")
              .log_retention_ms == 1234);
    CHECK(load_text("log.retention.ms: 1234\n").log_retention_ms == 1234);
    CHECK(load_text("log.retention.minutes: 7\n").log_retention_ms == 7 * minute);
    CHECK(load_text("log.retention.ms: -1\n").log_retention_ms == -1);
    CHECK(load_text("log.retention.hours: -1\n").log_retention_ms == -1);
    // A later layer setting a lower-precedence key does not beat a higher one.
    CHECK(load_text("log.retention.ms: 1000\n", {"log.retention.hours=1"}).log_retention_ms ==
          1000);
}

TEST_CASE("roll: ms overrides hours; flush falls back to the scheduler interval", "[config]") {
    CHECK(load_text("log.roll.hours: 2\n").log_roll_ms == 2 * 3600 * 1000LL);
    CHECK(load_text("log.roll.hours: 2\nlog.roll.ms: 500\n").log_roll_ms == 500);
    CHECK(load_text("log.roll.jitter.hours: 1\n").log_roll_jitter_ms == 3600 * 1000LL);
    CHECK(load_text("log.flush.scheduler.interval.ms: 2000\n").log_flush_interval_ms == 2000);
    CHECK(load_text("log.flush.scheduler.interval.ms: 2000\nlog.flush.interval.ms: 100\n")
              .log_flush_interval_ms == 100);
}

TEST_CASE("listener cross-checks", "[config]") {
    SECTION("advertised names must be listeners") {
        auto e = load_error("advertised.listeners: EXTERNAL://example.com:9094\n");
        CHECK_THAT(e, Contains("sluice.yaml:1: advertised.listeners: listener name \"EXTERNAL\" "
                               "is not one of the listeners"));
    }
    SECTION("advertised must not be a wildcard") {
        auto e = load_error(
            "listeners: PLAINTEXT://0.0.0.0:9092\n"
            "advertised.listeners: PLAINTEXT://0.0.0.0:9092\n");
        CHECK_THAT(e, Contains("wildcard"));
    }
    SECTION("listener without a security protocol") {
        auto e = load_error("listeners: PLAINTEXT://:9092,EXTERNAL://:9094\n");
        CHECK_THAT(e, Contains("listeners: listener \"EXTERNAL\" has no security protocol"));
        CHECK_THAT(e, Contains("listener.security.protocol.map"));
    }
    SECTION("inter-broker listener must be advertised") {
        auto e = load_error("inter.broker.listener.name: INTERNAL\n");
        CHECK_THAT(
            e, Contains("inter.broker.listener.name: \"INTERNAL\" is not an advertised listener"));
    }
    SECTION("inter-broker listener defaults to the first when there is no PLAINTEXT") {
        auto c = load_text(
            "listeners: INTERNAL://:9092,EXTERNAL://:9094\n"
            "listener.security.protocol.map: INTERNAL:PLAINTEXT,EXTERNAL:SASL_PLAINTEXT\n"
            "sasl.users.file: /etc/sluice/users.yaml\n");
        CHECK(c.inter_broker_listener_name == "INTERNAL");
        auto d = load_text(
            "listeners: internal://:9092,external://:9094\n"
            "listener.security.protocol.map: INTERNAL:PLAINTEXT,EXTERNAL:SASL_PLAINTEXT\n"
            "sasl.users.file: /etc/sluice/users.yaml\n"
            "inter.broker.listener.name: external\n");
        CHECK(d.inter_broker_listener_name == "EXTERNAL");
    }
    SECTION("controller listeners are not advertised by default") {
        auto c = load_text("listeners: PLAINTEXT://:9092,CONTROLLER://:9093\n");
        REQUIRE(c.advertised_listeners.size() == 1);
        CHECK(c.advertised_listeners[0].name == "PLAINTEXT");
        auto e = load_error(
            "listeners: PLAINTEXT://:9092,CONTROLLER://:9093\n"
            "advertised.listeners: CONTROLLER://h:9093\n");
        CHECK_THAT(e, Contains("controller listener"));
    }
    SECTION("a broker needs a non-controller listener") {
        auto e = load_error("listeners: CONTROLLER://:9093\n");
        CHECK_THAT(e, Contains("a broker needs a listener that is not a controller listener"));
    }
    SECTION("SASL listeners need a users file") {
        auto e = load_error("listeners: SASL_PLAINTEXT://:9093\n");
        CHECK_THAT(e, Contains("sasl.users.file: must be set because listener "
                               "\"SASL_PLAINTEXT\" uses SASL_PLAINTEXT"));
        auto c = load_text(
            "listeners: SASL_PLAINTEXT://:9093\nsasl.users.file: /etc/sluice/users.yaml\n");
        CHECK(c.sasl_users_file == "/etc/sluice/users.yaml");
    }
    SECTION("SSL listeners need a key store") {
        auto e = load_error("listeners: SSL://:9093\n");
        CHECK_THAT(
            e, Contains("ssl.keystore.location: must be set because listener \"SSL\" uses SSL"));
        auto c =
            load_text("listeners: SSL://:9093\nssl.keystore.location: /etc/sluice/broker.pem\n");
        CHECK(c.listeners[0].security_protocol == "SSL");
        CHECK(c.ssl_keystore_location == "/etc/sluice/broker.pem");
    }
}

TEST_CASE("quorum and role cross-checks", "[config]") {
    SECTION("a controller must be a voter") {
        auto e = load_error(
            "node.id: 4\nlisteners: PLAINTEXT://:9092,CONTROLLER://:9093\n"
            "controller.quorum.voters: 1@a:9093,2@b:9093,3@c:9093\n");
        CHECK_THAT(e,
                   Contains("controller.quorum.voters: node.id 4 is a controller but is not among "
                            "the voters"));
    }
    SECTION("a broker-only node must not be a voter") {
        auto e = load_error(
            "node.id: 1\nprocess.roles: broker\n"
            "controller.quorum.voters: 1@a:9093\n");
        CHECK_THAT(e, Contains("does not include controller"));
        auto c = load_text(
            "node.id: 4\nprocess.roles: broker\n"
            "controller.quorum.voters: 1@a:9093\n");
        CHECK(c.broker_role);
        CHECK_FALSE(c.controller_role);
    }
    SECTION("a networked controller needs a controller listener") {
        auto e = load_error("controller.quorum.voters: 1@localhost:9093\n");
        CHECK_THAT(e, Contains("needs a listener named in controller.listener.names"));
    }
    SECTION("standalone mode needs both roles") {
        auto e = load_error("process.roles: broker\n");
        CHECK_THAT(e, Contains("process.roles: must be broker,controller when "
                               "controller.quorum.voters is empty"));
    }
    SECTION("controller-only node") {
        auto c = load_text(
            "process.roles: controller\nnode.id: 1\n"
            "listeners: CONTROLLER://:9093\ncontroller.quorum.voters: 1@a:9093\n");
        CHECK(c.controller_role);
        CHECK_FALSE(c.broker_role);
        CHECK(c.inter_broker_listener_name.empty());
        auto e = load_error(
            "process.roles: controller\nnode.id: 1\n"
            "listeners: PLAINTEXT://:9092,CONTROLLER://:9093\n"
            "controller.quorum.voters: 1@a:9093\n");
        CHECK_THAT(e, Contains("controller-only node may only have controller listeners"));
    }
}

TEST_CASE("other cross-checks", "[config]") {
    CHECK_THAT(
        load_error("group.min.session.timeout.ms: 10000\ngroup.max.session.timeout.ms: 9000\n"),
        Contains("group.min.session.timeout.ms: 10000 is larger than "
                 "group.max.session.timeout.ms (9000)"));
    CHECK_THAT(load_error("log.dirs: /a,/b/../a\n"),
               Contains("log.dirs: directory \"/b/../a\" is listed twice"));
    CHECK_THAT(load_error("replica.fetch.wait.max.ms: 40000\n"),
               Contains("must be below replica.lag.time.max.ms"));
}

TEST_CASE("super users and security values", "[config]") {
    auto c = load_text(
        "super.users: User:admin; User:ops\nsasl.enabled.mechanisms: PLAIN,SCRAM-SHA-512\n"
        "ssl.key.password: s3cret\n");
    CHECK(c.super_users == std::vector<std::string>{"User:admin", "User:ops"});
    CHECK(c.sasl_enabled_mechanisms == std::vector<std::string>{"PLAIN", "SCRAM-SHA-512"});
    CHECK(c.ssl_key_password == "s3cret");
    CHECK_THAT(load_error("super.users: admin\n"),
               Contains("is not a principal of the form Type:name"));
    CHECK_THAT(load_error("sasl.enabled.mechanisms: GSSAPI\n"),
               Contains("\"GSSAPI\", which is not allowed"));
}

TEST_CASE("cluster.id must be a Kafka-style UUID", "[config]") {
    auto c = load_text("cluster.id: MkU3OEVBNTcwNTJENDM2Qg\n");
    CHECK(c.cluster_id == "MkU3OEVBNTcwNTJENDM2Qg");
    CHECK_THAT(load_error("cluster.id: my-cluster\n"),
               Contains("cluster.id: \"my-cluster\" is not valid"));
}

TEST_CASE("process_environment reads the real environment", "[config]") {
    ::setenv("SLUICE_CONFIG_TEST_VARIABLE", "x=y", 1);
    auto env = process_environment();
    CHECK(env.at("SLUICE_CONFIG_TEST_VARIABLE") == "x=y");
    ::unsetenv("SLUICE_CONFIG_TEST_VARIABLE");
}
