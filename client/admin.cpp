#include "client/admin.h"

#include <algorithm>
#include <chrono>
#include <set>
#include <thread>

namespace sluice::client {

using namespace sluice::protocol;

namespace {

constexpr int8_t topic_resource = 2;

bool retriable_coordinator_error(int16_t e) {
    return e == code(error_code::coordinator_not_available) ||
           e == code(error_code::coordinator_load_in_progress) ||
           e == code(error_code::not_coordinator);
}

void backoff(int attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(std::min(50 * (attempt + 1), 500)));
}

}  // namespace

std::vector<topic_partition> decode_consumer_assignment(const bytes& data) {
    std::vector<topic_partition> out;
    if (data.empty()) return out;
    try {
        reader r(data);
        r.i16();  // version
        int32_t topics = r.i32();
        for (int32_t i = 0; i < topics; ++i) {
            int16_t n = r.i16();
            if (n < 0) throw decode_error("null topic");
            auto b = r.take(size_t(n));
            std::string name(reinterpret_cast<const char*>(b.data()), b.size());
            int32_t parts = r.i32();
            for (int32_t j = 0; j < parts; ++j) out.push_back({name, r.i32()});
        }
    } catch (const decode_error&) {
        return {};
    }
    std::sort(out.begin(), out.end());
    return out;
}

connection& admin::controller() {
    if (c_.controller_id() < 0 || !c_.brokers().count(c_.controller_id()))
        c_.refresh(std::vector<std::string>{});
    if (c_.controller_id() >= 0 && c_.brokers().count(c_.controller_id()))
        return c_.node(c_.controller_id());
    return c_.any();
}

std::vector<std::string> admin::list_topics(bool include_internal) {
    auto topics = c_.refresh(std::nullopt);
    std::vector<std::string> names;
    for (auto& t : topics)
        if (t.error == 0 && (include_internal || !t.internal)) names.push_back(t.name);
    std::sort(names.begin(), names.end());
    return names;
}

topic_info admin::describe_topic(const std::string& name) {
    auto topics = c_.refresh(std::vector<std::string>{name});
    for (auto& t : topics)
        if (t.name == name) {
            check_error(t.error, "describe topic " + name);
            return t;
        }
    throw kafka_error(error_code::unknown_topic_or_partition,
                      "describe topic " + name + ": not in the Metadata response");
}

void admin::create_topic(const new_topic& t, int32_t timeout_ms) {
    create_topics_request req;
    create_topics_request::topic rt;
    rt.name = t.name;
    rt.num_partitions = t.partitions;
    rt.replication_factor = t.replication_factor;
    for (auto& [k, v] : t.configs) rt.configs.push_back({k, v});
    req.topics.push_back(rt);
    req.timeout_ms = timeout_ms;
    auto& conn = controller();
    auto v = conn.version_for<create_topics_request>();
    if (v && *v < 4 && (t.partitions < 0 || t.replication_factor < 0))
        throw client_error("broker " + conn.peer().str() +
                           " needs an explicit partition count "
                           "and replication factor (CreateTopics v" +
                           std::to_string(*v) + ")");
    auto resp = conn.call(req);
    for (auto& r : resp.topics)
        if (r.name == t.name) check_error(r.error_code, "create topic " + t.name, r.error_message);
}

void admin::delete_topic(const std::string& name, int32_t timeout_ms) {
    delete_topics_request req;
    req.timeout_ms = timeout_ms;
    req.topic_names.push_back(name);
    delete_topics_request::topic t;
    t.name = name;
    req.topics.push_back(t);
    auto resp = controller().call(req);
    for (auto& r : resp.responses)
        if (r.name.value_or(name) == name)
            check_error(r.error_code, "delete topic " + name, r.error_message);
}

void admin::create_partitions(const std::string& name, int32_t total_count, int32_t timeout_ms) {
    create_partitions_request req;
    create_partitions_request::topic t;
    t.name = name;
    t.count = total_count;
    t.assignments = std::nullopt;
    req.topics.push_back(t);
    req.timeout_ms = timeout_ms;
    auto resp = controller().call(req);
    for (auto& r : resp.results)
        if (r.name == name)
            check_error(r.error_code,
                        "set topic " + name + " to " + std::to_string(total_count) + " partitions",
                        r.error_message);
}

