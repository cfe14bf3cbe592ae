#pragma once
// The client's view of a cluster: bootstrap addresses, one connection per broker
// (opened lazily, reopened after a failure), and the latest Metadata.

#include "client/connection.h"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::client {

// "host:port,host:port" -> addresses. A missing port means 9092; IPv6 literals are
// written "[::1]:9092". Throws client_error naming the bad entry.
std::vector<address> parse_bootstrap(std::string_view list);

struct partition_info {
    int32_t id = 0;
    int16_t error = 0;
    int32_t leader = -1;
    int32_t leader_epoch = -1;
    std::vector<int32_t> replicas;
    std::vector<int32_t> isr;
    std::vector<int32_t> offline;
};

struct topic_info {
    std::string name;
    int16_t error = 0;
    bool internal = false;
    protocol::uuid id;
    std::vector<partition_info> partitions;  // sorted by id
};

struct broker_info {
    int32_t id = 0;
    address addr;
    std::optional<std::string> rack;
};

class cluster {
public:
    cluster(std::string_view bootstrap, connection_options opts = {});

    const connection_options& options() const { return opts_; }

    // A connection to any reachable broker: a known one first, else the bootstrap
    // list in order. Throws network_error naming every address tried.
    connection& any();
    // The connection to broker `node_id` as the latest metadata knows it.
    connection& node(int32_t node_id);
    // Drops a broken connection so the next use reconnects.
    void forget(int32_t node_id);

    // Metadata for `topics` (nullopt: all topics); updates the view and returns
    // the topics of the response. `auto_create` asks the broker to create
    // missing topics (when it allows that).
    std::vector<topic_info> refresh(const std::optional<std::vector<std::string>>& topics,
                                    bool auto_create = false);

    // From the latest metadata (nullptr when unknown).
    const topic_info* topic(const std::string& name) const;
    const std::map<int32_t, broker_info>& brokers() const { return brokers_; }
    int32_t controller_id() const { return controller_id_; }
    const std::optional<std::string>& cluster_id() const { return cluster_id_; }

    // The leader's connection for a partition; throws kafka_error when the
    // metadata shows none.
    connection& leader(const std::string& topic, int32_t partition);
    int32_t leader_id(const std::string& topic, int32_t partition) const;

private:
    connection& bootstrap_connection();

    connection_options opts_;
    std::vector<address> bootstrap_;
    std::unique_ptr<connection> bootstrap_conn_;
    std::map<int32_t, std::unique_ptr<connection>> conns_;
    std::map<int32_t, broker_info> brokers_;
    std::map<std::string, topic_info> topics_;
    int32_t controller_id_ = -1;
    std::optional<std::string> cluster_id_;
};

}  // namespace sluice::client
