#pragma once
// The records of __consumer_offsets, in Kafka's formats (big-endian, classic
// int16-length strings):
//   offset commit key  (version 0/1): group, topic, partition int32
//   offset commit value (written v3: offset int64, leader_epoch int32, metadata,
//                        commit_timestamp int64; read v0-v3)
//   group metadata key (version 2): group
//   group metadata value (written v3; read v0-v3): protocol_type, generation,
//                        protocol?, leader?, current_state_timestamp (v2+),
//                        members [member_id, group_instance_id? (v3+), client_id,
//                        client_host, rebalance_timeout (v1+), session_timeout,
//                        subscription bytes, assignment bytes]
// A null value (tombstone) deletes the key.

#include "broker/groups/group.h"
#include "protocol/codec.h"

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace sluice::broker::groups {

// Kafka's partition for a group: Utils.abs(groupId.hashCode()) % n, where
// hashCode is Java's String.hashCode over UTF-16 code units and abs is n & 0x7fffffff.
int32_t java_string_hash(const std::string& utf8);
int32_t partition_for_group(const std::string& group_id, int32_t partitions);

struct offset_key {
    std::string group;
    std::string topic;
    int32_t partition = 0;
    bool operator==(const offset_key&) const = default;
};
struct group_key {
    std::string group;
    bool operator==(const group_key&) const = default;
};
using record_key = std::variant<offset_key, group_key>;

struct offset_value {
    int64_t offset = 0;
    int32_t leader_epoch = -1;
    std::string metadata;
    int64_t commit_timestamp = 0;
    int64_t expire_timestamp = -1;  // v1 only
    bool operator==(const offset_value&) const = default;
};

struct group_value {
    std::string protocol_type;
    int32_t generation = 0;
    std::optional<std::string> protocol;
    std::optional<std::string> leader;
    int64_t current_state_timestamp = -1;
    struct member_value {
        std::string member_id;
        std::optional<std::string> group_instance_id;
        std::string client_id;
        std::string client_host;
        int32_t rebalance_timeout = 0;
        int32_t session_timeout = 0;
        protocol::bytes subscription;
        protocol::bytes assignment;
        bool operator==(const member_value&) const = default;
    };
    std::vector<member_value> members;
    bool operator==(const group_value&) const = default;
};

protocol::bytes encode_offset_key(const offset_key& k);
protocol::bytes encode_group_key(const group_key& k);
protocol::bytes encode_offset_value(const offset_value& v);  // version 3
protocol::bytes encode_group_value(const group_value& v);    // version 3

// Throws protocol::decode_error on malformed input; nullopt for unknown versions.
std::optional<record_key> decode_key(protocol::byte_view b);
offset_value decode_offset_value(protocol::byte_view b);
group_value decode_group_value(protocol::byte_view b);

// The persisted form of a group's membership.
group_value snapshot(const group& g);

}  // namespace sluice::broker::groups
