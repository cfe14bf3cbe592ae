#include "config_test_util.h"

#include <catch2/catch.hpp>

using namespace sluice::config;
using namespace sluice::config::test;
using Catch::Matchers::Contains;

namespace {

const config_entry& entry(const std::vector<config_entry>& entries, std::string_view name) {
    for (const auto& e : entries)
        if (e.name == name) return e;
    FAIL("no entry " << name);
    throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("topic config validation", "[config][topic]") {
    CHECK_FALSE(validate_topic_config("retention.ms", "86400000"));
    CHECK_FALSE(validate_topic_config("retention.ms", "-1"));
    CHECK_FALSE(validate_topic_config("cleanup.policy", "compact,delete"));
    CHECK_FALSE(validate_topic_config("compression.type", "zstd"));
    CHECK_FALSE(validate_topic_config("min.cleanable.dirty.ratio", "0.1"));
    CHECK_FALSE(validate_topic_config("preallocate", "TRUE"));
    CHECK_FALSE(validate_topic_config("message.timestamp.type", "LogAppendTime"));
    CHECK_FALSE(validate_topic_config("segment.bytes", "14"));

    CHECK(validate_topic_config("retention.mss", "1") == "unknown topic config \"retention.mss\"");
    CHECK(validate_topic_config("log.retention.ms", "1").has_value());  // broker key, not topic key
    CHECK(validate_topic_config("retention.ms", "abc") ==
          "retention.ms: \"abc\" is not a valid long (expected an integer >= -1)");
    CHECK(validate_topic_config("retention.ms", "-2") ==
          "retention.ms: \"-2\" is out of range (expected an integer >= -1)");
    CHECK(validate_topic_config("segment.bytes", "13") ==
          "segment.bytes: \"13\" is out of range (expected an integer >= 14)");
    CHECK(validate_topic_config("cleanup.policy", "remove") ==
          "cleanup.policy: \"remove\" contains \"remove\", which is not allowed (expected a "
          "non-empty comma-separated list of delete, compact)");
    CHECK(validate_topic_config("cleanup.policy", "").has_value());
    CHECK(validate_topic_config("compression.type", "brotli") ==
          "compression.type: \"brotli\" is not a valid choice (expected one of uncompressed, zstd, "
          "lz4, snappy, gzip, producer)");
    CHECK(validate_topic_config("min.cleanable.dirty.ratio", "2") ==
          "min.cleanable.dirty.ratio: \"2\" is out of range (expected a number between 0 and 1)");
    CHECK(validate_topic_config("unclean.leader.election.enable", "1").has_value());
    CHECK(validate_topic_config("max.message.bytes", "3000000000").has_value());

    CHECK(canonical_topic_value("preallocate", " TRUE ") == "true");
    CHECK(canonical_topic_value("cleanup.policy", "compact , delete") == "compact,delete");
    CHECK(canonical_topic_value("min.cleanable.dirty.ratio", "0.25") == "0.25");
    CHECK(canonical_topic_value("min.cleanable.dirty.ratio", "1") == "1.0");
    CHECK_THROWS_AS(canonical_topic_value("retention.ms", "x"), config_error);
    CHECK_THROWS_AS(canonical_topic_value("nope", "x"), config_error);
}

TEST_CASE("effective topic config: defaults", "[config][topic]") {
    auto broker = default_broker_config();
    auto entries = effective_topic_config(broker, {});
    REQUIRE(entries.size() == topic_keys().size());

    const auto& retention = entry(entries, "retention.ms");
    CHECK(retention.value == "604800000");
    CHECK(retention.source == config_source::default_config);
    CHECK(static_cast<int>(retention.source) == 5);
    CHECK(retention.is_default);
    CHECK_FALSE(retention.read_only);
    CHECK_FALSE(retention.sensitive);
    CHECK(retention.type == config_type::int64);
    CHECK(static_cast<int>(retention.type) == 5);
    CHECK_FALSE(retention.doc.empty());
    // Only log.retention.hours has a built-in default among the synonyms.
    REQUIRE(retention.synonyms.size() == 1);
    CHECK(retention.synonyms[0].name == "log.retention.hours");
    CHECK(retention.synonyms[0].value == "168");
    CHECK(retention.synonyms[0].source == config_source::default_config);

    const auto& flush = entry(entries, "flush.messages");
    CHECK(flush.value == "1");  // Sluice: durable by default

    const auto& flush_ms = entry(entries, "flush.ms");
    CHECK(flush_ms.value == "9223372036854775807");
    REQUIRE(flush_ms.synonyms.size() == 1);
    CHECK(flush_ms.synonyms[0].name == "log.flush.scheduler.interval.ms");

    CHECK(entry(entries, "cleanup.policy").type == config_type::list);
    CHECK(static_cast<int>(entry(entries, "cleanup.policy").type) == 7);
    CHECK(static_cast<int>(entry(entries, "preallocate").type) == 1);
    CHECK(static_cast<int>(entry(entries, "compression.type").type) == 2);
    CHECK(static_cast<int>(entry(entries, "segment.bytes").type) == 3);
    CHECK(static_cast<int>(entry(entries, "min.cleanable.dirty.ratio").type) == 6);
    CHECK(entry(entries, "segment.ms").value == "604800000");
    CHECK(entry(entries, "max.message.bytes").value == "1048588");
    CHECK(entry(entries, "min.cleanable.dirty.ratio").value == "0.5");
}

TEST_CASE("effective topic config: broker file values and topic overrides", "[config][topic]") {
    auto broker = load_text(
        "log.retention.hours: 24\nlog.retention.minutes: 90\n"
        "log.segment.bytes: 1048576\ncompression.type: zstd\n");
    auto entries = effective_topic_config(
        broker,
        {{"segment.bytes", "2097152"}, {"cleanup.policy", "compact"}, {"no.such.key", "1"}});

    const auto& retention = entry(entries, "retention.ms");
    CHECK(retention.value == std::to_string(90 * 60 * 1000));
    CHECK(retention.source == config_source::static_broker);
    CHECK(static_cast<int>(retention.source) == 4);
    CHECK_FALSE(retention.is_default);
    REQUIRE(retention.synonyms.size() == 3);
    CHECK(retention.synonyms[0].name == "log.retention.minutes");
    CHECK(retention.synonyms[0].value == "90");
    CHECK(retention.synonyms[0].source == config_source::static_broker);
    CHECK(retention.synonyms[1].name == "log.retention.hours");
    CHECK(retention.synonyms[1].value == "24");
    CHECK(retention.synonyms[1].source == config_source::static_broker);
    CHECK(retention.synonyms[2].name == "log.retention.hours");
    CHECK(retention.synonyms[2].value == "168");
    CHECK(retention.synonyms[2].source == config_source::default_config);

    const auto& segment = entry(entries, "segment.bytes");
    CHECK(segment.value == "2097152");
    CHECK(segment.source == config_source::dynamic_topic);
    CHECK(static_cast<int>(segment.source) == 1);
    REQUIRE(segment.synonyms.size() == 3);
    CHECK(segment.synonyms[0].name == "segment.bytes");
    CHECK(segment.synonyms[0].source == config_source::dynamic_topic);
    CHECK(segment.synonyms[1].name == "log.segment.bytes");
    CHECK(segment.synonyms[1].value == "1048576");
    CHECK(segment.synonyms[1].source == config_source::static_broker);
    CHECK(segment.synonyms[2].source == config_source::default_config);

    CHECK(entry(entries, "compression.type").value == "zstd");
    CHECK(entry(entries, "compression.type").source == config_source::static_broker);
    CHECK(entry(entries, "cleanup.policy").value == "compact");

    // --set and the environment count as static broker config too.
    auto from_set = load_broker_config(std::nullopt, {"log.roll.hours=1"}, {});
    auto from_set_entries = effective_topic_config(from_set, {});
    const auto& seg_ms = entry(from_set_entries, "segment.ms");
    CHECK(seg_ms.value == "3600000");
    CHECK(seg_ms.source == config_source::static_broker);
}

TEST_CASE("typed topic settings", "[config][topic]") {
    auto broker = load_text("log.retention.ms: 5000\nlog.flush.interval.messages: 1000\n");
    auto s = resolve_topic_settings(broker, {{"message.timestamp.type", "LogAppendTime"},
                                             {"cleanup.policy", "compact,delete"},
                                             {"segment.bytes", "4096"}});
    CHECK(s.retention_ms == 5000);
    CHECK(s.flush_messages == 1000);
    CHECK(s.log_append_time);
    CHECK(s.cleanup_compact);
    CHECK(s.cleanup_delete);
    CHECK(s.segment_bytes == 4096);
    CHECK(s.segment_ms == 604800000);
    CHECK(s.segment_index_bytes == 10485760);
    CHECK(s.index_interval_bytes == 4096);
    CHECK(s.retention_bytes == -1);
    CHECK(s.max_message_bytes == 1048588);
    CHECK(s.min_cleanable_dirty_ratio == 0.5);
    CHECK(s.compression_type == "producer");

    auto d = resolve_topic_settings(default_broker_config(), {});
    CHECK(d.flush_messages == 1);
    CHECK(d.cleanup_delete);
    CHECK_FALSE(d.cleanup_compact);
    CHECK_FALSE(d.log_append_time);

    CHECK_THROWS_AS(resolve_topic_settings(broker, {{"segment.bytes", "1"}}), config_error);
}

TEST_CASE("describe broker config", "[config][topic]") {
    auto broker =
        load_text("log.retention.ms: 1000\nnum.partitions: 3\nssl.key.password: hunter2\n");
    auto entries = describe_broker_config(broker);
    REQUIRE(entries.size() == broker_keys().size());

    const auto& partitions = entry(entries, "num.partitions");
    CHECK(partitions.value == "3");
    CHECK(partitions.source == config_source::static_broker);
    CHECK(partitions.read_only);
    REQUIRE(partitions.synonyms.size() == 2);
    CHECK(partitions.synonyms[0].source == config_source::static_broker);
    CHECK(partitions.synonyms[1].value == "1");
    CHECK(partitions.synonyms[1].source == config_source::default_config);

    const auto& ms = entry(entries, "log.retention.ms");
    CHECK(ms.value == "1000");
    REQUIRE(ms.synonyms.size() == 2);
    CHECK(ms.synonyms[0].name == "log.retention.ms");
    CHECK(ms.synonyms[1].name == "log.retention.hours");

    const auto& hours = entry(entries, "log.retention.hours");
    CHECK(hours.value == "168");
    CHECK(hours.source == config_source::default_config);
    CHECK(hours.is_default);
    REQUIRE(hours.synonyms.size() == 1);

    const auto& minutes = entry(entries, "log.retention.minutes");
    CHECK_FALSE(minutes.value);  // null, as Kafka reports an unset key without default
    CHECK(minutes.synonyms.empty());
    CHECK(minutes.source == config_source::default_config);

    const auto& password = entry(entries, "ssl.key.password");
    CHECK(password.sensitive);
    CHECK_FALSE(password.value);
    CHECK(password.type == config_type::password);
    CHECK(static_cast<int>(password.type) == 9);
    for (const auto& s : password.synonyms) CHECK_FALSE(s.value);
    CHECK(broker.ssl_key_password == "hunter2");

    CHECK(static_cast<int>(entry(entries, "offsets.topic.replication.factor").type) == 4);
    CHECK(to_string(config_type::int16) == "SHORT");
    CHECK(to_string(config_source::static_broker) == "STATIC_BROKER_CONFIG");
}
