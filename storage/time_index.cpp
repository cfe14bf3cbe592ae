#include "storage/time_index.h"

#include <limits>
#include <stdexcept>
#include <string>

namespace sluice::storage {

time_index::time_index(std::filesystem::path path, int64_t base_offset, bool truncate)
    : index_file(
          std::move(path), entry_bytes,
          [](const uint8_t* e, size_t i) {
              uint32_t rel = get_be32(e + 8);
              return i == 0 ? rel == 0 && get_be64(e) == 0 : rel == 0;
          },
          truncate),
      base_offset_(base_offset) {}

void time_index::maybe_append(int64_t timestamp, int64_t offset) {
    if (auto l = last(); l && timestamp <= l->timestamp) return;
    if (timestamp < 0) return;  // NO_TIMESTAMP is never indexed
    int64_t rel = offset - base_offset_;
    if (rel < 0 || rel > std::numeric_limits<int32_t>::max())
        throw std::logic_error("offset " + std::to_string(offset) + " outside time index " +
                               path().string());
    if (full()) resize((entries() + 1) * entry_bytes);
    uint8_t e[entry_bytes];
    put_be64(e, uint64_t(timestamp));
    put_be32(e + 8, uint32_t(rel));
    push(e);
}

time_index::entry time_index::at(size_t i) const {
    const uint8_t* e = slot(i);
    return {int64_t(get_be64(e)), base_offset_ + int64_t(get_be32(e + 8))};
}

std::optional<time_index::entry> time_index::last() const {
    if (entries() == 0) return std::nullopt;
    return at(entries() - 1);
}

size_t time_index::count_at_or_below(int64_t ts, bool strict) const {
    map();
    size_t lo = 0, hi = entries();
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int64_t t = at(mid).timestamp;
        if (strict ? t < ts : t <= ts)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

time_index::entry time_index::lookup(int64_t target) const {
    size_t n = count_at_or_below(target, false);
    if (n == 0) return {-1, base_offset_};
    return at(n - 1);
}

std::optional<time_index::entry> time_index::last_before(int64_t target) const {
    size_t n = count_at_or_below(target, true);
    if (n == 0) return std::nullopt;
    return at(n - 1);
}

bool time_index::sane() const {
    if (malformed()) return false;
    if (entries() == 0) return true;
    auto first = at(0), l = at(entries() - 1);
    return l.offset >= base_offset_ && l.timestamp >= first.timestamp && l.offset >= first.offset;
}

}  // namespace sluice::storage