std::vector<config_entry> admin::describe_topic_configs(const std::string& name) {
    describe_configs_request req;
    describe_configs_request::resource r;
    r.resource_type = topic_resource;
    r.resource_name = name;
    r.configuration_keys = std::nullopt;
    req.resources.push_back(r);
    auto& conn = c_.any();
    auto resp = conn.call(req);
    auto v = conn.version_for<describe_configs_request>().value_or(0);
    std::vector<config_entry> out;
    for (auto& res : resp.results) {
        check_error(res.error_code, "describe configs of topic " + name, res.error_message);
        for (auto& c : res.configs) {
            config_entry e;
            e.name = c.name;
            e.value = c.value;
            e.read_only = c.read_only;
            e.sensitive = c.is_sensitive;
            e.source = c.config_source;
            // v0 has IsDefault; v1+ has ConfigSource (5 = DEFAULT_CONFIG).
            e.is_default = v == 0 ? c.is_default : c.config_source == 5;
            out.push_back(std::move(e));
        }
    }
    std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.name < b.name; });
    return out;
}

cluster_description admin::describe_cluster() {
    auto& conn = c_.any();
    cluster_description d;
    if (conn.version_for<describe_cluster_request>()) {
        auto resp = conn.call(describe_cluster_request{});
        check_error(resp.error_code, "DescribeCluster to broker " + conn.peer().str(),
                    resp.error_message);
        d.cluster_id = resp.cluster_id;
        d.controller_id = resp.controller_id;
        for (auto& b : resp.brokers)
            d.brokers.push_back({b.broker_id, address{b.host, b.port}, b.rack});
    } else {
        c_.refresh(std::vector<std::string>{});
        d.cluster_id = c_.cluster_id();
        d.controller_id = c_.controller_id();
        for (auto& [id, b] : c_.brokers()) d.brokers.push_back(b);
    }
    std::sort(d.brokers.begin(), d.brokers.end(), [](auto& a, auto& b) { return a.id < b.id; });
    return d;
}

std::vector<group_listing> admin::list_groups() {
    // Each broker lists the groups it coordinates: ask them all.
    c_.refresh(std::vector<std::string>{});
    std::vector<group_listing> out;
    std::set<std::string> seen;
    std::vector<int32_t> ids;
    for (auto& [id, b] : c_.brokers()) ids.push_back(id);
    for (int32_t id : ids) {
        auto& conn = c_.node(id);
        auto resp = conn.call(list_groups_request{});
        check_error(resp.error_code, "ListGroups to broker " + conn.peer().str());
        for (auto& g : resp.groups)
            if (seen.insert(g.group_id).second)
                out.push_back({g.group_id, g.protocol_type, g.group_state});
    }
    std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.group_id < b.group_id; });
    return out;
}

int32_t admin::find_coordinator(const std::string& group) {
    for (int attempt = 0;; ++attempt) {
        auto& conn = c_.any();
        find_coordinator_request req;
        req.key = group;
        req.key_type = 0;
        req.coordinator_keys = {group};
        auto v = conn.version_for<find_coordinator_request>().value_or(0);
        auto resp = conn.call(req);
        int16_t err = resp.error_code;
        std::optional<std::string> msg = resp.error_message;
        int32_t node = resp.node_id;
        if (v >= 4) {
            if (resp.coordinators.empty())
                throw client_error("FindCoordinator for group " + group + " to broker " +
                                   conn.peer().str() + " returned no coordinator");
            err = resp.coordinators[0].error_code;
            msg = resp.coordinators[0].error_message;
            node = resp.coordinators[0].node_id;
        }
        if (retriable_coordinator_error(err) && attempt < 40) {
            backoff(attempt);
            continue;
        }
        check_error(err, "find the coordinator of group " + group, msg);
        if (!c_.brokers().count(node)) c_.refresh(std::vector<std::string>{});
        return node;
    }
}

group_description admin::describe_group(const std::string& group) {
    for (int attempt = 0;; ++attempt) {
        int32_t coord = find_coordinator(group);
        describe_groups_request req;
        req.groups = {group};
        auto resp = c_.node(coord).call(req);
        if (resp.groups.empty())
            throw client_error("DescribeGroups for group " + group + " returned no group");
        auto& g = resp.groups[0];
        if (retriable_coordinator_error(g.error_code) && attempt < 20) {
            backoff(attempt);
            continue;
        }
        check_error(g.error_code, "describe group " + group);
        group_description d;
        d.group_id = g.group_id;
        d.state = g.group_state;
        d.protocol_type = g.protocol_type;
        d.protocol = g.protocol_data;
        d.coordinator = coord;
        for (auto& m : g.members) {
            member_description gm;
            gm.member_id = m.member_id;
            gm.group_instance_id = m.group_instance_id;
            gm.client_id = m.client_id;
            gm.client_host = m.client_host;
            if (g.protocol_type == "consumer")
                gm.assignment = decode_consumer_assignment(m.member_assignment);
            d.members.push_back(std::move(gm));
        }
        return d;
    }
}

