// IncrementalAlterConfigs: per-key changes to a TOPIC's overrides. SET (0)
// sets a key, DELETE (1) removes its override (back to the default), APPEND (2)
// and SUBTRACT (3) add or remove items of a list key (cleanup.policy, ...),
// starting from the override or, when there is none, the effective value. The
// operations apply in order to the current overrides; the result is validated
// as a whole and stored (validate_only: only checked). A key given twice, a
// resource given twice or a null value for a non-DELETE is INVALID_REQUEST, as
// in Kafka. BROKER resources: Sluice has no dynamic broker configs yet, so any
// change is INVALID_REQUEST. BROKER_LOGGER: SET of the "root" logger's level
// changes the broker's log level at runtime (not persisted), as Kafka does.
#include "broker/handlers/handlers.h"
#include "broker/handlers/rejections.h"
#include "broker/log_level.h"
#include "config/topic_config.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <mutex>
#include <set>

namespace sluice::broker {

namespace {

using resource_response = protocol::incremental_alter_configs_response::resource_response;

constexpr int8_t resource_topic = 2;
constexpr int8_t resource_broker = 4;
constexpr int8_t resource_broker_logger = 8;

enum op : int8_t { op_set = 0, op_delete = 1, op_append = 2, op_subtract = 3 };
const char* op_name(int8_t o) {
    switch (o) {
        case op_set:
            return "SET";
        case op_delete:
            return "DELETE";
        case op_append:
            return "APPEND";
        case op_subtract:
            return "SUBTRACT";
    }
    return "UNKNOWN";
}

// Serializes the read-modify-write of a topic's overrides between concurrent
// IncrementalAlterConfigs requests (they run on different connections).
std::mutex alter_mutex;

std::optional<std::string> check_broker_name(const std::string& name, int32_t node,
                                             bool allow_empty) {
    if (name.empty()) {
        if (allow_empty) return std::nullopt;  // the cluster-wide default
        return "Broker id must not be empty";
    }
    bool numeric = name.size() <= 10;
    for (char c : name) numeric = numeric && std::isdigit(static_cast<unsigned char>(c));
    if (!numeric || std::stoll(name) > INT32_MAX)
        return "Broker id must be an integer, but it is: " + name;
    if (std::stoll(name) != node)
        return "Unexpected broker id, expected " + std::to_string(node) +
               (allow_empty ? " or empty string" : "") + ", but received " + name;
    return std::nullopt;
}

std::string join(const std::vector<std::string>& items, const char* sep) {
    std::string out;
    for (auto& k : items) out += (out.empty() ? "" : sep) + k;
    return out;
}

std::vector<std::string> split_list(const std::string& v) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= v.size()) {
        size_t end = v.find(',', start);
        if (end == std::string::npos) end = v.size();
        std::string item = v.substr(start, end - start);
        auto b = item.find_first_not_of(" \t");
        auto e = item.find_last_not_of(" \t");
        if (b != std::string::npos) out.push_back(item.substr(b, e - b + 1));
        start = end + 1;
    }
    return out;
}

struct outcome {
    error_code error = error_code::none;
    std::string message;
};

outcome alter_topic(request_context& ctx,
                    const protocol::incremental_alter_configs_request::resource& res,
                    bool validate_only) {
    auto& b = ctx.b;
    if (auto bad = invalid_topic_name(res.resource_name))
        return {error_code::invalid_topic_exception, *bad};

    std::lock_guard lock(alter_mutex);
    auto topic = b.topics().find(res.resource_name);
    if (!topic)
        return {error_code::unknown_topic_or_partition,
                "The topic '" + res.resource_name + "' does not exist."};

    auto overrides = topic->overrides;
    for (auto& c : res.configs) {
        const std::string& key = c.name;
        switch (c.config_operation) {
            case op_set: {
                if (auto bad = config::validate_topic_config(key, *c.value))
                    return {error_code::invalid_config, *bad};
                overrides[key] = *c.value;
                break;
            }
            case op_delete:
                overrides.erase(key);
                break;
            case op_append:
            case op_subtract: {
                const config::key_decl* d = config::find_topic_key(key);
                if (!d) return {error_code::invalid_config, "unknown topic config \"" + key + "\""};
                if (!d->is_list())
                    return {error_code::invalid_config,
                            std::string("Can't ") + op_name(c.config_operation) + " to key " + key +
                                " because its type is not LIST."};
                std::string current;
                if (auto it = overrides.find(key); it != overrides.end()) {
                    current = it->second;
                } else {
                    for (auto& e : config::effective_topic_config(b.settings().config, overrides))
                        if (e.name == key) current = e.value.value_or("");
                }
                auto items = split_list(current);
                for (auto& item : split_list(*c.value)) {
                    auto found = std::find(items.begin(), items.end(), item);
                    if (c.config_operation == op_append && found == items.end())
                        items.push_back(item);
                    else if (c.config_operation == op_subtract && found != items.end())
                        items.erase(found);
                }
                overrides[key] = join(items, ",");
                break;
            }
        }
    }

    std::vector<std::string> errors;
    for (auto& [k, v] : overrides) {
        if (auto bad = config::validate_topic_config(k, v))
            errors.push_back(*bad);
        else
            v = config::canonical_topic_value(k, v);
    }
    if (!errors.empty())
        return {error_code::invalid_config,
                "Invalid config for topic '" + res.resource_name + "': " + join(errors, "; ")};

    auto r = b.topics().set_overrides(res.resource_name, overrides, validate_only);
    if (r.error != error_code::none) return {r.error, r.message};
    if (!validate_only) {
        std::vector<std::string> changes;
        for (auto& c : res.configs)
            changes.push_back(std::string(op_name(c.config_operation)) + " " + c.name +
                              (c.config_operation == op_delete ? "" : "=" + c.value.value_or("")));
        spdlog::info("topic {}: configs altered by client '{}' ({}): {}", res.resource_name,
                     ctx.client_id(), ctx.peer, join(changes, ", "));
    }
    return {};
}

