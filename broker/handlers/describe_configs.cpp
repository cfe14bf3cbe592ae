// DescribeConfigs: the effective configuration of topics (type 2), of this
// broker (type 4, named by its node id; the empty name is the cluster-wide
// dynamic default, which Sluice does not have, so it describes nothing) and of
// this broker's loggers (type 8: the root logger's level). Null or empty
// ConfigurationKeys ask for every key; unknown keys are just left out.
// Synonyms (v1+) only when asked for, documentation (v3+) likewise. Sensitive
// values are null.
#include "broker/handlers/handlers.h"
#include "broker/handlers/rejections.h"
#include "config/topic_config.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <set>

namespace sluice::broker {

namespace {

using resource_result = protocol::describe_configs_response::resource_result;
using config_out = resource_result::config;

constexpr int8_t resource_topic = 2;
constexpr int8_t resource_broker = 4;
constexpr int8_t resource_broker_logger = 8;
constexpr int8_t source_dynamic_broker_logger = 6;  // DYNAMIC_BROKER_LOGGER_CONFIG


// The root logger's level as Kafka (log4j) names it.
std::string kafka_level_name(spdlog::level::level_enum l) {
    switch (l) {
        case spdlog::level::trace: return "TRACE";
        case spdlog::level::debug: return "DEBUG";
        case spdlog::level::info: return "INFO";
        case spdlog::level::warn: return "WARN";
        case spdlog::level::err: return "ERROR";
        case spdlog::level::critical: return "FATAL";
        default: return "OFF";
    }
}

// Checks a BROKER or BROKER_LOGGER resource name against this node's id.
// Returns the INVALID_REQUEST message, or nullopt when it names this broker.
std::optional<std::string> check_broker_name(const std::string& name, int32_t node,
                                             bool allow_empty) {
    if (name.empty()) {
        if (allow_empty) return std::nullopt;
        return "Broker id must not be empty";
    }
    int64_t id = 0;
    bool numeric = name.size() <= 10;
    for (char c : name) numeric = numeric && std::isdigit(static_cast<unsigned char>(c));
    if (numeric) id = std::stoll(name);
    if (!numeric || id > INT32_MAX)
        return "Broker id must be an integer, but it is: " + name;
    if (id != node)
        return "Unexpected broker id, expected " + std::to_string(node) +
               (allow_empty ? " or empty string" : "") + ", but received " + name;
    return std::nullopt;
}

}  // namespace

awaitable<protocol::describe_configs_response> handle_describe_configs(
    request_context& ctx, protocol::describe_configs_request& req) {
    auto& b = ctx.b;
    const auto& s = b.settings();
    const int16_t version = ctx.version();
    const bool synonyms = version >= 1 && req.include_synonyms;
    const bool docs = version >= 3 && req.include_documentation;
    protocol::describe_configs_response resp;
    rejections rejected{"resource"};

    for (auto& res : req.resources) {
        auto& r = resp.results.emplace_back();
        r.resource_type = res.resource_type;
        r.resource_name = res.resource_name;
        auto fail = [&](error_code e, std::string msg) {
            rejected.add("type " + std::to_string(res.resource_type) + " '" + res.resource_name + "'",
                         e, msg);
            r.error_code = code(e);
            r.error_message = std::move(msg);
        };

        // Null or empty: every key (Kafka treats both alike).
        std::optional<std::set<std::string>> wanted;
        if (res.configuration_keys && !res.configuration_keys->empty())
            wanted.emplace(res.configuration_keys->begin(), res.configuration_keys->end());
        auto add_entries = [&](const std::vector<config::config_entry>& entries) {
            for (auto& e : entries) {
                if (wanted && !wanted->count(e.name)) continue;
                auto& c = r.configs.emplace_back();
                c.name = e.name;
                c.value = e.sensitive ? std::nullopt : e.value;
                c.read_only = e.read_only;
                c.is_default = e.source == config::config_source::default_config;
                c.config_source = int8_t(e.source);
                c.is_sensitive = e.sensitive;
                if (synonyms)
                    for (auto& syn : e.synonyms)
                        c.synonyms.push_back({syn.name, e.sensitive ? std::nullopt : syn.value,
                                              int8_t(syn.source)});
                c.config_type = int8_t(e.type);
                if (docs) c.documentation = e.doc;
            }
        };

        switch (res.resource_type) {
            case resource_topic: {
                if (auto bad = invalid_topic_name(res.resource_name)) {
                    fail(error_code::invalid_topic_exception, *bad);
                    break;
                }
                auto topic = b.topics().find(res.resource_name);
                if (!topic) {
                    fail(error_code::unknown_topic_or_partition,
                         "The topic '" + res.resource_name + "' does not exist.");
                    break;
                }
                add_entries(config::effective_topic_config(s.config, topic->overrides));
                break;
            }
            case resource_broker: {
                if (auto bad = check_broker_name(res.resource_name, s.node_id, true)) {
                    fail(error_code::invalid_request, *bad);
                    break;
                }
                // The empty name asks for the cluster-wide dynamic defaults: none.
                if (!res.resource_name.empty()) add_entries(config::describe_broker_config(s.config));
                break;
            }
            case resource_broker_logger: {
                if (auto bad = check_broker_name(res.resource_name, s.node_id, false)) {
                    fail(error_code::invalid_request, *bad);
                    break;
                }
                // Sluice has one logger, which Kafka tools know as the root logger.
                const std::string root = "root";
                if (wanted && !wanted->count(root)) break;
                auto& c = r.configs.emplace_back();
                c.name = root;
                c.value = kafka_level_name(spdlog::get_level());
                c.read_only = false;
                c.config_source = source_dynamic_broker_logger;
                c.config_type = int8_t(config::config_type::string);
                if (docs) c.documentation = "The level of the broker's log (Sluice has one logger).";
                break;
            }
            default:
                fail(error_code::invalid_request,
                     "Unsupported resource type: " + std::to_string(res.resource_type));
        }
    }
    rejected.log(ctx, "DescribeConfigs");
    co_return resp;
}

}  // namespace sluice::broker
