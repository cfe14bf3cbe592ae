#include "storage/segment.h"

#include "storage/durable_file.h"

#include <spdlog/spdlog.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <limits>
#include <stdexcept>

namespace sluice::storage {

namespace fs = std::filesystem;
using protocol::batch_header;
using protocol::byte_view;

std::string segment_file_stem(int64_t base_offset) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%020" PRId64, base_offset);
    return buf;
}

std::optional<int64_t> parse_segment_file_stem(std::string_view stem) {
    if (stem.size() != 20) return std::nullopt;
    int64_t v = 0;
    for (char c : stem) {
        if (c < '0' || c > '9') return std::nullopt;
        if (v > (std::numeric_limits<int64_t>::max() - (c - '0')) / 10) return std::nullopt;
        v = v * 10 + (c - '0');
    }
    return v;
}

namespace {

constexpr size_t read_chunk = 4096;          // header walks (reads, lookups)
constexpr size_t recovery_chunk = 1u << 20;  // whole-batch scans (recovery)

// Reads up to n bytes at pos; fewer only at end of file.
size_t pread_full(int fd, uint8_t* out, size_t n, uint64_t pos, const fs::path& path) {
    size_t done = 0;
    while (done < n) {
        ssize_t r = ::pread(fd, out + done, n - done, off_t(pos + done));
        if (r < 0) {
            if (errno == EINTR) continue;
            throw_io_error("read", path);
        }
        if (r == 0) break;
        done += size_t(r);
    }
    return done;
}

// A read-ahead window over [0, end) of a file, so walking many small batches
// costs one pread per chunk rather than one per header.
class file_window {
public:
    file_window(int fd, const fs::path& path, uint64_t end, size_t chunk)
        : fd_(fd), path_(path), end_(end), chunk_(chunk) {}

    // Up to n bytes at pos (fewer only near the end).
    byte_view get(uint64_t pos, size_t n) {
        if (pos >= start_ && pos + n <= start_ + len_)
            return byte_view(buf_.data() + (pos - start_), n);
        if (pos >= end_) return {};
        size_t want = std::max(n, chunk_);
        if (want > end_ - pos) want = size_t(end_ - pos);
        if (buf_.size() < want) buf_.resize(want);
        len_ = pread_full(fd_, buf_.data(), want, pos, path_);
        start_ = pos;
        return byte_view(buf_.data(), std::min(n, len_));
    }

private:
    int fd_;
    const fs::path& path_;
    uint64_t end_;
    size_t chunk_;
    std::vector<uint8_t> buf_;
    uint64_t start_ = 0;
    size_t len_ = 0;
};

// Whether a header read at `pos` can start a real batch of a file of `size`
// bytes whose previous batch ended below `min_base`. The CRC is checked apart.
bool plausible(const batch_header& h, uint64_t pos, uint64_t size, int64_t min_base) {
    return h.batch_length >= int32_t(protocol::batch_header_size - protocol::batch_log_overhead) &&
           pos + h.total_size() <= size && h.magic == protocol::current_magic &&
           h.last_offset_delta >= 0 && h.record_count >= 0 && h.base_offset >= min_base;
}

fs::path with_suffix(const fs::path& dir, int64_t base, const char* suffix) {
    return dir / (segment_file_stem(base) + suffix);
}

int64_t mtime_ms(int fd) {
    struct stat st {};
    if (::fstat(fd, &st) != 0) return 0;
    return int64_t(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000;
}

}  // namespace

segment::segment(const fs::path& dir, int64_t base_offset, int fd, bool create)
    : dir_(dir),
      base_offset_(base_offset),
      log_path_(with_suffix(dir, base_offset, ".log")),
      sync_name_(log_path_.string()),
      fd_(fd),
      offset_of_max_timestamp_(base_offset) {
    try {
        offset_index_ = std::make_unique<offset_index>(with_suffix(dir, base_offset, ".index"),
                                                       base_offset, create);
        time_index_ = std::make_unique<time_index>(with_suffix(dir, base_offset, ".timeindex"),
                                                   base_offset, create);
    } catch (...) {
        ::close(fd_);
        fd_ = -1;
        throw;
    }
}

segment::~segment() {
    if (fd_ >= 0) ::close(fd_);
}

std::shared_ptr<segment> segment::create(const fs::path& dir, int64_t base_offset,
                                         uint32_t index_max_bytes) {
    auto path = with_suffix(dir, base_offset, ".log");
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) throw_io_error("create segment", path);
    std::shared_ptr<segment> s(new segment(dir, base_offset, fd, true));
    s->reset_state();
    s->preallocate_indexes(index_max_bytes);
    return s;
}

