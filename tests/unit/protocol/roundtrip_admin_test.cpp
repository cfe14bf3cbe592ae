// Round trips of the admin messages at every version, plus explicit checks.

#include "roundtrip_support.h"

using namespace sluice::protocol;
using namespace sluice::protocol::test;

TEMPLATE_LIST_TEST_CASE("admin messages round trip at every version", "[roundtrip]",
                        admin_messages) {
    generic_roundtrip<TestType>();
}

TEST_CASE("CreateTopics fields by version", "[roundtrip][admin]") {
    auto m = fill<create_topics_request>();
    each_version(m, [&](int16_t v, const create_topics_request& d) {
        auto& t = d.topics.at(1);
        CHECK(t.name == m.topics[1].name);
        CHECK(t.num_partitions == m.topics[1].num_partitions);
        CHECK(t.assignments.at(0).broker_ids == m.topics[1].assignments[0].broker_ids);
        CHECK(t.configs.at(1).value == m.topics[1].configs[1].value);
        CHECK(d.timeout_ms == m.timeout_ms);
        CHECK(d.validate_only == (v >= 1 && m.validate_only));
    });
    auto r = fill<create_topics_response>();
    each_version(r, [&](int16_t v, const create_topics_response& d) {
        auto& t = d.topics.at(0);
        CHECK(t.error_code == r.topics[0].error_code);
        CHECK(t.error_message == (v >= 1 ? r.topics[0].error_message : std::nullopt));
        CHECK(t.topic_id == (v >= 7 ? r.topics[0].topic_id : uuid{}));
        CHECK(t.num_partitions == (v >= 5 ? r.topics[0].num_partitions : -1));
        CHECK(t.topic_config_error_code == (v >= 5 ? r.topics[0].topic_config_error_code : 0));
        CHECK(t.configs->size() == (v >= 5 ? 2u : 0u));
        CHECK(d.throttle_time_ms == (v >= 2 ? r.throttle_time_ms : 0));
    });
    each_version(fill<create_topics_request>(fill_mode::nulls),
                 [&](int16_t, const create_topics_request& d) {
                     CHECK_FALSE(d.topics.at(0).configs.at(0).value.has_value());
                 });
}

TEST_CASE("DeleteTopics fields by version", "[roundtrip][admin]") {
    auto m = fill<delete_topics_request>();
    each_version(m, [&](int16_t v, const delete_topics_request& d) {
        CHECK(d.topic_names.size() == (v <= 5 ? 2u : 0u));
        CHECK(d.topics.size() == (v >= 6 ? 2u : 0u));
        if (v >= 6) CHECK(d.topics[1].topic_id == m.topics[1].topic_id);
        CHECK(d.timeout_ms == m.timeout_ms);
    });
    auto r = fill<delete_topics_response>(fill_mode::nulls);
    each_version(r, [&](int16_t v, const delete_topics_response& d) {
        // Name is nullable from v6 only: a null name comes back as "" before.
        CHECK(d.responses.at(0).name == (v >= 6 ? std::nullopt : std::optional<std::string>("")));
        CHECK(d.responses[0].error_code == r.responses[0].error_code);
    });
}

TEST_CASE("CreatePartitions, DeleteRecords and DescribeCluster fields", "[roundtrip][admin]") {
    auto m = fill<create_partitions_request>(fill_mode::nulls);
    each_version(m, [&](int16_t, const create_partitions_request& d) {
        CHECK_FALSE(d.topics.at(0).assignments.has_value());
        CHECK(d.topics[0].count == m.topics[0].count);
    });
    auto dr = fill<delete_records_request>();
    each_version(dr, [&](int16_t, const delete_records_request& d) {
        CHECK(d.topics.at(1).partitions.at(1).offset == dr.topics[1].partitions[1].offset);
    });
    auto dres = fill<delete_records_response>();
    each_version(dres, [&](int16_t, const delete_records_response& d) {
        CHECK(d.topics.at(0).partitions.at(0).low_watermark ==
              dres.topics[0].partitions[0].low_watermark);
    });
    auto dc = fill<describe_cluster_response>();
    each_version(dc, [&](int16_t v, const describe_cluster_response& d) {
        CHECK(d.cluster_id == dc.cluster_id);
        CHECK(d.endpoint_type == (v >= 1 ? dc.endpoint_type : 1));
        CHECK(d.brokers.at(1).rack == dc.brokers[1].rack);
    });
}

TEST_CASE("DescribeConfigs fields by version", "[roundtrip][admin]") {
    auto m = fill<describe_configs_request>();
    each_version(m, [&](int16_t v, const describe_configs_request& d) {
        CHECK(d.resources.at(0).configuration_keys == m.resources[0].configuration_keys);
        CHECK(d.include_synonyms == (v >= 1 && m.include_synonyms));
        CHECK(d.include_documentation == (v >= 3 && m.include_documentation));
    });
    auto r = fill<describe_configs_response>();
    each_version(r, [&](int16_t v, const describe_configs_response& d) {
        auto& c = d.results.at(0).configs.at(1);
        auto& mc = r.results[0].configs[1];
        CHECK(c.value == mc.value);
        CHECK(c.is_default == (v == 0 && mc.is_default));
        CHECK(c.config_source == (v >= 1 ? mc.config_source : -1));
        CHECK(c.synonyms.size() == (v >= 1 ? 2u : 0u));
        CHECK(c.documentation == (v >= 3 ? mc.documentation : std::nullopt));
    });
}

TEST_CASE("AlterConfigs and IncrementalAlterConfigs fields", "[roundtrip][admin]") {
    auto m = fill<alter_configs_request>(fill_mode::nulls);
    each_version(m, [&](int16_t, const alter_configs_request& d) {
        CHECK_FALSE(d.resources.at(0).configs.at(0).value.has_value());
        CHECK(d.resources[0].resource_type == m.resources[0].resource_type);
    });
    auto i = fill<incremental_alter_configs_request>();
    each_version(i, [&](int16_t, const incremental_alter_configs_request& d) {
        auto& c = d.resources.at(1).configs.at(0);
        CHECK(c.config_operation == i.resources[1].configs[0].config_operation);
        CHECK(c.value == i.resources[1].configs[0].value);
    });
    auto r = fill<incremental_alter_configs_response>();
    each_version(r, [&](int16_t, const incremental_alter_configs_response& d) {
        CHECK(d.responses.at(1).resource_name == r.responses[1].resource_name);
    });
}
