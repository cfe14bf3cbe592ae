#pragma once
// The partition log: an append-only sequence of segments in Kafka's on-disk
// layout (<dir>/<20-digit base offset>.log|.index|.timeindex).
//
// Threading contract: a partition_log is owned by one serial executor (the
// partition's strand in the broker). Every member function must be called from
// that executor, except flush_job::run(), which may run on any thread (the
// broker's flusher) while the owner goes on appending and reading. Read results
// and flush jobs pin the segment files they refer to, so a segment deleted by
// retention stays readable until the last pin is dropped.
//
// Durability: append() writes to the page cache only. The owner obtains a
// flush_job with prepare_flush(), runs it (fdatasync of every segment with
// unflushed bytes, then the indexes), and reports completion with
// mark_flushed(). Acknowledging a produce after mark_flushed() covers it means
// the data survives a crash. Many appends share one flush (group commit).

#include "protocol/record_batch.h"
#include "protocol/wire.h"
#include "storage/log_cleaner.h"
#include "storage/producer_state.h"
#include "storage/topic_partition.h"

#include <cstdint>
#include <filesystem>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sluice::storage {

// Topic-level settings that the log itself obeys (Kafka names in comments).
struct log_config {
    uint64_t segment_bytes = 1073741824;      // segment.bytes
    int64_t segment_ms = 604800000;           // segment.ms
    uint32_t segment_index_bytes = 10485760;  // segment.index.bytes
    uint32_t index_interval_bytes = 4096;     // index.interval.bytes
    int64_t retention_ms = 604800000;         // retention.ms (-1 = forever)
    int64_t retention_bytes = -1;             // retention.bytes (-1 = no limit)
    int64_t flush_messages = 1;               // flush.messages (1 = every append)
    int64_t flush_ms = -1;                    // flush.ms (-1 = not time based)
    int64_t file_delete_delay_ms = 60000;     // file.delete.delay.ms (unused: files are
                                              // unlinked at once; pins keep them readable)
    bool log_append_time = false;             // message.timestamp.type=LogAppendTime
};

struct append_result {
    int64_t base_offset = 0;       // first offset assigned
    int64_t last_offset = 0;       // last offset assigned
    int64_t log_append_time = -1;  // set when the topic uses LogAppendTime
};

struct read_result {
    std::vector<protocol::file_slice> slices;  // whole batches, in order
    uint64_t size = 0;                         // total bytes in slices
    int64_t first_offset = -1;                 // base offset of the first batch, -1 if none
};

struct timestamp_offset {
    int64_t timestamp = -1;
    int64_t offset = -1;
};

class segment;

class flush_job {
public:
    // fdatasync of the data and index files captured by prepare_flush() (and of
    // the partition directory when segments were created since the last flush).
    // Returns false (and logs) on an I/O error. Safe on any thread; the captured
    // segments stay open even if retention deletes them meanwhile.
    bool run();
    int64_t target_offset() const { return target_; }  // next offset after the flushed data
    bool empty() const { return files_.empty(); }

private:
    friend class partition_log;
    std::vector<std::shared_ptr<segment>> files_;
    std::filesystem::path sync_dir_;  // empty: no directory entries to make durable
    int64_t target_ = 0;
};

struct recovery_stats {
    int segments_scanned = 0;
    int64_t bytes_truncated = 0;
    // Producer state: offset of the snapshot it was loaded from (-1: none), and
    // the batch headers read after it to bring it up to log_end_offset.
    int64_t producer_snapshot_offset = -1;
    int64_t producer_batches_replayed = 0;
};

class partition_log {
public:
    // Opens (or creates) the log in `dir`. `recovery_point` is the offset up to
    // which data is known flushed (from recovery-point-offset-checkpoint); when
    // `clean_shutdown` is true and the indexes are intact, nothing is scanned.
    // Otherwise every segment holding offsets >= recovery_point is scanned: each
    // batch's length and CRC checked, a torn or corrupt tail truncated, and the
    // indexes of the scanned segments rebuilt. A corrupt batch in an earlier
    // segment also deletes every later segment. Segments whose indexes are
    // missing or fail their sanity check are scanned even after a clean stop.
    // Recovered files are fsynced before open returns, so afterwards
    // flushed_offset() == log_end_offset(). log_start_offset() is
    // max(hint, first segment's base); a hint past the recovered end starts an
    // empty log at the hint (as Kafka does). Throws std::system_error on I/O errors.
    //
    // Compaction leftovers are handled first: "*.cleaned" files are deleted and
    // committed swaps ("<B>.log.<N>.swap") completed (see compact()).
    //
    // Producer state is then rebuilt: snapshots above the recovered end or below
    // the log start offset are deleted, the newest snapshot that passes its
    // checks is loaded (bad ones are deleted), and the batch headers from its
    // offset (or from log_start_offset() without one) to log_end_offset() are
    // replayed; when any were, a snapshot at log_end_offset() is written. After
    // close() nothing is replayed.
    static std::unique_ptr<partition_log> open(const std::filesystem::path& dir, topic_partition tp,
                                               const log_config& cfg, int64_t recovery_point,
                                               bool clean_shutdown,
                                               int64_t log_start_offset_hint = 0);
    ~partition_log();

