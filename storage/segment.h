#pragma once
// One log segment: <base offset>.log with its .index and .timeindex.
//
// The .log file is a plain concatenation of RecordBatch v2 byte strings, exactly
// as appended (offsets and leader epoch already assigned); there is no framing of
// our own, so Kafka's tools (kafka-dump-log) read it:
//
//   position 0
//   +------------------------------------------------------------------+
//   | batch: baseOffset int64 | batchLength int32 | ... 61-byte header |
//   |        records (batchLength - 49 bytes)                          |
//   +------------------------------------------------------------------+
//   | batch: baseOffset > previous batch's last offset                 |
//   +------------------------------------------------------------------+
//   | ...                                                 (size bytes) |
//   +------------------------------------------------------------------+
//
//   Total size of a batch = 12 + batchLength. Batch offsets strictly increase
//   through the file and across segments; a segment's base offset is <= the
//   first batch's base offset. See protocol/record_batch.h for the header.
//
// Threading: a segment is owned by its partition_log's executor. sync() and the
// read-only file descriptor accessors may be used from any thread (the flusher,
// sendfile), because the descriptors are opened once and closed only by the
// destructor; shared_ptr pins keep a deleted segment's files open.

#include "protocol/record_batch.h"
#include "storage/offset_index.h"
#include "storage/time_index.h"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sluice::storage {

// 20-digit zero-padded base offset: the stem of every segment file name.
std::string segment_file_stem(int64_t base_offset);
// Parses a 20-digit stem; nullopt for anything else.
std::optional<int64_t> parse_segment_file_stem(std::string_view stem);

struct batch_location {
    uint64_t position = 0;
    protocol::batch_header header;
};

class segment {
public:
    // Creates the files of a new, empty segment; the indexes are preallocated to
    // index_max_bytes. Throws if a .log file with this base offset exists.
    static std::shared_ptr<segment> create(const std::filesystem::path& dir, int64_t base_offset,
                                           uint32_t index_max_bytes);
    // Opens an existing segment's files (creating missing index files, which then
    // count as needing a rebuild). Nothing is checked or scanned yet: call load()
    // or recover().
    static std::shared_ptr<segment> open(const std::filesystem::path& dir, int64_t base_offset);
    ~segment();
    segment(const segment&) = delete;
    segment& operator=(const segment&) = delete;

    int64_t base_offset() const { return base_offset_; }
    uint64_t size() const { return size_; }
    int fd() const { return fd_; }
    const std::filesystem::path& log_path() const { return log_path_; }
    const offset_index& index() const { return *offset_index_; }
    const time_index& timeindex() const { return *time_index_; }

    // The offset after the last batch; base_offset() when empty. Known for the
    // active segment and for every scanned segment; -1 for a sealed segment
    // loaded without a scan (its successor's base offset stands in).
    int64_t next_offset() const { return next_offset_; }
    // Largest batch max timestamp in the segment (-1 when none) and the last
    // offset of the first batch that carried it.
    int64_t max_timestamp() const { return max_timestamp_; }
    int64_t offset_of_max_timestamp() const { return offset_of_max_timestamp_; }
    // Kafka's largestTimestamp for retention.ms: max_timestamp(), or the .log
    // file's modification time when the segment has no timestamps.
    int64_t largest_timestamp() const;
    // When the first batch was appended (segment.ms), or for a reopened segment
    // its first batch's max timestamp (Kafka's rule). nullopt while empty.
    std::optional<int64_t> roll_base_ms() const { return roll_base_ms_; }

    // Trusts the existing indexes (a clean shutdown or a segment below the
    // recovery point). For the active segment also walks the batch headers after
    // the last index entry to find next_offset(). Returns false when an index is
    // missing, malformed, fails its sanity check, or the tail does not end on a
    // whole batch: the caller then recovers the segment.
    bool load(bool active);

    struct recovery_result {
        uint64_t valid_bytes = 0;
        uint64_t truncated_bytes = 0;
    };
    // Scans every batch, checking length, magic, offsets and CRC; truncates the
    // file at the first bad or torn batch and rebuilds both indexes from the
    // valid batches (preallocated to index_max_bytes; seal() trims them).
    recovery_result recover(uint32_t index_interval_bytes, uint32_t index_max_bytes);

    // Appends whole batches whose headers already carry the final offsets and
    // timestamps (`headers[i]` describes the i-th batch of `data`). Writes the
    // data, then adds index entries. On an I/O error the file is cut back to its
    // old size and std::system_error is thrown.
    void append(protocol::byte_view data, const std::vector<protocol::batch_header>& headers,
                uint32_t index_interval_bytes, int64_t now_ms);

    // Whether an index has no room for another entry (Kafka rolls then).
    bool index_full() const { return offset_index_->full() || time_index_->full(); }

    // The first batch whose last offset >= offset, scanning forward from the
    // offset index entry; nullopt when the segment has no such batch.
    std::optional<batch_location> find_batch(int64_t offset) const;
    // Calls f for each batch header from `position` (a batch boundary) to the end
    // of the segment, until f returns false.
    void for_each_batch(
        uint64_t position,
        const std::function<bool(uint64_t, const protocol::batch_header&)>& f) const;
    // Reads `size` bytes at `position`.
    protocol::bytes read(uint64_t position, size_t size) const;

    // The earliest record with timestamp >= ts and offset >= min_offset.
    struct found_record {
        int64_t timestamp = -1;
        int64_t offset = -1;
    };
    std::optional<found_record> find_by_timestamp(int64_t ts, int64_t min_offset) const;
    // The first record carrying max_timestamp().
    std::optional<found_record> find_max_timestamp() const;

    // Active segment: grows the indexes to index_max_bytes (preallocation).
    void preallocate_indexes(uint32_t index_max_bytes);
    // No more appends: writes the final time-index entry and trims both indexes
    // to their real size. Idempotent.
    void seal();
    // fdatasync of the .log file, then of both indexes (their mapped pages are
    // page cache pages of the same files, so fdatasync writes them). Any thread.
    void sync() const;
    // Renames the files to *.deleted, then unlinks them. Open descriptors (pins)
    // stay readable until the last reference goes.
    void delete_files();

private:
    segment(const std::filesystem::path& dir, int64_t base_offset, int fd, bool create);
    void index_batch(uint64_t position, const protocol::batch_header& h,
                     uint32_t index_interval_bytes);
    void reset_state();

    std::filesystem::path dir_;
    int64_t base_offset_;
    std::filesystem::path log_path_;
    std::string sync_name_;  // log path at open, for sync() error messages
    int fd_ = -1;
    uint64_t size_ = 0;
    std::unique_ptr<offset_index> offset_index_;
    std::unique_ptr<time_index> time_index_;
    int64_t next_offset_ = -1;
    int64_t max_timestamp_ = -1;
    int64_t offset_of_max_timestamp_;
    std::optional<int64_t> roll_base_ms_;
    uint64_t bytes_since_index_entry_ = 0;
    bool sealed_ = false;
    bool deleted_ = false;
};

}  // namespace sluice::storage
