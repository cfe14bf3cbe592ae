// AlterConfigs (the legacy, non-incremental API): for a TOPIC resource the
// given entries REPLACE all of the topic's overrides (a key left out goes back
// to its default), each validated first; validate_only checks without storing.
// Sluice has no dynamic broker configs yet, so a BROKER resource that would
// change anything is refused with INVALID_REQUEST (an empty set, which changes
// nothing, succeeds). A resource named twice, a key given twice or a null value
// is INVALID_REQUEST, as in Kafka.
#include "broker/handlers/handlers.h"
#include "broker/handlers/rejections.h"
#include "config/topic_config.h"

#include <spdlog/spdlog.h>

#include <cctype>
#include <map>
#include <set>

namespace sluice::broker {

namespace {

using resource_response = protocol::alter_configs_response::resource_response;

constexpr int8_t resource_topic = 2;
constexpr int8_t resource_broker = 4;
constexpr int8_t resource_broker_logger = 8;


std::optional<std::string> check_broker_name(const std::string& name, int32_t node) {
    if (name.empty()) return std::nullopt;  // the cluster-wide default
    bool numeric = name.size() <= 10;
    for (char c : name) numeric = numeric && std::isdigit(static_cast<unsigned char>(c));
    if (!numeric || std::stoll(name) > INT32_MAX)
        return "Broker id must be an integer, but it is: " + name;
    if (std::stoll(name) != node)
        return "Unexpected broker id, expected " + std::to_string(node) +
               " or empty string, but received " + name;
    return std::nullopt;
}

std::string join_keys(const std::vector<std::string>& keys) {
    std::string out;
    for (auto& k : keys) out += (out.empty() ? "" : ", ") + k;
    return out;
}

}  // namespace

awaitable<protocol::alter_configs_response> handle_alter_configs(
    request_context& ctx, protocol::alter_configs_request& req) {
    auto& b = ctx.b;
    const auto& s = b.settings();
    protocol::alter_configs_response resp;
    rejections rejected{"resource"};

    std::map<std::pair<int8_t, std::string>, int> occurrences;
    for (auto& res : req.resources) ++occurrences[{res.resource_type, res.resource_name}];

    for (auto& res : req.resources) {
        auto& r = resp.responses.emplace_back();
        r.resource_type = res.resource_type;
        r.resource_name = res.resource_name;
        auto fail = [&](error_code e, std::string msg) {
            rejected.add("type " + std::to_string(res.resource_type) + " '" + res.resource_name + "'",
                         e, msg);
            r.error_code = code(e);
            r.error_message = std::move(msg);
        };

        if (occurrences[{res.resource_type, res.resource_name}] > 1) {
            fail(error_code::invalid_request, "Each resource must appear at most once.");
            continue;
        }
        std::set<std::string> keys;
        bool duplicate_keys = false;
        std::vector<std::string> null_values;
        for (auto& c : res.configs) {
            if (!keys.insert(c.name).second) duplicate_keys = true;
            if (!c.value) null_values.push_back(c.name);
        }
        if (duplicate_keys) {
            fail(error_code::invalid_request, "Error due to duplicate config keys");
            continue;
        }
        if (!null_values.empty()) {
            fail(error_code::invalid_request, "Null value not supported for : " + join_keys(null_values));
            continue;
        }

        switch (res.resource_type) {
            case resource_topic: {
                if (auto bad = invalid_topic_name(res.resource_name)) {
                    fail(error_code::invalid_topic_exception, *bad);
                    break;
                }
                if (!b.topics().find(res.resource_name)) {
                    fail(error_code::unknown_topic_or_partition,
                         "The topic '" + res.resource_name + "' does not exist.");
                    break;
                }
                std::map<std::string, std::string> overrides;
                std::string errors;
                for (auto& c : res.configs) {
                    if (auto bad = config::validate_topic_config(c.name, *c.value)) {
                        errors += (errors.empty() ? "" : "; ") + *bad;
                        continue;
                    }
                    overrides[c.name] = config::canonical_topic_value(c.name, *c.value);
                }
                if (!errors.empty()) {
                    fail(error_code::invalid_config, "Invalid config for topic '" +
                                                         res.resource_name + "': " + errors);
                    break;
                }
                auto result = b.topics().set_overrides(res.resource_name, overrides, req.validate_only);
                if (result.error != error_code::none) {
                    fail(result.error, result.message);
                    break;
                }
                if (!req.validate_only) {
                    std::string text;
                    for (auto& [k, v] : overrides) text += (text.empty() ? "" : ", ") + k + "=" + v;
                    spdlog::info("topic {}: overrides replaced by client '{}' ({}): {{{}}}",
                                 res.resource_name, ctx.client_id(), ctx.peer, text);
                }
                break;
            }
            case resource_broker: {
                if (auto bad = check_broker_name(res.resource_name, s.node_id)) {
                    fail(error_code::invalid_request, *bad);
                    break;
                }
                if (res.configs.empty()) break;  // nothing to change
                std::vector<std::string> names;
                for (auto& c : res.configs) names.push_back(c.name);
                fail(error_code::invalid_request,
                     "Sluice does not support dynamic broker configs yet, so " + join_keys(names) +
                         " cannot be changed at runtime: set broker configs in the configuration "
                         "file, a SLUICE_* environment variable or --set, and restart the broker.");
                break;
            }
            case resource_broker_logger:
                fail(error_code::invalid_request,
                     "AlterConfigs does not support BROKER_LOGGER resources; use "
                     "IncrementalAlterConfigs to change a log level.");
                break;
            default:
                fail(error_code::invalid_request,
                     "Unsupported resource type: " + std::to_string(res.resource_type));
        }
    }
    rejected.log(ctx, "AlterConfigs", req.validate_only);
    co_return resp;
}

}  // namespace sluice::broker
