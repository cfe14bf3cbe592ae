#include "storage/offset_index.h"

#include <limits>
#include <stdexcept>
#include <string>

namespace sluice::storage {

offset_index::offset_index(std::filesystem::path path, int64_t base_offset, bool truncate)
    : index_file(
          std::move(path), entry_bytes,
          [](const uint8_t* e, size_t i) {
              uint32_t rel = get_be32(e);
              return i == 0 ? rel == 0 && get_be32(e + 4) == 0 : rel == 0;
          },
          truncate),
      base_offset_(base_offset) {}

void offset_index::append(int64_t offset, uint32_t position) {
    int64_t rel = offset - base_offset_;
    if (rel < 0 || rel > std::numeric_limits<int32_t>::max())
        throw std::logic_error("offset " + std::to_string(offset) + " outside index " +
                               path().string());
    if (auto l = last(); l && (l->offset >= offset || l->position >= position))
        throw std::logic_error("offset index entries must increase: " + path().string());
    uint8_t e[entry_bytes];
    put_be32(e, uint32_t(rel));
    put_be32(e + 4, position);
    push(e);
}

offset_index::entry offset_index::at(size_t i) const {
    const uint8_t* e = slot(i);
    return {base_offset_ + int64_t(get_be32(e)), get_be32(e + 4)};
}

std::optional<offset_index::entry> offset_index::last() const {
    if (entries() == 0) return std::nullopt;
    return at(entries() - 1);
}

offset_index::entry offset_index::lookup(int64_t target) const {
    map();
    // Binary search for the last entry with offset <= target.
    size_t lo = 0, hi = entries();
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (at(mid).offset <= target)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0) return {base_offset_, 0};
    return at(lo - 1);
}

bool offset_index::sane(uint64_t log_size) const {
    if (malformed()) return false;
    if (entries() == 0) return true;
    auto first = at(0), l = at(entries() - 1);
    return l.offset > base_offset_ && first.offset <= l.offset && first.position <= l.position &&
           l.position < log_size;
}

}  // namespace sluice::storage
