#pragma once
// Per-partition state of idempotent producers (KIP-98, with KIP-360's rules):
// for every producer id that wrote to the partition, its current epoch and the
// sequence/offset metadata of its last few batches. The broker asks check()
// before appending a batch (to detect duplicates, gaps and fenced epochs) and
// partition_log calls update() after the append. Pure logic, no I/O except the
// snapshot file functions at the bottom.
//
// Rules (Kafka's ProducerAppendInfo.checkSequence/checkProducerEpoch, 2.5+):
//   - producer_id < 0 or base_sequence < 0: not idempotent, always accepted,
//     never recorded.
//   - no entry for the producer id: accepted at any sequence. Kafka 2.5+ does
//     the same ("if there is no current producer epoch ... accept writes with any
//     sequence number"); the older UNKNOWN_PRODUCER_ID (59) answer made clients
//     reset their sequences and re-send, reintroducing duplicates.
//   - epoch below the entry's: invalid_producer_epoch (INVALID_PRODUCER_EPOCH, 47).
//   - epoch above the entry's: the producer starts over; the first sequence must
//     be 0, else out_of_order_sequence (OUT_OF_ORDER_SEQUENCE_NUMBER, 45).
//   - same epoch: a batch whose (first, last) sequence equals one of the cached
//     batches is a duplicate (the broker answers success with that batch's
//     offsets); otherwise first sequence must be the last sequence + 1, with
//     int32 wrap-around (2147483647 -> 0), else out_of_order_sequence.
//
// Snapshot file: <partition dir>/<20-digit offset>.snapshot holds the state of
// every batch below that offset. Our own format, all integers big-endian:
//
//    0  magic              4 bytes "SLPS"
//    4  version            uint16  = 1
//    6  reserved           uint16  = 0
//    8  crc                uint32  CRC32C of bytes [12, end)
//   12  offset             int64   the offset in the file name
//   20  entry count        uint32
//   24  entries, by ascending producer id:
//         producer_id int64 | epoch int16 | coordinator_epoch int32
//         | last_timestamp int64 | txn_first_offset int64 | batch count uint8 (0..5)
//         | per batch, oldest first: first_seq int32 | last_seq int32
//           | first_offset int64 | last_offset int64 | max_timestamp int64
//
// A file whose size, magic, version, CRC, offset or counts do not check out is
// rejected as a whole.

