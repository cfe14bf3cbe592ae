#pragma once
// A file of fixed-size entries, preallocated and memory-mapped: the common part
// of offset_index and time_index.
//
// The active segment's indexes are preallocated to segment.index.bytes (rounded
// down to a whole number of entries) so appends only store into the mapping;
// when the segment is sealed (roll, close) the file is trimmed to its real size.
// A file left preallocated by a crash ends in zero-filled slots; the subclass says
// what an unused slot looks like and open counts the real entries by binary
// search (entries are increasing, unused slots only trail them).
//
// Mapping is lazy: a sealed segment's index is mapped on its first lookup, so a
// broker with many cold segments does not hold a mapping for each of them.
//
// Threading: everything except sync() belongs to the owner of the segment.
// sync() only touches the file descriptor, which never changes while the object
// lives, so a flusher thread may call it while the owner appends or trims.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

namespace sluice::storage {

class index_file {
public:
    index_file(const index_file&) = delete;
    index_file& operator=(const index_file&) = delete;
    virtual ~index_file();

    const std::filesystem::path& path() const { return path_; }
    size_t entries() const { return entries_; }
    // Entries the file has room for at its current length.
    size_t capacity() const { return file_len_ / entry_size_; }
    bool full() const { return entries_ >= capacity(); }
    size_t entry_size() const { return entry_size_; }
    uint64_t file_length() const { return file_len_; }
    // Whether the file was there before this object opened it.
    bool existed() const { return existed_; }
    // Whether the file length was not a whole number of entries when opened.
    bool malformed() const { return malformed_; }

    // Sets the file length to max_bytes rounded down to whole entries, but never
    // below the real entries (preallocation for the active segment).
    void resize(uint64_t max_bytes);
    // Cuts the file to exactly its entries (sealed segment, clean close).
    void trim() { resize(entries_ * entry_size_); }
    // Forgets entries [n, entries()), zeroing them so a later open does not count them.
    void truncate_entries(size_t n);
    // Empties the file completely (a rebuild starts from all-zero slots).
    void clear();
    // fdatasync of the file. Safe on any thread (see above).
    void sync() const;
    // Renames the file (the descriptor stays valid).
    void rename(const std::filesystem::path& to);
    // Unlinks the file; the descriptor and mapping stay valid until destruction.
    void unlink();

protected:
    // Opens or creates `path`. An existing file keeps its contents; its real
    // entry count is found with `unused_slot(entry_bytes, index)`.
    index_file(std::filesystem::path path, size_t entry_size,
               const std::function<bool(const uint8_t*, size_t)>& unused_slot, bool truncate);

    // Entry i's bytes: from the mapping when mapped, else through a pread into
    // a scratch buffer (valid until the next call), so checking the ends of a
    // cold index does not map it.
    const uint8_t* slot(size_t i) const;
    // Maps the file; searches call this first.
    void map() const;
    // Stores one entry at the end. Requires !full().
    void push(const uint8_t* bytes);

private:
    void unmap() const;
    void read_slot(size_t i, uint8_t* out) const;

    std::filesystem::path path_;
    std::string sync_name_;  // path at open; sync() may not read path_ (rename races)
    size_t entry_size_;
    int fd_ = -1;
    uint64_t file_len_ = 0;
    size_t entries_ = 0;
    bool existed_ = false;
    bool malformed_ = false;
    mutable uint8_t* map_ = nullptr;
    mutable size_t map_len_ = 0;
    mutable uint8_t scratch_[16] = {};
};

// Big-endian helpers for index entries (Kafka writes its indexes big-endian).
inline void put_be32(uint8_t* p, uint32_t v) {
    p[0] = uint8_t(v >> 24);
    p[1] = uint8_t(v >> 16);
    p[2] = uint8_t(v >> 8);
    p[3] = uint8_t(v);
}
inline void put_be64(uint8_t* p, uint64_t v) {
    put_be32(p, uint32_t(v >> 32));
    put_be32(p + 4, uint32_t(v));
}
inline uint32_t get_be32(const uint8_t* p) {
    return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3];
}
inline uint64_t get_be64(const uint8_t* p) { return uint64_t(get_be32(p)) << 32 | get_be32(p + 4); }

}  // namespace sluice::storage
