#pragma once
// The time index of one segment (<base offset>.timeindex), Kafka's format.
//
//   byte 0                          8                       12
//   +-------------------------------+-----------------------+
//   | timestamp int64               | relative offset int32 |   entry 0
//   +-------------------------------+-----------------------+
//   | timestamp int64               | relative offset int32 |   entry 1
//   +-------------------------------+-----------------------+
//   | ...                                                   |
//   +-------------------------------+-----------------------+
//   | 0                             | 0                     |   unused preallocated slots
//   +-------------------------------+-----------------------+   (active segment only)
//
//   Big-endian. An entry (T, O) says: T is the largest timestamp of any record
//   at or below offset O, and O is the last offset of the batch where T first
//   appeared. Entries are added together with offset-index entries, and only
//   when the segment's max timestamp has grown since the previous entry; a final
//   entry with the segment's max timestamp is added when the segment is sealed,
//   so the last entry of a sealed segment gives its largest timestamp. Timestamps
//   strictly increase; entries after the first never have relative offset 0.
//
// Threading: as index_file.

#include "storage/index_file.h"

#include <optional>

namespace sluice::storage {

class time_index : public index_file {
public:
    struct entry {
        int64_t timestamp = -1;
        int64_t offset = 0;  // absolute
        bool operator==(const entry&) const = default;
    };
    static constexpr size_t entry_bytes = 12;

    time_index(std::filesystem::path path, int64_t base_offset, bool truncate = false);

    int64_t base_offset() const { return base_offset_; }

    // Adds (timestamp, offset) when timestamp exceeds the last entry's; grows the
    // file by one entry if it is full (the final entry of a sealed segment).
    void maybe_append(int64_t timestamp, int64_t offset);

    entry at(size_t i) const;
    std::optional<entry> last() const;
    // Kafka's lookup: the last entry with timestamp <= target, or
    // {-1, base_offset} when none.
    entry lookup(int64_t target) const;
    // The last entry with timestamp < target: every record at or below its
    // offset is older than target, so a search for target may start after it.
    std::optional<entry> last_before(int64_t target) const;

    bool sane() const;

private:
    size_t count_at_or_below(int64_t ts, bool strict) const;
    int64_t base_offset_;
};

}  // namespace sluice::storage
