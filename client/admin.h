#pragma once
// Admin operations: topics, configs, cluster description, consumer groups.

#include "client/cluster.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sluice::client {

struct new_topic {
    std::string name;
    int32_t partitions = -1;          // -1: the broker's num.partitions
    int16_t replication_factor = -1;  // -1: the broker's default
    std::map<std::string, std::string> configs;
};

struct config_entry {
    std::string name;
    std::optional<std::string> value;
    bool read_only = false;
    bool is_default = false;
    bool sensitive = false;
    int8_t source = -1;
};

struct cluster_description {
    std::optional<std::string> cluster_id;
    int32_t controller_id = -1;
    std::vector<broker_info> brokers;
};

struct group_listing {
    std::string group_id;
    std::string protocol_type;
    std::string state;  // empty when the broker does not report it
};

struct topic_partition {
    std::string topic;
    int32_t partition = 0;
    auto operator<=>(const topic_partition&) const = default;
};

struct member_description {
    std::string member_id;
    std::optional<std::string> group_instance_id;
    std::string client_id;
    std::string client_host;
    std::vector<topic_partition> assignment;  // decoded consumer-protocol assignment
};

struct group_description {
    std::string group_id;
    std::string state;
    std::string protocol_type;
    std::string protocol;
    int32_t coordinator = -1;
    std::vector<member_description> members;
};

// Decodes a consumer-protocol assignment (version, [topic, [partition]], user data).
// Returns an empty list for anything else.
std::vector<topic_partition> decode_consumer_assignment(const protocol::bytes& data);

class admin {
public:
    explicit admin(cluster& c) : c_(c) {}

    std::vector<std::string> list_topics(bool include_internal = false);
    topic_info describe_topic(const std::string& name);
    void create_topic(const new_topic& t, int32_t timeout_ms = 30000);
    void delete_topic(const std::string& name, int32_t timeout_ms = 30000);
    void create_partitions(const std::string& name, int32_t total_count,
                           int32_t timeout_ms = 30000);
    std::vector<config_entry> describe_topic_configs(const std::string& name);
    cluster_description describe_cluster();

    std::vector<group_listing> list_groups();
    group_description describe_group(const std::string& group);
    // Committed offsets of a group (all its partitions).
    std::map<topic_partition, int64_t> group_offsets(const std::string& group);
    // The coordinator of a group (node id); refreshes metadata so node() finds it.
    int32_t find_coordinator(const std::string& group);

    // Earliest (-2) or latest (-1) offsets, or the first offset at or after a
    // timestamp, per partition (asked from each partition's leader).
    std::map<topic_partition, int64_t> list_offsets(const std::vector<topic_partition>& parts,
                                                    int64_t timestamp);

private:
    connection& controller();
    cluster& c_;
};

}  // namespace sluice::client
