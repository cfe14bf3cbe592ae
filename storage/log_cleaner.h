#pragma once
// Log compaction (cleanup.policy=compact): the settings, the result, and the
// building blocks that partition_log::compact() (defined in log_cleaner.cpp)
// puts together. Kafka's LogCleaner behaviour, re-implemented from its
// documented semantics; see partition_log.h for the entry point and README.md
// for the on-disk protocol.
//
// Files in the partition directory:
//
//   cleaner-offset-checkpoint       "0\n<first dirty offset>\n" (version line, offset),
//                                   written with write_file_durably; missing = 0.
//   <B>.log.cleaned                 compaction output being written (incomplete;
//                                   deleted on open).
//   <B>.log.<N>.swap                complete, fsynced output that replaces every
//                                   segment whose base offset lies in [B, N) (N is
//                                   the base offset of the first segment after the
//                                   group). Its existence is the commit point: open()
//                                   deletes those segments' .log/.index/.timeindex,
//                                   renames the swap file to <B>.log and rebuilds its
//                                   indexes (roll forward).

#include "protocol/record_batch.h"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sluice::storage {

// Topic settings of a compacted topic (Kafka names in comments).
struct compaction_config {
    int64_t delete_retention_ms = 86400000;  // delete.retention.ms
    int64_t min_compaction_lag_ms = 0;       // min.compaction.lag.ms
    double min_cleanable_dirty_ratio = 0.5;  // min.cleanable.dirty.ratio
    int64_t max_compaction_lag_ms = std::numeric_limits<int64_t>::max();  // max.compaction.lag.ms
    // Memory bound of the key -> offset map built over the dirty range (broker
    // setting log.cleaner.dedupe.buffer.size). The dirty range of one run ends
    // at the last segment boundary whose keys fit; at least one segment is
    // always taken.
    uint64_t key_map_bytes = 128ull << 20;
};

struct compaction_result {
    int segments_cleaned = 0;     // input segments replaced by cleaned output
    int64_t records_removed = 0;  // records dropped (superseded or expired tombstones)
    uint64_t bytes_before = 0;    // size of the cleaned range before ...
    uint64_t bytes_after = 0;     // ... and after the run
    bool ran = false;             // false: nothing cleanable, or below the dirty ratio
};

inline constexpr const char* cleaner_checkpoint_file = "cleaner-offset-checkpoint";

// The cleaner checkpoint of a partition directory: 0 when the file is missing
// or malformed (logged). Throws std::system_error on other I/O errors.
int64_t read_cleaner_checkpoint(const std::filesystem::path& dir);
// Writes it atomically and durably.
void write_cleaner_checkpoint(const std::filesystem::path& dir, int64_t offset);

// "<20-digit base>.log.<20-digit end>.swap" and its parser.
std::string cleaner_swap_file_name(int64_t base, int64_t end);
struct swap_range {
    int64_t base = 0;
    int64_t end = 0;
};
std::optional<swap_range> parse_cleaner_swap_file_name(std::string_view name);

// Keys of the dirty range mapped to the offset of their latest record.
class key_offset_map {
public:
    // Records `offset` for `key` (offsets arrive in increasing order).
    void put(protocol::byte_view key, int64_t offset);
    // Latest offset of key, or -1 when the key is not in the map.
    int64_t get(protocol::byte_view key) const;
    size_t size() const { return map_.size(); }
    // Estimated memory held (keys plus per-entry overhead).
    uint64_t bytes() const { return bytes_; }

    // Undo support so a segment that overflows the map can be taken back.
    void begin_undo() {
        undo_.clear();
        undo_bytes_ = bytes_;
    }
    void rollback();

private:
    static constexpr uint64_t entry_overhead = 64;
    std::unordered_map<std::string, int64_t> map_;
    uint64_t bytes_ = 0;
    // (key, previous offset or -1 when newly inserted) since begin_undo().
    std::vector<std::pair<std::string, int64_t>> undo_;
    uint64_t undo_bytes_ = 0;
};

// Rewrites one whole batch keeping only the records for which keep(offset,
// record) is true. The output keeps the original base offset, lastOffsetDelta,
// record offset and timestamp deltas (each retained record's bytes are copied
// as they are), baseTimestamp, attributes, producer id/epoch/base sequence and
// partition leader epoch; recordCount is the retained count, maxTimestamp the
// largest retained record timestamp (CreateTime; unchanged for LogAppendTime),
// the payload is recompressed with the original codec and the CRC recomputed.
//
// When no record is retained: nullopt, or, if keep_empty, an empty batch (the
// original header with recordCount 0, no compression and no records; its offset
// and sequence range stay those of the original batch). Throws
// protocol::decode_error for a malformed batch.
struct filtered_batch {
    enum class outcome { unchanged, rewritten, dropped } result = outcome::unchanged;
    protocol::bytes data;  // rewritten: the new batch
    int64_t records_removed = 0;
};
filtered_batch filter_batch(
    protocol::byte_view batch, bool keep_empty,
    const std::function<bool(int64_t offset, const protocol::record_view&)>& keep);

}  // namespace sluice::storage
