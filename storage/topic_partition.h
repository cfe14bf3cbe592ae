#pragma once
// The (topic, partition) pair that names a partition log and its directory.

#include <cstdint>
#include <functional>
#include <string>

namespace sluice::storage {

struct topic_partition {
    std::string topic;
    int32_t partition = 0;
    // Kafka's directory name: <topic>-<partition>. Topic names may contain '-';
    // the partition is whatever follows the last '-'.
    std::string dir_name() const { return topic + "-" + std::to_string(partition); }
    bool operator==(const topic_partition&) const = default;
    auto operator<=>(const topic_partition&) const = default;
};

}  // namespace sluice::storage

template <>
struct std::hash<sluice::storage::topic_partition> {
    size_t operator()(const sluice::storage::topic_partition& tp) const noexcept {
        return std::hash<std::string>()(tp.topic) * 31 + std::hash<int32_t>()(tp.partition);
    }
};