#include "protocol/errors.h"
#include "protocol/record_batch.h"

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::storage {

// Metadata of one appended batch of a producer.
struct producer_batch {
    int32_t first_seq = 0;
    int32_t last_seq = 0;
    int64_t first_offset = 0;
    int64_t last_offset = 0;
    int64_t max_timestamp = -1;
    bool operator==(const producer_batch&) const = default;
};

struct producer_entry {
    static constexpr size_t max_batches = 5;  // Kafka's NumBatchesToRetain

    int64_t producer_id = -1;
    int16_t epoch = -1;
    std::vector<producer_batch> batches;  // oldest first, at most max_batches, all of `epoch`
    // Max timestamp of the last batch (Kafka's lastTimestamp); drives expiry.
    int64_t last_timestamp = -1;
    int32_t coordinator_epoch = -1;         // transactions: not used yet
    int64_t current_txn_first_offset = -1;  // transactions: not set by update() yet

    // Last sequence / offset of the newest batch; -1 when there is none.
    int32_t last_seq() const { return batches.empty() ? -1 : batches.back().last_seq; }
    int64_t last_offset() const { return batches.empty() ? -1 : batches.back().last_offset; }
    bool operator==(const producer_entry&) const = default;
};

enum class producer_verdict {
    accept,
    duplicate,               // already appended: answer success with first/last_offset
    out_of_order_sequence,   // OUT_OF_ORDER_SEQUENCE_NUMBER (45)
    invalid_producer_epoch,  // INVALID_PRODUCER_EPOCH (47)
};

struct producer_check {
    producer_verdict verdict = producer_verdict::accept;
    // duplicate: offsets of the batch appended the first time.
    int64_t first_offset = -1;
    int64_t last_offset = -1;
    std::string message;  // errors: Kafka-style text for the produce response / logs

    bool ok() const { return verdict == producer_verdict::accept; }
    // none for accept and duplicate (Kafka answers a duplicate with success).
    protocol::error_code error() const;
};

// Last sequence of a batch of `last_offset_delta + 1` records starting at
// `base_sequence`, wrapping past INT32_MAX to 0 as Kafka does.
int32_t batch_last_sequence(int32_t base_sequence, int32_t last_offset_delta);

class producer_state {
public:
    static constexpr int64_t default_expiration_ms = 86400000;  // producer.id.expiration.ms

    // `partition` only names the partition in messages (e.g. "orders-3").
    explicit producer_state(std::string partition = {}) : partition_(std::move(partition)) {}

    // Verdict for appending the batch `h` (call before the append, one batch at
    // a time; Produce v3+ carries one batch per partition). Does not change state.
    producer_check check(const protocol::batch_header& h) const;

    // Records a batch appended at [first_offset, last_offset] (after a
    // successful append, or while replaying the log). Batches without a producer
    // id or sequence, and control batches, are ignored. A different epoch than
    // the entry's replaces the entry's epoch and clears its cached batches. No
    // checks: the log is the truth.
    void update(const protocol::batch_header& h, int64_t first_offset, int64_t last_offset);

    // Removes producers without an ongoing transaction whose last_timestamp is
    // at least expiration_ms before now_ms (Kafka's rule). expiration_ms < 0
    // keeps everyone. Returns the number removed.
    size_t expire(int64_t now_ms, int64_t expiration_ms);

    // Forgets batches whose last offset is >= end_offset (the log was cut
    // there), then entries left without batches and without a transaction.
    void truncate(int64_t end_offset);

    void clear() { producers_.clear(); }
    const producer_entry* find(int64_t producer_id) const;
    size_t size() const { return producers_.size(); }
    bool empty() const { return producers_.empty(); }
    const std::map<int64_t, producer_entry>& entries() const { return producers_; }
    const std::string& partition() const { return partition_; }
    void set_partition(std::string name) { partition_ = std::move(name); }

    // Snapshot encoding (format above). decode() returns nullopt for anything
    // malformed or for a different offset than `offset`.
    std::string encode_snapshot(int64_t offset) const;
    static std::optional<producer_state> decode_snapshot(std::string_view data, int64_t offset);

    // Writes <dir>/<20-digit offset>.snapshot atomically and durably (tmp,
    // fsync, rename, fsync dir). Throws std::system_error on I/O errors.
    void write_snapshot(const std::filesystem::path& dir, int64_t offset) const;
    // Reads a snapshot file; nullopt when it is missing or fails its checks.
    // Throws std::system_error on I/O errors other than a missing file.
    static std::optional<producer_state> read_snapshot(const std::filesystem::path& dir,
                                                       int64_t offset);

private:
    std::string where() const;

    std::string partition_;
    std::map<int64_t, producer_entry> producers_;
};

// <20-digit offset>.snapshot
std::string producer_snapshot_file_name(int64_t offset);
std::filesystem::path producer_snapshot_path(const std::filesystem::path& dir, int64_t offset);
// Offset of a "<20 digits>.snapshot" file name; nullopt for anything else.
std::optional<int64_t> parse_producer_snapshot_file_name(std::string_view name);
// Offsets of the snapshot files in dir, ascending. Removes leftover
// "*.snapshot.tmp" files of interrupted writes.
std::vector<int64_t> list_producer_snapshots(const std::filesystem::path& dir);
// Deletes <dir>/<offset>.snapshot if present (no directory fsync).
void delete_producer_snapshot(const std::filesystem::path& dir, int64_t offset);

}  // namespace sluice::storage