std::map<topic_partition, int64_t> admin::group_offsets(const std::string& group) {
    for (int attempt = 0;; ++attempt) {
        int32_t coord = find_coordinator(group);
        auto& conn = c_.node(coord);
        auto v = conn.version_for<offset_fetch_request>();
        if (!v || *v < 2)
            throw client_error("broker " + conn.peer().str() +
                               " cannot list all committed offsets of a group (OffsetFetch v2+)");
        offset_fetch_request req;
        req.group_id = group;
        req.topics = std::nullopt;
        offset_fetch_request::group g;
        g.group_id = group;
        g.topics = std::nullopt;
        req.groups.push_back(g);
        auto resp = conn.call(req);
        std::map<topic_partition, int64_t> out;
        int16_t err = resp.error_code;
        if (*v >= 8) {
            err = resp.groups.empty() ? int16_t(0) : resp.groups[0].error_code;
            for (auto& gr : resp.groups)
                for (auto& t : gr.topics)
                    for (auto& p : t.partitions)
                        if (p.error_code == 0 && p.committed_offset >= 0)
                            out[{t.name, p.partition_index}] = p.committed_offset;
        } else {
            for (auto& t : resp.topics)
                for (auto& p : t.partitions)
                    if (p.error_code == 0 && p.committed_offset >= 0)
                        out[{t.name, p.partition_index}] = p.committed_offset;
        }
        if (retriable_coordinator_error(err) && attempt < 20) {
            backoff(attempt);
            continue;
        }
        check_error(err, "fetch committed offsets of group " + group);
        return out;
    }
}

std::map<topic_partition, int64_t> admin::list_offsets(const std::vector<topic_partition>& parts,
                                                       int64_t timestamp) {
    std::map<topic_partition, int64_t> out;
    std::vector<topic_partition> todo = parts;
    std::set<std::string> names;
    for (auto& p : parts) names.insert(p.topic);
    c_.refresh(std::vector<std::string>(names.begin(), names.end()));
    for (int attempt = 0; !todo.empty(); ++attempt) {
        std::map<int32_t, std::vector<topic_partition>> by_leader;
        for (auto& p : todo) by_leader[c_.leader_id(p.topic, p.partition)].push_back(p);
        std::vector<topic_partition> again;
        std::string last_error;
        for (auto& [leader, ps] : by_leader) {
            list_offsets_request req;
            req.replica_id = -1;
            std::map<std::string, list_offsets_request::topic> topics;
            for (auto& p : ps) {
                auto& t = topics[p.topic];
                t.name = p.topic;
                list_offsets_request::topic::partition rp;
                rp.partition_index = p.partition;
                rp.timestamp = timestamp;
                rp.max_num_offsets = 1;
                t.partitions.push_back(rp);
            }
            for (auto& [n, t] : topics) req.topics.push_back(t);
            auto& conn = c_.node(leader);
            auto v = conn.version_for<list_offsets_request>().value_or(0);
            auto resp = conn.call(req);
            std::set<topic_partition> asked(ps.begin(), ps.end());
            for (auto& t : resp.topics)
                for (auto& p : t.partitions) {
                    topic_partition tp{t.name, p.partition_index};
                    if (!asked.erase(tp))
                        throw client_error("broker " + conn.peer().str() +
                                           " answered ListOffsets v" + std::to_string(v) + " for " +
                                           t.name + "-" + std::to_string(p.partition_index) +
                                           ", which was not asked for");
                    if (p.error_code == code(error_code::not_leader_or_follower) ||
                        p.error_code == code(error_code::leader_not_available) ||
                        p.error_code == code(error_code::unknown_topic_or_partition) ||
                        p.error_code == code(error_code::offset_not_available)) {
                        again.push_back(tp);
                        last_error = "list offsets of " + t.name + "-" +
                                     std::to_string(p.partition_index) + ": " +
                                     describe_error(p.error_code);
                        continue;
                    }
                    check_error(p.error_code, "list offsets of " + t.name + "-" +
                                                  std::to_string(p.partition_index));
                    int64_t off = p.offset;
                    if (v == 0) off = p.old_style_offsets.empty() ? -1 : p.old_style_offsets[0];
                    out[tp] = off;
                }
            if (!asked.empty())
                throw client_error("broker " + conn.peer().str() + " answered ListOffsets v" +
                                   std::to_string(v) + " without " + asked.begin()->topic + "-" +
                                   std::to_string(asked.begin()->partition));
        }
        if (again.empty()) break;
        if (attempt >= 20) throw client_error(last_error + " (gave up after retries)");
        backoff(attempt);
        c_.refresh(std::vector<std::string>(names.begin(), names.end()));
        todo = again;
    }
    return out;
}

}  // namespace sluice::client
