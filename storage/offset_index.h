#pragma once
// The sparse offset index of one segment (<base offset>.index), Kafka's format.
//
//   byte 0                       4                       8
//   +-----------------------+-----------------------+
//   | relative offset int32 | file position int32   |   entry 0
//   +-----------------------+-----------------------+
//   | relative offset int32 | file position int32   |   entry 1
//   +-----------------------+-----------------------+
//   | ...                                           |
//   +-----------------------+-----------------------+
//   | 0                     | 0                     |   unused preallocated slots
//   +-----------------------+-----------------------+   (active segment only)
//
//   Big-endian. relative offset = batch base offset - segment base offset;
//   file position = byte position of that batch in the .log file. One entry is
//   written when more than index.interval.bytes of log data have been appended
//   since the previous entry, so the batch at position 0 is never indexed and no
//   real entry is ever (0, 0); entries after the first never have relative
//   offset 0 (Kafka's rule, used to find the end of a preallocated file).
//   Entries strictly increase in both fields.
//
// Threading: as index_file.

#include "storage/index_file.h"

#include <optional>

namespace sluice::storage {

class offset_index : public index_file {
public:
    struct entry {
        int64_t offset = 0;     // absolute
        uint32_t position = 0;  // in the .log file
        bool operator==(const entry&) const = default;
    };
    static constexpr size_t entry_bytes = 8;

    // Opens (or creates, empty) the index at `path`; `truncate` discards any
    // existing contents (a new segment).
    offset_index(std::filesystem::path path, int64_t base_offset, bool truncate = false);

    int64_t base_offset() const { return base_offset_; }

    // Adds an entry; `offset` must exceed the last entry's and fit in the
    // relative (int32) range. Requires !full().
    void append(int64_t offset, uint32_t position);

    // The last entry with offset <= target, or {base_offset, 0} when none: where
    // a scan for the batch holding `target` starts.
    entry lookup(int64_t target) const;
    entry at(size_t i) const;
    std::optional<entry> last() const;

    // Kafka's sanity check plus: last position within the log, entries increasing
    // at the ends. False means the index must be rebuilt from the log.
    bool sane(uint64_t log_size) const;

private:
    int64_t base_offset_;
};

}  // namespace sluice::storage
