#include "broker/settings.h"
#include "config/config.h"

#include <catch2/catch.hpp>

using namespace sluice;

TEST_CASE("topic settings map onto the log's settings", "[settings]") {
    auto cfg = config::default_broker_config();
    auto plain = broker::to_log_config(config::resolve_topic_settings(cfg, {}));
    CHECK(plain.retention_ms == 604800000);
    CHECK(plain.flush_messages == 1);  // durable by default

    auto tuned = broker::to_log_config(config::resolve_topic_settings(
        cfg, {{"retention.ms", "1000"}, {"segment.bytes", "4096"}, {"flush.messages", "10"}}));
    CHECK(tuned.retention_ms == 1000);
    CHECK(tuned.segment_bytes == 4096);
    CHECK(tuned.flush_messages == 10);
}

TEST_CASE("compact-only topics are never trimmed by retention", "[settings]") {
    auto cfg = config::default_broker_config();
    auto compact = broker::to_log_config(config::resolve_topic_settings(
        cfg, {{"cleanup.policy", "compact"}, {"retention.ms", "1000"}, {"retention.bytes", "1"}}));
    CHECK(compact.retention_ms == -1);
    CHECK(compact.retention_bytes == -1);

    auto both = broker::to_log_config(config::resolve_topic_settings(
        cfg, {{"cleanup.policy", "compact,delete"}, {"retention.ms", "1000"}}));
    CHECK(both.retention_ms == 1000);
}
