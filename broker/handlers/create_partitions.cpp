// CreatePartitions: raises each topic's partition count to `count` (or, with
// validate_only, only checks that it could). The count must be an increase. A
// manual assignment must list exactly the new partitions, each on this node
// alone. A topic named twice gets INVALID_REQUEST. Synchronous: timeout_ms has
// no use here.
#include "broker/handlers/handlers.h"
#include "broker/handlers/rejections.h"

#include <spdlog/spdlog.h>

#include <cctype>
#include <map>
#include <set>

namespace sluice::broker {

namespace {

using topic_result = protocol::create_partitions_response::topic_result;


constexpr int32_t max_partitions = 100000;  // the same bound as topic creation

}  // namespace

awaitable<protocol::create_partitions_response> handle_create_partitions(
    request_context& ctx, protocol::create_partitions_request& req) {
    auto& b = ctx.b;
    const int32_t node = b.settings().node_id;
    protocol::create_partitions_response resp;
    rejections rejected{"topic"};

    auto fail = [&](topic_result& r, error_code e, std::string msg) {
        rejected.add(r.name, e, msg);
        r.error_code = code(e);
        r.error_message = std::move(msg);
    };

    std::map<std::string, int> occurrences;
    for (auto& t : req.topics) ++occurrences[t.name];
    std::set<std::string> duplicates_reported;

    for (auto& t : req.topics) {
        if (occurrences[t.name] > 1) {
            if (!duplicates_reported.insert(t.name).second) continue;
            auto& r = resp.results.emplace_back();
            r.name = t.name;
            fail(r, error_code::invalid_request, "Duplicate topic in request.");
            continue;
        }
        auto& r = resp.results.emplace_back();
        r.name = t.name;
        auto topic = b.topics().find(t.name);
        if (!topic) {
            fail(r, error_code::unknown_topic_or_partition,
                 "The topic '" + t.name + "' does not exist.");
            continue;
        }
        int32_t current = int32_t(topic->partitions.size());
        if (t.count == current) {
            fail(r, error_code::invalid_partitions,
                 "Topic already has " + std::to_string(current) + " partitions.");
            continue;
        }
        if (t.count < current) {
            fail(r, error_code::invalid_partitions,
                 "The number of partitions for a topic can only be increased. Topic " + t.name +
                     " currently has " + std::to_string(current) + " partitions, " +
                     std::to_string(t.count) + " would not be an increase.");
            continue;
        }
        if (t.count > max_partitions) {
            fail(r, error_code::invalid_partitions,
                 "Number of partitions " + std::to_string(t.count) + " is too large (at most " +
                     std::to_string(max_partitions) + ").");
            continue;
        }
        if (t.assignments) {
            int32_t added = t.count - current;
            if (int32_t(t.assignments->size()) != added) {
                fail(r, error_code::invalid_replica_assignment,
                     "Increasing the number of partitions by " + std::to_string(added) + " but " +
                         std::to_string(t.assignments->size()) + " assignments provided.");
                continue;
            }
            std::optional<std::string> bad;
            for (size_t i = 0; i < t.assignments->size() && !bad; ++i) {
                auto& ids = (*t.assignments)[i].broker_ids;
                std::string part = std::to_string(current + int32_t(i));
                if (ids.empty()) {
                    bad = "The manual partition assignment for partition " + part +
                          " includes an empty replica list.";
                    break;
                }
                std::set<int32_t> replicas;
                for (int32_t id : ids) {
                    if (!replicas.insert(id).second) {
                        bad = "The manual partition assignment for partition " + part +
                              " includes broker " + std::to_string(id) + " more than once.";
                        break;
                    }
                    if (id != node) {
                        bad = "Unknown broker(s) in replica assignment: " + std::to_string(id) +
                              " (the only broker is " + std::to_string(node) + ").";
                        break;
                    }
                }
            }
            if (bad) {
                fail(r, error_code::invalid_replica_assignment, *bad);
                continue;
            }
        }
        auto res = b.topics().add_partitions(t.name, t.count, req.validate_only);
        if (res.error != error_code::none) fail(r, res.error, res.message);
    }
    rejected.log(ctx, "CreatePartitions", req.validate_only);
    co_return resp;
}

}  // namespace sluice::broker