outcome alter_logger(request_context& ctx,
                     const protocol::incremental_alter_configs_request::resource& res,
                     bool validate_only) {
    std::optional<spdlog::level::level_enum> level;
    for (auto& c : res.configs) {
        if (c.config_operation == op_append || c.config_operation == op_subtract)
            return {error_code::invalid_request, std::string(op_name(c.config_operation)) +
                                                     " operation is not allowed for the "
                                                     "BROKER_LOGGER resource"};
        if (c.name != "root")
            return {error_code::invalid_config,
                    "Logger " + c.name + " does not exist! (Sluice has one logger: root)"};
        if (c.config_operation == op_delete)
            return {error_code::invalid_request,
                    "Removing the log level of the root logger is not allowed"};
        level = parse_log_level(*c.value);
        if (!level)
            return {error_code::invalid_config,
                    "Cannot set the log level of root to " + *c.value +
                        " as it is not a supported log level. Valid log4j levels are OFF, FATAL, "
                        "ERROR, WARN, INFO, DEBUG, TRACE"};
    }
    if (level && !validate_only) {
        spdlog::set_level(*level);
        spdlog::info("log level set to {} by client '{}' ({})", log_level_name(*level),
                     ctx.client_id(), ctx.peer);
    }
    return {};
}

}  // namespace

awaitable<protocol::incremental_alter_configs_response> handle_incremental_alter_configs(
    request_context& ctx, protocol::incremental_alter_configs_request& req) {
    const auto& s = ctx.b.settings();
    protocol::incremental_alter_configs_response resp;
    rejections rejected{"resource"};

    std::map<std::pair<int8_t, std::string>, int> occurrences;
    for (auto& res : req.resources) ++occurrences[{res.resource_type, res.resource_name}];

    for (auto& res : req.resources) {
        auto& r = resp.responses.emplace_back();
        r.resource_type = res.resource_type;
        r.resource_name = res.resource_name;
        auto fail = [&](error_code e, std::string msg) {
            rejected.add(
                "type " + std::to_string(res.resource_type) + " '" + res.resource_name + "'", e,
                msg);
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
        std::optional<std::string> bad_op;
        for (auto& c : res.configs) {
            if (!keys.insert(c.name).second) duplicate_keys = true;
            if (c.config_operation < op_set || c.config_operation > op_subtract) {
                if (!bad_op)
                    bad_op = "Unknown alter config operation type " +
                             std::to_string(c.config_operation) + " for config " + c.name;
            } else if (c.config_operation != op_delete && !c.value) {
                null_values.push_back(c.name);
            }
        }
        if (duplicate_keys) {
            fail(error_code::invalid_request, "Error due to duplicate config keys");
            continue;
        }
        if (bad_op) {
            fail(error_code::invalid_request, *bad_op);
            continue;
        }
        if (!null_values.empty()) {
            fail(error_code::invalid_request,
                 "Null value not supported for : " + join(null_values, ", "));
            continue;
        }

        outcome o;
        switch (res.resource_type) {
            case resource_topic:
                o = alter_topic(ctx, res, req.validate_only);
                break;
            case resource_broker:
                if (auto bad = check_broker_name(res.resource_name, s.node_id, true)) {
                    o = {error_code::invalid_request, *bad};
                } else if (!res.configs.empty()) {
                    std::vector<std::string> names;
                    for (auto& c : res.configs) names.push_back(c.name);
                    o = {error_code::invalid_request,
                         "Sluice does not support dynamic broker configs yet, so " +
                             join(names, ", ") +
                             " cannot be changed at runtime: set broker configs in the "
                             "configuration file, a SLUICE_* environment variable or --set, and "
                             "restart the broker."};
                }
                break;
            case resource_broker_logger:
                if (auto bad = check_broker_name(res.resource_name, s.node_id, false))
                    o = {error_code::invalid_request, *bad};
                else
                    o = alter_logger(ctx, res, req.validate_only);
                break;
            default:
                o = {error_code::invalid_request,
                     "Unsupported resource type: " + std::to_string(res.resource_type)};
        }
        if (o.error != error_code::none) fail(o.error, o.message);
    }
    rejected.log(ctx, "IncrementalAlterConfigs", req.validate_only);
    co_return resp;
}

}  // namespace sluice::broker