    const topic_partition& tp() const { return tp_; }
    const std::filesystem::path& dir() const { return dir_; }
    void set_config(const log_config& cfg);
    const log_config& config() const { return cfg_; }

    // Appends already-validated batches (protocol::check_batches), assigning
    // offsets from log_end_offset() by rewriting each batch's baseOffset and
    // partitionLeaderEpoch in place. Rolls the active segment first when it is
    // full (segment.bytes) or old (segment.ms); a roll writes a producer
    // snapshot at the new segment's base offset. Throws std::system_error on I/O
    // failure (nothing acknowledged). Batches with a producer id are recorded in
    // producers() once written; the caller runs producers().check() on each
    // before (this function does not reject duplicates or gaps).
    append_result append(std::span<uint8_t> batches,
                         const std::vector<protocol::batch_header>& headers, int32_t leader_epoch,
                         int64_t now_ms);

    // Appends batches whose offsets are already set (replication, recovery
    // tooling). Offsets must be >= log_end_offset() and increasing; the batches
    // are checked (protocol::check_batches) and std::invalid_argument is thrown
    // for bad input. `now_ms` drives segment.ms (-1: the system clock).
    // Producer state is updated as in append(), without checks.
    void append_exact(std::span<const uint8_t> batches, int64_t now_ms = -1);

    // Whether flush.messages / flush.ms say a flush is due now: unflushed
    // messages (offsets) >= flush.messages (when >= 1), or unflushed data older
    // than flush.ms (when >= 0). Never due when everything is flushed.
    bool flush_due(int64_t now_ms) const;
    // Captures every segment holding offsets >= flushed_offset(); empty when all
    // is flushed. Target is log_end_offset() at the time of the call.
    flush_job prepare_flush();
    // Records that a job's run() succeeded: flushed_offset() = max(it, offset).
    void mark_flushed(int64_t offset, int64_t now_ms);

    // Reads whole batches starting at the batch containing `offset`, up to
    // max_bytes (at least one whole batch when min_one is set), never past
    // `upper_bound` (exclusive; e.g. the high watermark): a batch is returned
    // only when its last offset is below upper_bound. May span segments. Empty
    // when offset is outside [log_start_offset, log_end_offset); the caller
    // answers OFFSET_OUT_OF_RANGE. Slices pin their segment files.
    read_result read(int64_t offset, uint64_t max_bytes, int64_t upper_bound, bool min_one) const;

    // First batch whose max timestamp >= ts: returns its timestamp and the offset
    // of the first record with timestamp >= ts (Kafka ListOffsets semantics),
    // or nullopt when no such record exists.
    std::optional<timestamp_offset> offset_for_timestamp(int64_t ts) const;
    // The record with the largest timestamp (ListOffsets -3).
    std::optional<timestamp_offset> max_timestamp() const;

    int64_t log_start_offset() const { return log_start_offset_; }
    int64_t log_end_offset() const { return log_end_offset_; }
    int64_t flushed_offset() const { return flushed_offset_; }
    uint64_t size_bytes() const;
    size_t segment_count() const;
    const recovery_stats& recovery() const { return recovery_; }

    // Idempotent-producer state of this partition (see producer_state.h).
    producer_state& producers() { return producers_; }
    const producer_state& producers() const { return producers_; }

    // DeleteRecords: moves the log start offset forward (never past the end) and
    // deletes segments wholly below it, and producer snapshots below it.
    // Producer state itself is kept (Kafka 2.5+ keeps it until expiry). Returns
    // the new log start offset.
    int64_t delete_records_before(int64_t offset);

    // Deletes whole segments past retention.ms (by their largest record
    // timestamp) / retention.bytes (while the log exceeds it by at least the
    // oldest segment's size), then segments wholly below log_start_offset();
    // never the active one. Moves log_start_offset() to the new first segment
    // and deletes producer snapshots below it. Returns the number of segments
    // deleted.
    int apply_retention(int64_t now_ms);

