// DeleteTopics: deletes each named topic (v0-5 TopicNames; v6 Topics, each by
// name or by topic id). Missing names answer UNKNOWN_TOPIC_OR_PARTITION, unknown
// ids UNKNOWN_TOPIC_ID, a topic named twice INVALID_REQUEST. When
// delete.topic.enable is false, v0-2 get INVALID_REQUEST and v3+
// TOPIC_DELETION_DISABLED, as Kafka answers. Deletion is synchronous (the log
// files go on the partition strands), so timeout_ms has no use here.
#include "broker/handlers/handlers.h"
#include "broker/handlers/rejections.h"

#include <spdlog/spdlog.h>

#include <cctype>
#include <map>
#include <set>

namespace sluice::broker {

namespace {

using topic_result = protocol::delete_topics_response::topic_result;


std::string uuid_text(const protocol::uuid& id) {
    // Kafka prints topic ids in URL-safe base64 without padding.
    static const char* alphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    uint32_t acc = 0;
    int bits = 0;
    for (uint8_t byte : id.bytes) {
        acc = (acc << 8) | byte;
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out += alphabet[(acc >> bits) & 0x3f];
        }
    }
    if (bits > 0) out += alphabet[(acc << (6 - bits)) & 0x3f];
    return out;
}

}  // namespace

awaitable<protocol::delete_topics_response> handle_delete_topics(
    request_context& ctx, protocol::delete_topics_request& req) {
    auto& b = ctx.b;
    const int16_t version = ctx.version();
    protocol::delete_topics_response resp;
    rejections rejected{"topic"};

    auto fail = [&](topic_result& r, const std::string& what, error_code e, std::string msg) {
        if (e == error_code::topic_deletion_disabled && version < 3) e = error_code::invalid_request;
        rejected.add(what, e, msg);
        r.error_code = code(e);
        if (version >= 5) r.error_message = std::move(msg);
    };

    // Resolve every entry to a name first (v6 may name topics by id).
    struct entry {
        std::optional<std::string> name;
        protocol::uuid id;
        bool by_id = false;
    };
    std::vector<entry> entries;
    if (version >= 6) {
        for (auto& t : req.topics) entries.push_back({t.name, t.topic_id, !t.name.has_value()});
    } else {
        for (auto& n : req.topic_names) entries.push_back({n, {}, false});
    }

    std::map<std::string, int> by_name;
    std::map<std::string, std::shared_ptr<const topic_info>> by_id;  // uuid text -> topic
    auto snap = b.topics().snapshot();
    for (auto& [name, t] : *snap) by_id[uuid_text(t->id)] = t;
    for (auto& e : entries)
        if (e.name) ++by_name[*e.name];
    std::map<std::string, int> ids;
    for (auto& e : entries)
        if (e.by_id) ++ids[uuid_text(e.id)];
    std::set<std::string> duplicates_reported;

    for (auto& e : entries) {
        topic_result r;
        r.name = e.name;
        r.topic_id = e.id;
        if (version >= 6 && e.name && !e.id.is_zero()) {
            auto& out = resp.responses.emplace_back(std::move(r));
            fail(out, *e.name, error_code::invalid_request,
                 "You may not specify both topic name and topic id.");
            continue;
        }
        if (e.by_id) {
            std::string key = uuid_text(e.id);
            if (ids[key] > 1) {
                if (!duplicates_reported.insert("id:" + key).second) continue;
                auto& out = resp.responses.emplace_back(std::move(r));
                fail(out, key, error_code::invalid_request, "Duplicate topic id.");
                continue;
            }
            auto it = e.id.is_zero() ? by_id.end() : by_id.find(key);
            if (it == by_id.end()) {
                auto& out = resp.responses.emplace_back(std::move(r));
                fail(out, key, error_code::unknown_topic_id, "This server does not host this topic ID.");
                continue;
            }
            r.name = it->second->name;
        } else if (by_name[*e.name] > 1) {
            if (!duplicates_reported.insert("name:" + *e.name).second) continue;
            auto& out = resp.responses.emplace_back(std::move(r));
            fail(out, *e.name, error_code::invalid_request, "Duplicate topic name.");
            continue;
        }
        auto& out = resp.responses.emplace_back(std::move(r));
        const std::string name = *out.name;
        if (auto t = b.topics().find(name); t && version >= 6) out.topic_id = t->id;
        auto res = b.topics().remove(name);
        if (res.error != error_code::none) fail(out, name, res.error, res.message);
    }
    rejected.log(ctx, "DeleteTopics");
    co_return resp;
}

}  // namespace sluice::broker