std::shared_ptr<segment> segment::open(const fs::path& dir, int64_t base_offset) {
    auto path = with_suffix(dir, base_offset, ".log");
    int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) throw_io_error("open segment", path);
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        int err = errno;
        ::close(fd);
        throw_io_error(err, "stat", path);
    }
    std::shared_ptr<segment> s(new segment(dir, base_offset, fd, false));
    s->size_ = uint64_t(st.st_size);
    s->sealed_ = true;  // until preallocate_indexes() makes it the active one
    return s;
}

void segment::reset_state() {
    next_offset_ = base_offset_;
    max_timestamp_ = -1;
    offset_of_max_timestamp_ = base_offset_;
    roll_base_ms_.reset();
    bytes_since_index_entry_ = 0;
}

int64_t segment::largest_timestamp() const {
    return max_timestamp_ >= 0 ? max_timestamp_ : mtime_ms(fd_);
}

void segment::index_batch(uint64_t position, const batch_header& h, uint32_t index_interval_bytes) {
    if (h.max_timestamp > max_timestamp_) {
        max_timestamp_ = h.max_timestamp;
        offset_of_max_timestamp_ = h.last_offset();
    }
    // Kafka's rule: an entry once more than index.interval.bytes have been
    // written since the last one, so the batch at position 0 never gets one.
    if (bytes_since_index_entry_ > index_interval_bytes) {
        if (!offset_index_->full()) offset_index_->append(h.base_offset, uint32_t(position));
        time_index_->maybe_append(max_timestamp_, offset_of_max_timestamp_);
        bytes_since_index_entry_ = 0;
    }
    bytes_since_index_entry_ += h.total_size();
    next_offset_ = h.last_offset() + 1;
}

bool segment::load(bool active) {
    if (!offset_index_->existed() || !time_index_->existed()) return false;
    if (!offset_index_->sane(size_) || !time_index_->sane()) return false;
    reset_state();
    if (auto l = time_index_->last()) {
        max_timestamp_ = l->timestamp;
        offset_of_max_timestamp_ = l->offset;
    }
    if (!active) {
        next_offset_ = -1;
        return true;
    }
    // The active segment: walk the headers after the last index entry, which
    // also proves the file ends on a batch boundary.
    uint64_t start = 0;
    int64_t min_base = base_offset_;
    if (auto e = offset_index_->last()) start = e->position;
    file_window w(fd_, log_path_, size_, read_chunk);
    if (size_ > 0) {
        auto first = w.get(0, protocol::batch_header_size);
        if (first.size() < protocol::batch_header_size) return false;
        auto h = protocol::parse_batch_header(first);
        roll_base_ms_ = h.max_timestamp >= 0 ? h.max_timestamp : mtime_ms(fd_);
    }
    uint64_t pos = start;
    while (pos < size_) {
        auto hv = w.get(pos, protocol::batch_header_size);
        if (hv.size() < protocol::batch_header_size) return false;
        auto h = protocol::parse_batch_header(hv);
        if (!plausible(h, pos, size_, min_base)) return false;
        if (h.max_timestamp > max_timestamp_) {
            max_timestamp_ = h.max_timestamp;
            offset_of_max_timestamp_ = h.last_offset();
        }
        next_offset_ = h.last_offset() + 1;
        min_base = next_offset_;
        pos += h.total_size();
    }
    bytes_since_index_entry_ = size_ - start;
    return true;
}