    // Log compaction (cleanup.policy=compact), Kafka's LogCleaner semantics,
    // done synchronously on the owner's executor; never touches the active
    // segment. Defined in log_cleaner.cpp.
    //
    // Dirty range: from the cleaner checkpoint (first dirty offset; reset to
    // log_start_offset() when outside [log start, log end]) to the first
    // uncleanable offset, which is the base offset of the first segment that is
    // the active one, holds a batch whose max timestamp is newer than
    // now_ms - min_compaction_lag_ms (when that lag is > 0), or holds offsets
    // >= max_offset (the broker passes min(high watermark, last stable offset));
    // it is also cut at the last segment boundary whose keys fit in
    // key_map_bytes. Runs only when dirty bytes / (clean + dirty bytes of the
    // sealed range up to that offset) >= min_cleanable_dirty_ratio, or when the
    // first dirty batch's max timestamp is older than now_ms -
    // max_compaction_lag_ms; otherwise returns ran == false and changes nothing.
    //
    // A run maps each key of the dirty range to its latest offset, then rewrites
    // every segment from the first one up to the first uncleanable offset,
    // merging neighbours while the inputs total at most segment.bytes (and fit
    // the 32-bit relative offsets and the index size). A record is kept unless
    //   - its key is in the map with a later offset (superseded), or
    //   - it is a tombstone (null value) that is the latest for its key and its
    //     batch's max timestamp is more than delete_retention_ms before now_ms
    //     (simplification: Kafka measures from when the tombstone's segment was
    //     first cleaned).
    // Records without a key are kept. Control batches and transactional batches
    // are kept whole and their records never supersede others (aborted data is
    // not known here). The batch holding an idempotent producer's last sequence
    // (producers()) is never dropped: emptied, it stays as a header-only batch,
    // so the producer state rebuilt from the log keeps its last sequence/epoch
    // (other empty batches are dropped). Offsets never change: rewritten batches
    // keep their base offset and offset range, recompressed with their codec
    // (see filter_batch in log_cleaner.h). A single segment with nothing to drop
    // is not rewritten. Output files get the newest input's largest timestamp as
    // mtime, so retention.ms ages an emptied segment like its data.
    //
    // Each group is written to <base>.log.cleaned, fdatasynced, renamed to
    // <base>.log.<end>.swap (commit point, directory fsynced), the old segments
    // deleted (pinned readers keep their descriptors), the swap renamed to
    // <base>.log and its indexes rebuilt and synced. open() completes a
    // committed swap and deletes *.cleaned. Afterwards the checkpoint is set to
    // the first uncleanable offset and written to cleaner-offset-checkpoint.
    // Throws std::system_error on I/O errors (a reopen repairs the directory).
    compaction_result compact(const compaction_config& cfg, int64_t now_ms,
                              int64_t max_offset = std::numeric_limits<int64_t>::max());
    // First dirty offset as last persisted (0 before the first run).
    int64_t cleaner_checkpoint() const { return cleaner_checkpoint_; }

    // Flushes, trims the indexes of the active segment, writes a producer
    // snapshot at log_end_offset() (a failure is logged, costing a replay at the
    // next open) and closes the files.
    // Afterwards flushed_offset() == log_end_offset(), the offsets and dir()
    // stay readable, reads return nothing and appends throw std::logic_error.
    // Idempotent. Throws std::system_error when the final flush fails.
    void close();
    // Deletes every file and the directory (topic deletion).
    void remove();

private:
    partition_log() = default;
    const std::shared_ptr<segment>& active() const { return segments_.back(); }
    void check_open() const;
    // Rolls or replaces the active segment if an append of `bytes` holding
    // offsets [first, last] must not go into it.
    void maybe_roll(uint64_t bytes, int64_t first, int64_t last, int64_t now_ms);
    void roll(int64_t base_offset);
    void delete_oldest_segment();
    void write_batches(protocol::byte_view data, const std::vector<protocol::batch_header>& headers,
                       int64_t now_ms);
    // Producer snapshots: rebuild at open, write one at `offset` (keeping the
    // newest two; errors are logged, not thrown), delete those below `offset`.
    void load_producer_state();
    void take_producer_snapshot(int64_t offset);
    void delete_producer_snapshots_below(int64_t offset);

    topic_partition tp_;
    std::filesystem::path dir_;
    log_config cfg_;
    std::vector<std::shared_ptr<segment>> segments_;
    // Sealed by a roll (final time-index entry, trimmed indexes) and not synced
    // since; the next flush job takes them even when their data was flushed.
    std::vector<std::shared_ptr<segment>> sealed_unsynced_;
    int64_t log_start_offset_ = 0;
    int64_t log_end_offset_ = 0;
    int64_t flushed_offset_ = 0;
    int64_t first_unflushed_ms_ = -1;  // when the oldest unflushed append happened
    int64_t last_flush_ms_ = 0;
    bool dir_dirty_ = false;  // segment files created or deleted since the last flush
    bool closed_ = false;
    recovery_stats recovery_;
    producer_state producers_;
    std::vector<int64_t> snapshots_;  // offsets of the producer snapshot files, ascending
    int64_t cleaner_checkpoint_ = 0;  // first dirty offset (cleaner-offset-checkpoint)
};

}  // namespace sluice::storage
