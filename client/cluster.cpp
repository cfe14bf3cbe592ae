#include "client/cluster.h"

#include <algorithm>
#include <charconv>

namespace sluice::client {

namespace {

std::string trim(std::string_view s) {
    size_t b = s.find_first_not_of(" \t\r\n");
    if (b == std::string_view::npos) return {};
    size_t e = s.find_last_not_of(" \t\r\n");
    return std::string(s.substr(b, e - b + 1));
}

address parse_one(const std::string& entry) {
    std::string host;
    std::string port_text;
    std::string e = entry;
    // Tolerate a listener-style scheme prefix ("PLAINTEXT://host:port").
    if (auto p = e.find("://"); p != std::string::npos) e = e.substr(p + 3);
    if (!e.empty() && e[0] == '[') {
        auto close = e.find(']');
        if (close == std::string::npos)
            throw client_error("bad bootstrap server '" + entry + "': missing ']'");
        host = e.substr(1, close - 1);
        std::string rest = e.substr(close + 1);
        if (!rest.empty()) {
            if (rest[0] != ':')
                throw client_error("bad bootstrap server '" + entry + "': expected ':' after ']'");
            port_text = rest.substr(1);
        }
    } else {
        auto colon = e.rfind(':');
        if (colon != std::string::npos && e.find(':') != colon)
            throw client_error("bad bootstrap server '" + entry +
                               "': write IPv6 addresses as [addr]:port");
        host = e.substr(0, colon);
        if (colon != std::string::npos) port_text = e.substr(colon + 1);
    }
    if (host.empty()) throw client_error("bad bootstrap server '" + entry + "': empty host");
    int port = 9092;
    if (!port_text.empty() || e.back() == ':') {
        auto [ptr, ec] =
            std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
        if (ec != std::errc() || ptr != port_text.data() + port_text.size() || port <= 0 ||
            port > 65535)
            throw client_error("bad bootstrap server '" + entry + "': port '" + port_text +
                               "' is not a number in 1-65535");
    }
    return {host, port};
}

}  // namespace

std::vector<address> parse_bootstrap(std::string_view list) {
    std::vector<address> out;
    size_t start = 0;
    while (start <= list.size()) {
        size_t comma = list.find(',', start);
        if (comma == std::string_view::npos) comma = list.size();
        std::string entry = trim(list.substr(start, comma - start));
        if (!entry.empty()) {
            address a = parse_one(entry);
            if (std::find(out.begin(), out.end(), a) == out.end()) out.push_back(a);
        }
        start = comma + 1;
    }
    if (out.empty())
        throw client_error("no bootstrap servers given (expected host:port[,host:port])");
    return out;
}

cluster::cluster(std::string_view bootstrap, connection_options opts)
    : opts_(std::move(opts)), bootstrap_(parse_bootstrap(bootstrap)) {}

connection& cluster::bootstrap_connection() {
    if (bootstrap_conn_ && !bootstrap_conn_->broken()) return *bootstrap_conn_;
    bootstrap_conn_.reset();
    std::string errors;
    for (auto& a : bootstrap_) {
        try {
            bootstrap_conn_ = std::make_unique<connection>(a, opts_);
            return *bootstrap_conn_;
        } catch (const client_error& e) {
            if (!errors.empty()) errors += "; ";
            errors += e.what();
        }
    }
    throw network_error("cannot reach any bootstrap server: " + errors);
}

connection& cluster::any() {
    for (auto& [id, c] : conns_)
        if (c && !c->broken()) return *c;
    return bootstrap_connection();
}

connection& cluster::node(int32_t node_id) {
    auto it = conns_.find(node_id);
    if (it != conns_.end() && it->second && !it->second->broken()) return *it->second;
    auto b = brokers_.find(node_id);
    if (b == brokers_.end())
        throw client_error("broker " + std::to_string(node_id) + " is not in the cluster metadata");
    auto c = std::make_unique<connection>(b->second.addr, opts_);
    auto& ref = *c;
    conns_[node_id] = std::move(c);
    return ref;
}

void cluster::forget(int32_t node_id) { conns_.erase(node_id); }

std::vector<topic_info> cluster::refresh(const std::optional<std::vector<std::string>>& topics,
                                         bool auto_create) {
    protocol::metadata_request req;
    if (topics) {
        std::vector<protocol::metadata_request::topic> list;
        for (auto& t : *topics) {
            protocol::metadata_request::topic mt;
            mt.name = t;
            list.push_back(mt);
        }
        req.topics = std::move(list);
    } else {
        req.topics = std::nullopt;
    }
    req.allow_auto_topic_creation = auto_create;
    connection* c = nullptr;
    protocol::metadata_response resp;
    try {
        c = &any();
        // Metadata v0 cannot say "all topics" with null; it uses an empty list.
        auto v = c->version_for<protocol::metadata_request>();
        if (v && *v == 0 && !topics) req.topics = std::vector<protocol::metadata_request::topic>{};
        resp = c->call(req);
    } catch (const network_error&) {
        // The broker we asked went away: try the others once.
        resp = bootstrap_connection().call(req);
    }
    brokers_.clear();
    for (auto& b : resp.brokers)
        brokers_[b.node_id] = broker_info{b.node_id, address{b.host, b.port}, b.rack};
    // Connections to brokers whose address changed or that left are dropped.
    for (auto it = conns_.begin(); it != conns_.end();) {
        auto b = brokers_.find(it->first);
        if (b == brokers_.end() || !(b->second.addr == it->second->peer()))
            it = conns_.erase(it);
        else
            ++it;
    }
    controller_id_ = resp.controller_id;
    if (resp.cluster_id) cluster_id_ = resp.cluster_id;
    std::vector<topic_info> out;
    for (auto& t : resp.topics) {
        topic_info ti;
        ti.name = t.name.value_or("");
        ti.error = t.error_code;
        ti.internal = t.is_internal;
        ti.id = t.topic_id;
        for (auto& p : t.partitions)
            ti.partitions.push_back(partition_info{p.partition_index, p.error_code, p.leader_id,
                                                   p.leader_epoch, p.replica_nodes, p.isr_nodes,
                                                   p.offline_replicas});
        std::sort(ti.partitions.begin(), ti.partitions.end(),
                  [](auto& a, auto& b) { return a.id < b.id; });
        if (ti.error == 0)
            topics_[ti.name] = ti;
        else
            topics_.erase(ti.name);
        out.push_back(std::move(ti));
    }
    return out;
}

const topic_info* cluster::topic(const std::string& name) const {
    auto it = topics_.find(name);
    return it == topics_.end() ? nullptr : &it->second;
}

int32_t cluster::leader_id(const std::string& topic, int32_t partition) const {
    auto* t = this->topic(topic);
    if (!t)
        throw kafka_error(protocol::error_code::unknown_topic_or_partition,
                          "topic " + topic + " is not in the cluster metadata");
    for (auto& p : t->partitions)
        if (p.id == partition) {
            if (p.leader < 0)
                throw kafka_error(
                    protocol::error_code::leader_not_available,
                    "partition " + topic + "-" + std::to_string(partition) + " has no leader");
            return p.leader;
        }
    throw kafka_error(protocol::error_code::unknown_topic_or_partition,
                      "topic " + topic + " has no partition " + std::to_string(partition) +
                          " (it has " + std::to_string(t->partitions.size()) + ")");
}

connection& cluster::leader(const std::string& topic, int32_t partition) {
    return node(leader_id(topic, partition));
}

}  // namespace sluice::client