segment::recovery_result segment::recover(uint32_t index_interval_bytes, uint32_t index_max_bytes) {
    offset_index_->clear();
    time_index_->clear();
    preallocate_indexes(index_max_bytes);
    reset_state();

    file_window w(fd_, log_path_, size_, recovery_chunk);
    uint64_t pos = 0;
    int64_t min_base = base_offset_;
    while (pos < size_) {
        auto hv = w.get(pos, protocol::batch_header_size);
        if (hv.size() < protocol::batch_header_size) break;  // torn header
        auto h = protocol::parse_batch_header(hv);
        if (!plausible(h, pos, size_, min_base)) break;
        auto whole = w.get(pos, h.total_size());
        if (whole.size() < h.total_size() || !protocol::batch_crc_ok(whole)) break;
        if (!roll_base_ms_) roll_base_ms_ = h.max_timestamp >= 0 ? h.max_timestamp : mtime_ms(fd_);
        index_batch(pos, h, index_interval_bytes);
        pos += h.total_size();
        min_base = h.last_offset() + 1;
    }
    recovery_result r{pos, size_ - pos};
    if (r.truncated_bytes > 0) {
        spdlog::warn("{}: truncating {} bytes of torn or corrupt data at position {}",
                     log_path_.string(), r.truncated_bytes, pos);
        if (::ftruncate(fd_, off_t(pos)) != 0) throw_io_error("truncate", log_path_);
        size_ = pos;
    }
    return r;
}

void segment::append(byte_view data, const std::vector<batch_header>& headers,
                     uint32_t index_interval_bytes, int64_t now_ms) {
    if (sealed_ || deleted_)
        throw std::logic_error("append to a sealed segment " + log_path_.string());
    if (size_ + data.size() > uint64_t(std::numeric_limits<int32_t>::max()))
        throw std::logic_error("segment would outgrow 32-bit positions: " + log_path_.string());
    size_t done = 0;
    while (done < data.size()) {
        ssize_t n = ::pwrite(fd_, data.data() + done, data.size() - done, off_t(size_ + done));
        if (n < 0) {
            if (errno == EINTR) continue;
            int err = errno;
            // Leave no partial batch behind; appends may continue after ENOSPC clears.
            if (::ftruncate(fd_, off_t(size_)) != 0)
                spdlog::error("{}: cannot cut back a failed append", log_path_.string());
            throw_io_error(err, "write", log_path_);
        }
        done += size_t(n);
    }
    uint64_t pos = size_;
    for (auto& h : headers) {
        index_batch(pos, h, index_interval_bytes);
        pos += h.total_size();
    }
    if (!roll_base_ms_) roll_base_ms_ = now_ms;
    size_ = pos;
}

void segment::for_each_batch(uint64_t position,
                             const std::function<bool(uint64_t, const batch_header&)>& f) const {
    file_window w(fd_, log_path_, size_, read_chunk);
    uint64_t pos = position;
    while (pos < size_) {
        auto hv = w.get(pos, protocol::batch_header_size);
        if (hv.size() < protocol::batch_header_size) return;
        auto h = protocol::parse_batch_header(hv);
        if (!plausible(h, pos, size_, std::numeric_limits<int64_t>::min())) {
            spdlog::error("{}: unreadable batch at position {}", log_path_.string(), pos);
            return;
        }
        if (!f(pos, h)) return;
        pos += h.total_size();
    }
}

std::optional<batch_location> segment::find_batch(int64_t offset) const {
    auto e = offset_index_->lookup(offset);
    std::optional<batch_location> out;
    for_each_batch(e.position, [&](uint64_t pos, const batch_header& h) {
        if (h.last_offset() < offset) return true;
        out = batch_location{pos, h};
        return false;
    });
    return out;
}

protocol::bytes segment::read(uint64_t position, size_t size) const {
    protocol::bytes out(size);
    if (pread_full(fd_, out.data(), size, position, log_path_) != size)
        throw std::system_error(EIO, std::generic_category(),
                                "short read of " + log_path_.string());
    return out;
}

