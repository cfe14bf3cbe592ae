#pragma once
// A simple synchronous producer: send() builds one RecordBatch v2 per partition,
// sends one Produce request per leader, and waits for the acknowledgement.

#include "client/cluster.h"
#include "protocol/compression.h"
#include "protocol/record_batch.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sluice::client {

struct producer_options {
    int16_t acks = -1;  // 0, 1 or -1 (all)
    protocol::compression codec = protocol::compression::none;
    int retries = 10;  // per batch, on retriable errors (with a metadata refresh)
    int retry_backoff_ms = 100;
    int32_t request_timeout_ms = 30000;  // the broker's ack timeout (Produce TimeoutMs)
    bool auto_create_topics = true;      // ask Metadata to create a missing topic
};

struct produce_record {
    std::optional<protocol::bytes> key;
    std::optional<protocol::bytes> value;
    std::vector<std::pair<std::string, std::optional<protocol::bytes>>> headers;
    int64_t timestamp = -1;            // -1: now
    std::optional<int32_t> partition;  // explicit partition, else the partitioner's choice
};

struct produce_result {
    int32_t partition = 0;
    int64_t base_offset = -1;  // -1 with acks=0
    int32_t count = 0;         // records in the batch
};

// The partition for a record: the explicit one, else murmur2 of a non-null key as
// the Java client computes it, else the sticky partition for null keys.
int32_t choose_partition(const produce_record& r, int32_t num_partitions, int32_t sticky_partition);

// Groups records into one batch per partition, in order. Exposed for tests.
std::map<int32_t, std::vector<protocol::record>> group_by_partition(
    const std::vector<produce_record>& records, int32_t num_partitions, int32_t sticky_partition,
    int64_t now_ms);

class producer {
public:
    producer(cluster& c, producer_options opts = {}) : c_(c), opts_(opts) {}

    // Sends the records to `topic` (one batch per partition) and returns one result
    // per batch, ordered by partition. Throws client_error when a batch fails for
    // good; batches for other partitions may have been written by then.
    std::vector<produce_result> send(const std::string& topic,
                                     const std::vector<produce_record>& records);

    // Number of partitions of `topic` (creating it if the broker auto-creates).
    int32_t partition_count(const std::string& topic);

private:
    const topic_info& topic_metadata(const std::string& topic);
    cluster& c_;
    producer_options opts_;
    std::map<std::string, int32_t> sticky_;  // next null-key partition per topic
};

}  // namespace sluice::client
