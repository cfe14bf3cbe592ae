// Log compaction: the cleaner checkpoint, swap file names, the key map, batch
// filtering, and partition_log::compact(). See log_cleaner.h and
// partition_log.h for the semantics.

#include "storage/log_cleaner.h"

#include "protocol/crc32c.h"
#include "protocol/wire.h"
#include "storage/durable_file.h"
#include "storage/partition_log.h"
#include "storage/segment.h"

#include <spdlog/spdlog.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <charconv>
#include <system_error>
#include <unordered_map>

namespace sluice::storage {

namespace fs = std::filesystem;
using protocol::batch_header;
using protocol::byte_view;
using protocol::bytes;

// ---------------------------------------------------------------- checkpoint

namespace {

std::optional<int64_t> parse_i64(std::string_view s) {
    int64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
    return v;
}

}  // namespace

int64_t read_cleaner_checkpoint(const fs::path& dir) {
    auto path = dir / cleaner_checkpoint_file;
    auto text = read_file_if_exists(path);
    if (!text) return 0;
    // "0\n<offset>\n"
    std::string_view s(*text);
    auto nl = s.find('\n');
    if (nl != std::string_view::npos && s.substr(0, nl) == "0") {
        auto rest = s.substr(nl + 1);
        if (!rest.empty() && rest.back() == '\n') rest.remove_suffix(1);
        if (auto v = parse_i64(rest); v && *v >= 0) return *v;
    }
    spdlog::warn("{}: malformed cleaner checkpoint; starting from offset 0", path.string());
    return 0;
}

void write_cleaner_checkpoint(const fs::path& dir, int64_t offset) {
    write_file_durably(dir / cleaner_checkpoint_file, "0\n" + std::to_string(offset) + "\n");
}

// ---------------------------------------------------------------- swap names

std::string cleaner_swap_file_name(int64_t base, int64_t end) {
    return segment_file_stem(base) + ".log." + segment_file_stem(end) + ".swap";
}

std::optional<swap_range> parse_cleaner_swap_file_name(std::string_view name) {
    // 20 digits ".log." 20 digits ".swap"
    if (name.size() != 20 + 5 + 20 + 5) return std::nullopt;
    if (name.substr(20, 5) != ".log." || name.substr(45) != ".swap") return std::nullopt;
    auto b = parse_segment_file_stem(name.substr(0, 20));
    auto e = parse_segment_file_stem(name.substr(25, 20));
    if (!b || !e || *e <= *b) return std::nullopt;
    return swap_range{*b, *e};
}

// ---------------------------------------------------------------- key map

void key_offset_map::put(byte_view key, int64_t offset) {
    std::string k(reinterpret_cast<const char*>(key.data()), key.size());
    auto [it, inserted] = map_.try_emplace(k, offset);
    if (inserted) {
        bytes_ += k.size() + entry_overhead;
        undo_.emplace_back(std::move(k), -1);
    } else if (offset > it->second) {
        undo_.emplace_back(std::move(k), it->second);
        it->second = offset;
    }
}

int64_t key_offset_map::get(byte_view key) const {
    auto it = map_.find(std::string(reinterpret_cast<const char*>(key.data()), key.size()));
    return it == map_.end() ? -1 : it->second;
}

void key_offset_map::rollback() {
    for (auto it = undo_.rbegin(); it != undo_.rend(); ++it) {
        if (it->second < 0)
            map_.erase(it->first);
        else
            map_[it->first] = it->second;
    }
    undo_.clear();
    bytes_ = undo_bytes_;
}

// ---------------------------------------------------------------- batch filter

filtered_batch filter_batch(
    byte_view batch, bool keep_empty,
    const std::function<bool(int64_t, const protocol::record_view&)>& keep) {
    auto h = protocol::parse_batch_header(batch);
    if (h.batch_length < int32_t(protocol::batch_header_size - protocol::batch_log_overhead) ||
        h.total_size() > batch.size() || h.record_count < 0)
        throw protocol::decode_error("malformed record batch");
    auto payload =
        batch.subspan(protocol::batch_header_size, h.total_size() - protocol::batch_header_size);
    bytes inflated;
    if (h.codec() != protocol::compression::none) {
        inflated = protocol::decompress(h.codec(), payload);
        payload = inflated;
    }

    struct piece {
        size_t at, len;
    };
    std::vector<piece> kept;
    int64_t max_ts = -1;
    filtered_batch out;
    protocol::reader r(payload);
    for (int32_t i = 0; i < h.record_count; ++i) {
        size_t start = r.position();
        int32_t len = r.varint();
        if (len < 0) throw protocol::decode_error("negative record length");
        auto rec = protocol::parse_record(r.take(size_t(len)));
        if (keep(h.base_offset + rec.offset_delta, rec)) {
            kept.push_back({start, r.position() - start});
            max_ts = std::max(max_ts, h.base_timestamp + rec.timestamp_delta);
        } else {
            ++out.records_removed;
        }
    }
    if (out.records_removed == 0) return out;  // unchanged

    if (kept.empty()) {
        if (!keep_empty) {
            out.result = filtered_batch::outcome::dropped;
            return out;
        }
        // Header only: same offset and sequence range, no records, no compression.
        out.result = filtered_batch::outcome::rewritten;
        auto empty = h;
        empty.attributes = int16_t(h.attributes & ~0x7);
        empty.record_count = 0;
        out.data = protocol::write_batch(empty, {});
        return out;
    }

    bytes body;
    for (auto& p : kept)
        body.insert(body.end(), payload.begin() + p.at, payload.begin() + p.at + p.len);
    bytes packed = h.codec() == protocol::compression::none ? std::move(body)
                                                            : protocol::compress(h.codec(), body);
    int64_t new_max = h.log_append_time() ? h.max_timestamp : max_ts;
    out.result = filtered_batch::outcome::rewritten;
    auto rewritten = h;
    rewritten.max_timestamp = new_max;
    rewritten.record_count = int32_t(kept.size());
    out.data = protocol::write_batch(rewritten, packed);
    return out;
}

// ---------------------------------------------------------------- compaction

namespace {

constexpr int64_t max_relative_offset = std::numeric_limits<int32_t>::max();
constexpr uint64_t max_segment_bytes = uint64_t(std::numeric_limits<int32_t>::max());
constexpr size_t time_index_entry_bytes = 12;

// now - ts > span, without overflow.
bool older_than(int64_t ts, int64_t now, int64_t span) {
    return static_cast<__int128>(now) - ts > span;
}

struct fd_closer {
    int fd = -1;
    ~fd_closer() {
        if (fd >= 0) ::close(fd);
    }
};

void write_all(int fd, byte_view data, uint64_t at, const fs::path& path) {
    size_t done = 0;
    while (done < data.size()) {
        ssize_t n = ::pwrite(fd, data.data() + done, data.size() - done, off_t(at + done));
        if (n < 0) {
            if (errno == EINTR) continue;
            throw_io_error("write", path);
        }
        done += size_t(n);
    }
}

}  // namespace

compaction_result partition_log::compact(const compaction_config& cc, int64_t now_ms,
                                         int64_t max_offset) {
    compaction_result res;
    if (closed_ || segments_.size() < 2) return res;
    const size_t sealed = segments_.size() - 1;  // never the active segment
    auto end_of = [&](size_t i) { return segments_[i + 1]->base_offset(); };

    int64_t first_dirty = cleaner_checkpoint_;
    if (first_dirty < log_start_offset_ || first_dirty > log_end_offset_)
        first_dirty = log_start_offset_;

    // The cleanable dirty range, in whole segments: [dirty_begin, dirty_end).
    size_t dirty_begin = 0;
    while (dirty_begin < sealed && end_of(dirty_begin) <= first_dirty) ++dirty_begin;
    size_t dirty_end = dirty_begin;
    while (dirty_end < sealed) {
        const auto& s = segments_[dirty_end];
        if (end_of(dirty_end) > max_offset) break;
        if (cc.min_compaction_lag_ms > 0 &&
            !older_than(s->largest_timestamp(), now_ms, cc.min_compaction_lag_ms - 1))
            break;  // holds records newer than now - min.compaction.lag.ms
        ++dirty_end;
    }
    if (dirty_end == dirty_begin) return res;

    uint64_t clean_bytes = 0, dirty_bytes = 0;
    for (size_t i = 0; i < dirty_begin; ++i) clean_bytes += segments_[i]->size();
    for (size_t i = dirty_begin; i < dirty_end; ++i) dirty_bytes += segments_[i]->size();
    double ratio = clean_bytes + dirty_bytes == 0
                       ? 0.0
                       : double(dirty_bytes) / double(clean_bytes + dirty_bytes);
    bool overdue = false;
    if (cc.max_compaction_lag_ms >= 0 &&
        cc.max_compaction_lag_ms < std::numeric_limits<int64_t>::max()) {
        if (auto loc = segments_[dirty_begin]->find_batch(first_dirty);
            loc && loc->header.max_timestamp >= 0)
            overdue = older_than(loc->header.max_timestamp, now_ms, cc.max_compaction_lag_ms);
    }
    if (ratio < cc.min_cleanable_dirty_ratio && !overdue) return res;

    // Key -> latest offset over the dirty range, cut at a segment boundary when
    // the map outgrows its budget (at least one segment is always taken).
    key_offset_map map;
    size_t mapped_end = dirty_begin;
    for (size_t i = dirty_begin; i < dirty_end; ++i) {
        const auto& seg = segments_[i];
        map.begin_undo();
        seg->for_each_batch(0, [&](uint64_t pos, const batch_header& h) {
            if (h.last_offset() < first_dirty || h.control() || h.transactional()) return true;
            auto data = seg->read(pos, h.total_size());
            try {
                protocol::for_each_record(data,
                                          [&](const batch_header&, const protocol::record_view& r) {
                                              if (r.key)
                                                  map.put(*r.key, h.base_offset + r.offset_delta);
                                          });
            } catch (const protocol::decode_error& e) {
                spdlog::warn("{}: compaction cannot decode batch at offset {}: {}", dir_.string(),
                             h.base_offset, e.what());
            }
            return true;
        });
        if (i > dirty_begin && map.bytes() > cc.key_map_bytes) {
            map.rollback();
            break;
        }
        mapped_end = i + 1;
    }
    dirty_end = mapped_end;
    const int64_t first_uncleanable = segments_[dirty_end]->base_offset();

    // The batch holding each live producer's last sequence is never dropped.
    std::unordered_map<int64_t, int64_t> producer_last;
    for (const auto& [pid, e] : producers_.entries())
        if (e.last_offset() >= 0) producer_last.emplace(pid, e.last_offset());

    const uint64_t group_limit = std::min<uint64_t>(cfg_.segment_bytes, max_segment_bytes);
    const uint64_t interval = std::max<uint32_t>(cfg_.index_interval_bytes, 1);
    auto index_fits = [&](uint64_t bytes) {
        return (bytes / interval + 2) * time_index_entry_bytes <= cfg_.segment_index_bytes;
    };

    int64_t batch_max_ts = -1;  // of the batch being filtered
    auto keep = [&](int64_t offset, const protocol::record_view& r) {
        if (!r.key) return true;
        if (map.get(*r.key) > offset) return false;  // superseded
        if (!r.value && older_than(batch_max_ts, now_ms, cc.delete_retention_ms))
            return false;  // tombstone past delete.retention.ms
        return true;
    };

    size_t i = 0;
    while (i < dirty_end) {
        // Group [i, j): neighbours merged while the inputs fit one segment.
        size_t j = i;
        uint64_t in_bytes = 0;
        do {
            in_bytes += segments_[j]->size();
            ++j;
        } while (j < dirty_end && in_bytes + segments_[j]->size() <= group_limit &&
                 end_of(j) - 1 - segments_[i]->base_offset() <= max_relative_offset &&
                 index_fits(in_bytes + segments_[j]->size()));
        const int64_t base = segments_[i]->base_offset();
        const int64_t group_end = end_of(j - 1);
        const auto cleaned_path = dir_ / (segment_file_stem(base) + ".log.cleaned");

        uint64_t out_size = 0;
        int64_t removed = 0;
        bool changed = false;
        {
            fd_closer out{
                ::open(cleaned_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)};
            if (out.fd < 0) throw_io_error("create", cleaned_path);
            try {
                for (size_t k = i; k < j; ++k) {
                    const auto& seg = segments_[k];
                    uint64_t walked = 0;
                    seg->for_each_batch(0, [&](uint64_t pos, const batch_header& h) {
                        auto data = seg->read(pos, h.total_size());
                        walked = pos + h.total_size();
                        byte_view emit = data;
                        filtered_batch f;
                        if (!h.control() && !h.transactional()) {
                            auto pl = h.producer_id >= 0 ? producer_last.find(h.producer_id)
                                                         : producer_last.end();
                            bool producer_tail =
                                pl != producer_last.end() && pl->second == h.last_offset();
                            batch_max_ts = h.max_timestamp;
                            if (h.record_count == 0 && !producer_tail) {
                                // An emptied batch kept for a producer that has
                                // since expired or written again.
                                changed = true;
                                return true;
                            }
                            try {
                                f = filter_batch(data, producer_tail, keep);
                            } catch (const protocol::decode_error& e) {
                                spdlog::warn(
                                    "{}: compaction keeps undecodable batch at offset "
                                    "{}: {}",
                                    dir_.string(), h.base_offset, e.what());
                                f = {};
                            }
                            removed += f.records_removed;
                            if (f.result == filtered_batch::outcome::dropped) {
                                changed = true;
                                return true;
                            }
                            if (f.result == filtered_batch::outcome::rewritten) {
                                changed = true;
                                emit = f.data;
                            }
                        }
                        write_all(out.fd, emit, out_size, cleaned_path);
                        out_size += emit.size();
                        return true;
                    });
                    if (walked != seg->size())
                        throw std::system_error(
                            EIO, std::generic_category(),
                            "compaction: unreadable batch in " + seg->log_path().string());
                }
                // Like Kafka, the output carries the inputs' newest modification
                // time, so retention.ms treats an emptied segment (no timestamps
                // left, judged by mtime) as old as its data, not as new.
                int64_t newest = -1;
                for (size_t k = i; k < j; ++k)
                    newest = std::max(newest, segments_[k]->largest_timestamp());
                if (changed && newest >= 0) {
                    struct timespec times[2];
                    times[0].tv_sec = 0;
                    times[0].tv_nsec = UTIME_OMIT;
                    times[1].tv_sec = time_t(newest / 1000);
                    times[1].tv_nsec = long(newest % 1000) * 1000000;
                    if (::futimens(out.fd, times) != 0) throw_io_error("futimens", cleaned_path);
                }
                if (changed && ::fdatasync(out.fd) != 0) throw_io_error("fdatasync", cleaned_path);
            } catch (...) {
                ::unlink(cleaned_path.c_str());
                throw;
            }
        }
        res.bytes_before += in_bytes;
        res.bytes_after += changed ? out_size : in_bytes;
        res.records_removed += removed;
        if (!changed && j - i == 1) {  // nothing to drop and nothing to merge
            ::unlink(cleaned_path.c_str());
            ++i;
            continue;
        }

        // Commit: the swap file's existence makes the replacement happen, even
        // across a crash (open() rolls it forward).
        const auto swap_path = dir_ / cleaner_swap_file_name(base, group_end);
        if (::rename(cleaned_path.c_str(), swap_path.c_str()) != 0) {
            int err = errno;
            ::unlink(cleaned_path.c_str());
            throw_io_error(err, "rename to " + swap_path.string(), cleaned_path);
        }
        fsync_directory(dir_);
        for (size_t k = i; k < j; ++k) {
            auto& old = segments_[k];
            std::erase(sealed_unsynced_, old);
            old->delete_files();  // pinned readers keep the old descriptors
        }
        const auto log_path = dir_ / (segment_file_stem(base) + ".log");
        if (::rename(swap_path.c_str(), log_path.c_str()) != 0)
            throw_io_error("rename to " + log_path.string(), swap_path);
        auto fresh = segment::open(dir_, base);
        auto rec = fresh->recover(cfg_.index_interval_bytes, cfg_.segment_index_bytes);
        if (rec.truncated_bytes > 0)
            spdlog::error("{}: cleaned segment {} failed its scan ({} bytes cut)", dir_.string(),
                          log_path.filename().string(), rec.truncated_bytes);
        fresh->seal();
        fresh->sync();
        fsync_directory(dir_);
        res.segments_cleaned += int(j - i);
        segments_.erase(segments_.begin() + std::ptrdiff_t(i + 1),
                        segments_.begin() + std::ptrdiff_t(j));
        segments_[i] = std::move(fresh);
        dirty_end -= j - i - 1;
        ++i;
    }

    cleaner_checkpoint_ = first_uncleanable;
    write_cleaner_checkpoint(dir_, cleaner_checkpoint_);
    res.ran = true;
    spdlog::info(
        "{}: compacted {} segment(s) below offset {}: {} record(s) removed, {} -> {} bytes",
        dir_.string(), res.segments_cleaned, first_uncleanable, res.records_removed,
        res.bytes_before, res.bytes_after);
    return res;
}

}  // namespace sluice::storage