std::optional<segment::found_record> segment::find_by_timestamp(int64_t ts,
                                                                int64_t min_offset) const {
    // Every record at or below a time-index entry older than ts is older than ts.
    int64_t start = std::max(min_offset, base_offset_);
    if (auto e = time_index_->last_before(ts)) start = std::max(start, e->offset + 1);
    auto ie = offset_index_->lookup(start);
    std::optional<found_record> out;
    for_each_batch(ie.position, [&](uint64_t pos, const batch_header& h) {
        if (h.last_offset() < start || h.max_timestamp < ts) return true;
        if (h.log_append_time()) {  // every record carries the batch's max timestamp
            out = found_record{h.max_timestamp, std::max(h.base_offset, min_offset)};
            return false;
        }
        if (h.base_timestamp >= ts && h.base_offset >= min_offset) {
            out = found_record{h.base_timestamp, h.base_offset};
            return false;
        }
        auto batch = read(pos, h.total_size());
        try {
            protocol::for_each_record(batch,
                                      [&](const batch_header&, const protocol::record_view& r) {
                                          int64_t off = h.base_offset + r.offset_delta;
                                          int64_t t = h.base_timestamp + r.timestamp_delta;
                                          if (!out && off >= min_offset && t >= ts)
                                              out = found_record{t, off};
                                      });
        } catch (const protocol::decode_error& e) {
            spdlog::warn("{}: cannot decode batch at offset {} ({}); answering with the batch",
                         log_path_.string(), h.base_offset, e.what());
            out = found_record{h.max_timestamp, std::max(h.base_offset, min_offset)};
        }
        return !out;
    });
    return out;
}

std::optional<segment::found_record> segment::find_max_timestamp() const {
    if (max_timestamp_ < 0) return std::nullopt;
    found_record fallback{max_timestamp_, offset_of_max_timestamp_};
    auto loc = find_batch(offset_of_max_timestamp_);
    if (!loc || loc->header.max_timestamp != max_timestamp_) return fallback;
    const auto& h = loc->header;
    if (h.log_append_time()) return found_record{h.max_timestamp, h.base_offset};
    std::optional<found_record> out;
    try {
        auto batch = read(loc->position, h.total_size());
        protocol::for_each_record(batch, [&](const batch_header&, const protocol::record_view& r) {
            if (!out && h.base_timestamp + r.timestamp_delta == h.max_timestamp)
                out = found_record{h.max_timestamp, h.base_offset + r.offset_delta};
        });
    } catch (const protocol::decode_error&) {
    }
    return out ? out : fallback;
}

void segment::preallocate_indexes(uint32_t index_max_bytes) {
    offset_index_->resize(index_max_bytes);
    time_index_->resize(index_max_bytes);
    sealed_ = false;
}

void segment::seal() {
    if (deleted_) return;
    time_index_->maybe_append(max_timestamp_, offset_of_max_timestamp_);
    offset_index_->trim();
    time_index_->trim();
    sealed_ = true;
}

void segment::sync() const {
    if (::fdatasync(fd_) != 0) throw_io_error("fdatasync", sync_name_);
    offset_index_->sync();
    time_index_->sync();
}

void segment::delete_files() {
    if (deleted_) return;
    deleted_ = true;
    auto deleted_name = [](const fs::path& p) {
        auto d = p;
        d += ".deleted";
        return d;
    };
    // Rename first: a crash between the two steps leaves only *.deleted files,
    // which the next open removes.
    auto log_deleted = deleted_name(log_path_);
    if (::rename(log_path_.c_str(), log_deleted.c_str()) != 0)
        throw_io_error("rename to " + log_deleted.string(), log_path_);
    log_path_ = log_deleted;
    offset_index_->rename(deleted_name(offset_index_->path()));
    time_index_->rename(deleted_name(time_index_->path()));
    if (::unlink(log_path_.c_str()) != 0 && errno != ENOENT) throw_io_error("unlink", log_path_);
    offset_index_->unlink();
    time_index_->unlink();
}

}  // namespace sluice::storage
