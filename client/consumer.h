#pragma once
// A simple assign-based consumer (no group membership): the caller assigns topic
// partitions with a start position and polls; each poll sends one Fetch per
// leader and returns the records in offset order per partition.

#include "client/admin.h"
#include "client/cluster.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sluice::client {

struct consumer_options {
    int32_t max_wait_ms = 500;  // Fetch MaxWaitMs
    int32_t min_bytes = 1;
    int32_t max_bytes = 50 << 20;           // per Fetch response
    int32_t partition_max_bytes = 1 << 20;  // per partition
    int8_t isolation_level = 0;             // 0 read_uncommitted, 1 read_committed
    // On OFFSET_OUT_OF_RANGE: restart from the earliest (true) or latest offset.
    bool reset_to_earliest = true;
};

// Where to start reading a partition.
struct start_offset {
    static constexpr int64_t earliest = -2;
    static constexpr int64_t latest = -1;
};

struct consumed_record {
    std::string topic;
    int32_t partition = 0;
    int64_t offset = 0;
    int64_t timestamp = 0;
    std::optional<protocol::bytes> key;
    std::optional<protocol::bytes> value;
    std::vector<std::pair<std::string, std::optional<protocol::bytes>>> headers;
};

// Decodes the records of a Fetch partition's record data that are at or after
// `from` (skipping control batches and a truncated trailing batch). Returns the
// offset to fetch next (at least `from`). Exposed for tests.
int64_t decode_records(const std::string& topic, int32_t partition, protocol::byte_view data,
                       int64_t from, std::vector<consumed_record>& out);

class consumer {
public:
    consumer(cluster& c, consumer_options opts = {}) : c_(c), admin_(c), opts_(opts) {}

    // Start reading `partition` of `topic` at `offset` (>= 0, or start_offset::
    // earliest / latest, resolved now with ListOffsets).
    void assign(const std::string& topic, int32_t partition, int64_t offset);
    // Every partition of `topic`, all at the same start.
    void assign_all(const std::string& topic, int64_t offset);

    // One Fetch round; records in offset order per partition.
    std::vector<consumed_record> poll();

    int64_t position(const std::string& topic, int32_t partition) const;
    // The high watermark seen in the latest fetch (-1 before the first).
    int64_t high_watermark(const std::string& topic, int32_t partition) const;
    const std::map<topic_partition, int64_t>& positions() const { return positions_; }

private:
    void resolve(const std::vector<topic_partition>& parts, int64_t spec);
    cluster& c_;
    admin admin_;
    consumer_options opts_;
    std::map<topic_partition, int64_t> positions_;
    std::map<topic_partition, int64_t> high_watermarks_;
};

}  // namespace sluice::client
