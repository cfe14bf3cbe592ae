#include "storage/partition_log.h"

#include "storage/durable_file.h"
#include "storage/segment.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <limits>
#include <stdexcept>
#include <system_error>

namespace sluice::storage {

namespace fs = std::filesystem;
using protocol::batch_header;

namespace {

constexpr int64_t max_relative_offset = std::numeric_limits<int32_t>::max();
// Index positions are int32, so no segment may grow past this.
constexpr uint64_t max_segment_bytes = uint64_t(std::numeric_limits<int32_t>::max());

int64_t system_now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

bool ends_with(const std::string& s, std::string_view suffix) {
    return s.size() >= suffix.size() &&
           s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Leftovers of an interrupted delete (our own) or an incomplete compaction
// output. (Committed compaction output, *.swap, is completed instead.)
bool is_stray(const std::string& name) {
    return ends_with(name, ".deleted") || ends_with(name, ".cleaned") ||
           name == std::string(cleaner_checkpoint_file) + ".tmp";
}

// Rolls forward compaction swaps that were committed before a crash: every
// "<B>.log.<N>.swap" replaces the segments whose base offsets lie in [B, N).
// Their files are deleted (whichever are still there) and the swap file becomes
// <B>.log; its indexes are missing then, so open() rebuilds them. Unparsable
// *.swap files are removed. Returns whether anything changed.
bool complete_compaction_swaps(const fs::path& dir) {
    std::error_code ec;
    std::vector<std::pair<fs::path, swap_range>> swaps;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
        auto name = e.path().filename().string();
        if (!ends_with(name, ".swap")) continue;
        if (auto r = parse_cleaner_swap_file_name(name)) {
            swaps.emplace_back(e.path(), *r);
        } else {
            spdlog::info("{}: removing unknown swap file {}", dir.string(), name);
            fs::remove(e.path(), ec);
        }
    }
    if (ec) throw std::system_error(ec, "list log directory " + dir.string());
    if (swaps.empty()) return false;
    for (auto& [path, r] : swaps) {
        for (const auto& e : fs::directory_iterator(dir)) {
            auto ext = e.path().extension();
            if (ext != ".log" && ext != ".index" && ext != ".timeindex") continue;
            auto base = parse_segment_file_stem(e.path().stem().string());
            if (!base || *base < r.base || *base >= r.end) continue;
            fs::remove(e.path(), ec);
            if (ec) throw std::system_error(ec, "remove " + e.path().string());
        }
        auto target = dir / (segment_file_stem(r.base) + ".log");
        fs::rename(path, target, ec);
        if (ec) throw std::system_error(ec, "rename " + path.string());
        spdlog::info("{}: completed compaction swap {} -> {}", dir.string(),
                     path.filename().string(), target.filename().string());
    }
    return true;
}

}  // namespace

// ---------------------------------------------------------------- flush_job

bool flush_job::run() {
    try {
        for (auto& s : files_) s->sync();
        if (!sync_dir_.empty()) fsync_directory(sync_dir_);
        return true;
    } catch (const std::exception& e) {
        spdlog::error("log flush failed: {}", e.what());
        return false;
    }
}

// ---------------------------------------------------------------- open / recovery

std::unique_ptr<partition_log> partition_log::open(const fs::path& dir, topic_partition tp,
                                                   const log_config& cfg, int64_t recovery_point,
                                                   bool clean_shutdown,
                                                   int64_t log_start_offset_hint) {
    std::unique_ptr<partition_log> log(new partition_log());
    log->producers_.set_partition(tp.dir_name());
    log->tp_ = std::move(tp);
    log->dir_ = dir;
    log->cfg_ = cfg;

    std::error_code ec;
    bool created = fs::create_directories(dir, ec);
    if (ec) throw std::system_error(ec, "create log directory " + dir.string());

    if (complete_compaction_swaps(dir)) log->dir_dirty_ = true;

    std::vector<int64_t> bases;
    std::vector<std::pair<fs::path, int64_t>> index_files;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
        if (!e.is_regular_file()) continue;
        auto name = e.path().filename().string();
        if (is_stray(name)) {
            spdlog::info("{}: removing stray file {}", dir.string(), name);
            fs::remove(e.path(), ec);
            log->dir_dirty_ = true;
            continue;
        }
        auto base = parse_segment_file_stem(e.path().stem().string());
        if (!base) continue;
        auto ext = e.path().extension();
        if (ext == ".log")
            bases.push_back(*base);
        else if (ext == ".index" || ext == ".timeindex")
            index_files.emplace_back(e.path(), *base);
    }
    if (ec) throw std::system_error(ec, "list log directory " + dir.string());
    std::sort(bases.begin(), bases.end());
    for (auto& [path, base] : index_files) {
        if (!std::binary_search(bases.begin(), bases.end(), base)) {
            spdlog::info("{}: removing index without a segment {}", dir.string(),
                         path.filename().string());
            fs::remove(path, ec);
        }
    }

    // After an unclean stop, scan from the segment holding the recovery point
    // (always at least the last one); before it, data was flushed.
    const size_t n = bases.size();
    size_t first_scan = n;
    if (!clean_shutdown) {
        for (size_t i = 0; i < n; ++i) {
            if (i + 1 == n || bases[i + 1] > recovery_point) {
                first_scan = i;
                break;
            }
        }
    }

    std::vector<std::shared_ptr<segment>> scanned;
    for (size_t i = 0; i < n; ++i) {
        auto seg = segment::open(dir, bases[i]);
        bool last = i + 1 == n;
        if (i >= first_scan || !seg->load(last)) {
            auto r = seg->recover(cfg.index_interval_bytes, cfg.segment_index_bytes);
            ++log->recovery_.segments_scanned;
            log->recovery_.bytes_truncated += int64_t(r.truncated_bytes);
            scanned.push_back(seg);
            if (r.truncated_bytes > 0 && !last) {
                // Nothing after a torn or corrupt batch can be trusted to follow it.
                log->segments_.push_back(seg);
                for (size_t j = i + 1; j < n; ++j) {
                    auto later = segment::open(dir, bases[j]);
                    spdlog::warn("{}: deleting segment {} after a corrupt batch", dir.string(),
                                 later->log_path().filename().string());
                    log->recovery_.bytes_truncated += int64_t(later->size());
                    later->delete_files();
                }
                log->dir_dirty_ = true;
                break;
            }
        }
        log->segments_.push_back(seg);
    }

    auto& segs = log->segments_;
    for (size_t i = 0; i + 1 < segs.size(); ++i) segs[i]->seal();
    if (segs.empty()) {
        segs.push_back(segment::create(dir, std::max<int64_t>(log_start_offset_hint, 0),
                                       cfg.segment_index_bytes));
        log->dir_dirty_ = true;
    } else {
        segs.back()->preallocate_indexes(cfg.segment_index_bytes);
    }
    log->log_end_offset_ = segs.back()->next_offset();
    log->log_start_offset_ = std::max(log_start_offset_hint, segs.front()->base_offset());
    if (log->log_start_offset_ > log->log_end_offset_) {
        // The checkpointed start lies past what survived: start empty there (Kafka
        // does the same), since no record below it may be served.
        spdlog::warn("{}: log start offset {} is past the recovered end {}; starting empty",
                     dir.string(), log->log_start_offset_, log->log_end_offset_);
        auto fresh = segment::create(dir, log->log_start_offset_, cfg.segment_index_bytes);
        for (auto& s : segs) s->delete_files();
        segs.assign(1, fresh);
        log->log_end_offset_ = log->log_start_offset_;
        log->dir_dirty_ = true;
    }

    // Truncated and rebuilt files are made durable now, so everything on disk
    // counts as flushed from here on.
    for (auto& s : scanned) s->sync();
    // Deleting snapshots past the recovered end sets dir_dirty_: those deletions
    // must be durable before new appends reuse the offsets.
    log->load_producer_state();
    log->cleaner_checkpoint_ = read_cleaner_checkpoint(dir);
    if (log->dir_dirty_) fsync_directory(dir);
    if (created) fsync_directory(dir.has_parent_path() ? dir.parent_path() : fs::path("."));
    log->dir_dirty_ = false;
    log->flushed_offset_ = log->log_end_offset_;
    // Everything up to the end is durable now, so a snapshot there is valid and
    // spares the next unclean open this replay.
    if (log->recovery_.producer_batches_replayed > 0)
        log->take_producer_snapshot(log->log_end_offset_);
    if (log->recovery_.segments_scanned > 0)
        spdlog::info("{}: recovered {} segment(s), truncated {} bytes, log end offset {}",
                     dir.string(), log->recovery_.segments_scanned, log->recovery_.bytes_truncated,
                     log->log_end_offset_);
    return log;
}

partition_log::~partition_log() = default;

// ---------------------------------------------------------------- producer state

void partition_log::load_producer_state() {
    snapshots_ = list_producer_snapshots(dir_);
    // Past the end: written before a crash cut the log (their offsets will be
    // reused). Below the start: their replay range is gone.
    std::erase_if(snapshots_, [&](int64_t off) {
        if (off <= log_end_offset_ && off >= log_start_offset_) return false;
        spdlog::info("{}: removing producer snapshot {} outside [{}, {}]", dir_.string(),
                     producer_snapshot_file_name(off), log_start_offset_, log_end_offset_);
        delete_producer_snapshot(dir_, off);
        dir_dirty_ = true;
        return true;
    });

    producers_.clear();
    int64_t from = log_start_offset_;
    while (!snapshots_.empty()) {
        int64_t off = snapshots_.back();
        std::optional<producer_state> loaded;
        try {
            loaded = producer_state::read_snapshot(dir_, off);
        } catch (const std::exception& e) {
            spdlog::warn("{}: cannot read producer snapshot: {}", dir_.string(), e.what());
        }
        if (loaded) {
            loaded->set_partition(tp_.dir_name());
            producers_ = std::move(*loaded);
            recovery_.producer_snapshot_offset = off;
            from = off;
            break;
        }
        spdlog::warn("{}: producer snapshot {} is corrupt; deleting it", dir_.string(),
                     producer_snapshot_file_name(off));
        delete_producer_snapshot(dir_, off);
        dir_dirty_ = true;
        snapshots_.pop_back();
    }

    // Replay the batch headers in [from, log_end_offset_): one header read per
    // batch, record data is never touched.
    int64_t replayed = 0;
    for (size_t i = 0; i < segments_.size() && from < log_end_offset_; ++i) {
        const auto& seg = segments_[i];
        int64_t end = i + 1 < segments_.size() ? segments_[i + 1]->base_offset() : log_end_offset_;
        if (end <= from) continue;
        uint64_t pos = 0;
        if (from > seg->base_offset()) {
            auto loc = seg->find_batch(from);
            if (!loc) continue;
            pos = loc->position;
        }
        seg->for_each_batch(pos, [&](uint64_t, const batch_header& h) {
            if (h.base_offset >= log_end_offset_) return false;
            if (h.last_offset() < from) return true;
            producers_.update(h, h.base_offset, h.last_offset());
            ++replayed;
            return true;
        });
    }
    recovery_.producer_batches_replayed = replayed;
    if (replayed > 0)
        spdlog::info("{}: producer state of {} producer(s) from snapshot {} + {} batch(es)",
                     dir_.string(), producers_.size(), recovery_.producer_snapshot_offset,
                     replayed);
}

void partition_log::take_producer_snapshot(int64_t offset) {
    try {
        producers_.write_snapshot(dir_, offset);
    } catch (const std::exception& e) {
        spdlog::error("{}: cannot write producer snapshot: {}", dir_.string(), e.what());
        return;
    }
    auto at = std::lower_bound(snapshots_.begin(), snapshots_.end(), offset);
    if (at == snapshots_.end() || *at != offset) snapshots_.insert(at, offset);
    // Keep the newest two: the older one is the fallback if the newest is damaged.
    try {
        while (snapshots_.size() > 2) {
            delete_producer_snapshot(dir_, snapshots_.front());
            snapshots_.erase(snapshots_.begin());
            dir_dirty_ = true;
        }
    } catch (const std::exception& e) {
        spdlog::warn("{}: {}", dir_.string(), e.what());
    }
}

void partition_log::delete_producer_snapshots_below(int64_t offset) {
    try {
        while (!snapshots_.empty() && snapshots_.front() < offset) {
            delete_producer_snapshot(dir_, snapshots_.front());
            snapshots_.erase(snapshots_.begin());
            dir_dirty_ = true;
        }
    } catch (const std::exception& e) {
        spdlog::warn("{}: {}", dir_.string(), e.what());
    }
}

void partition_log::set_config(const log_config& cfg) { cfg_ = cfg; }

void partition_log::check_open() const {
    if (closed_) throw std::logic_error("partition log " + dir_.string() + " is closed");
}

// ---------------------------------------------------------------- append

void partition_log::roll(int64_t base_offset) {
    auto fresh = segment::create(dir_, base_offset, cfg_.segment_index_bytes);
    active()->seal();
    sealed_unsynced_.push_back(active());
    segments_.push_back(std::move(fresh));
    dir_dirty_ = true;
    // The state now covers every batch below the new segment.
    take_producer_snapshot(base_offset);
}

void partition_log::maybe_roll(uint64_t bytes, int64_t first, int64_t last, int64_t now_ms) {
    const auto& seg = active();
    bool offsets_fit =
        first >= seg->base_offset() && last - seg->base_offset() <= max_relative_offset;
    if (seg->size() == 0) {
        if (!offsets_fit) {
            // An empty segment whose base cannot address the incoming offsets
            // (a jump in append_exact): replace it.
            auto fresh = segment::create(dir_, first, cfg_.segment_index_bytes);
            seg->delete_files();
            segments_.back() = std::move(fresh);
            dir_dirty_ = true;
        }
        return;
    }
    uint64_t limit = std::min<uint64_t>(cfg_.segment_bytes, max_segment_bytes);
    bool full = seg->size() + bytes > limit;
    bool old = cfg_.segment_ms >= 0 && seg->roll_base_ms() &&
               now_ms - *seg->roll_base_ms() > cfg_.segment_ms;
    if (full || old || seg->index_full() || !offsets_fit) roll(first);
}

void partition_log::write_batches(protocol::byte_view data,
                                  const std::vector<batch_header>& headers, int64_t now_ms) {
    bool was_flushed = flushed_offset_ >= log_end_offset_;
    active()->append(data, headers, cfg_.index_interval_bytes, now_ms);
    log_end_offset_ = headers.back().last_offset() + 1;
    for (const auto& h : headers)
        if (h.producer_id >= 0) producers_.update(h, h.base_offset, h.last_offset());
    if (was_flushed || first_unflushed_ms_ < 0) first_unflushed_ms_ = now_ms;
}

append_result partition_log::append(std::span<uint8_t> batches,
                                    const std::vector<batch_header>& headers, int32_t leader_epoch,
                                    int64_t now_ms) {
    check_open();
    uint64_t total = 0;
    int64_t count = 0;
    for (auto& h : headers) {
        total += h.total_size();
        count += int64_t(h.last_offset_delta) + 1;
    }
    if (headers.empty() || total != batches.size())
        throw std::invalid_argument("append: headers do not describe the batches");

    const int64_t first = log_end_offset_;
    const int64_t last = first + count - 1;
    maybe_roll(total, first, last, now_ms);

    std::vector<batch_header> assigned(headers);
    int64_t next = first;
    size_t pos = 0;
    for (auto& h : assigned) {
        uint8_t* p = batches.data() + pos;
        protocol::set_base_offset(p, next);
        protocol::set_partition_leader_epoch(p, leader_epoch);
        h.base_offset = next;
        h.partition_leader_epoch = leader_epoch;
        if (cfg_.log_append_time) {
            protocol::set_log_append_time(p, h.total_size(), now_ms);
            h.attributes |= 0x8;
            h.max_timestamp = now_ms;
        }
        next = h.last_offset() + 1;
        pos += h.total_size();
    }
    write_batches(batches, assigned, now_ms);
    return {first, last, cfg_.log_append_time ? now_ms : -1};
}

void partition_log::append_exact(std::span<const uint8_t> batches, int64_t now_ms) {
    check_open();
    if (now_ms < 0) now_ms = system_now_ms();
    auto check = protocol::check_batches(batches);
    if (check.error != protocol::error_code::none)
        throw std::invalid_argument("append_exact: " + check.message);
    int64_t expect = log_end_offset_;
    for (auto& h : check.batches) {
        if (h.base_offset < expect)
            throw std::invalid_argument("append_exact: batch offset " +
                                        std::to_string(h.base_offset) + " is below " +
                                        std::to_string(expect));
        expect = h.last_offset() + 1;
    }
    const auto& hs = check.batches;
    if (hs.back().last_offset() - hs.front().base_offset <= max_relative_offset) {
        maybe_roll(batches.size(), hs.front().base_offset, hs.back().last_offset(), now_ms);
        write_batches(batches, hs, now_ms);
        return;
    }
    // Offsets too far apart for one segment: one batch at a time.
    size_t pos = 0;
    for (auto& h : hs) {
        maybe_roll(h.total_size(), h.base_offset, h.last_offset(), now_ms);
        write_batches(batches.subspan(pos, h.total_size()), {h}, now_ms);
        pos += h.total_size();
    }
}

// ---------------------------------------------------------------- durability

bool partition_log::flush_due(int64_t now_ms) const {
    if (closed_) return false;
    int64_t unflushed = log_end_offset_ - flushed_offset_;
    if (unflushed <= 0) return false;
    if (cfg_.flush_messages >= 1 && unflushed >= cfg_.flush_messages) return true;
    return cfg_.flush_ms >= 0 && first_unflushed_ms_ >= 0 &&
           now_ms - first_unflushed_ms_ >= cfg_.flush_ms;
}

flush_job partition_log::prepare_flush() {
    flush_job job;
    job.target_ = log_end_offset_;
    if (closed_ || flushed_offset_ >= log_end_offset_) return job;
    for (auto& s : sealed_unsynced_) job.files_.push_back(std::move(s));
    sealed_unsynced_.clear();
    for (size_t i = 0; i < segments_.size(); ++i) {
        int64_t end = i + 1 < segments_.size() ? segments_[i + 1]->base_offset() : log_end_offset_;
        if (end > flushed_offset_ &&
            std::find(job.files_.begin(), job.files_.end(), segments_[i]) == job.files_.end())
            job.files_.push_back(segments_[i]);
    }
    if (dir_dirty_) {
        job.sync_dir_ = dir_;
        dir_dirty_ = false;
    }
    return job;
}

void partition_log::mark_flushed(int64_t offset, int64_t now_ms) {
    if (offset > flushed_offset_) flushed_offset_ = std::min(offset, log_end_offset_);
    last_flush_ms_ = now_ms;
    // Whatever is still unflushed was appended after the job was prepared.
    first_unflushed_ms_ = flushed_offset_ >= log_end_offset_ ? -1 : now_ms;
}

// ---------------------------------------------------------------- reads

read_result partition_log::read(int64_t offset, uint64_t max_bytes, int64_t upper_bound,
                                bool min_one) const {
    read_result out;
    if (closed_ || offset < log_start_offset_ || offset >= log_end_offset_ || offset >= upper_bound)
        return out;
    auto it = std::upper_bound(segments_.begin(), segments_.end(), offset,
                               [](int64_t o, const auto& s) { return o < s->base_offset(); });
    size_t i = it == segments_.begin() ? 0 : size_t(it - segments_.begin()) - 1;

    // Locate the batch holding `offset`; past the end of its segment (a gap),
    // the next segment's first batch is the answer.
    uint64_t pos = 0;
    for (; i < segments_.size(); ++i) {
        if (auto loc = segments_[i]->find_batch(offset)) {
            pos = loc->position;
            break;
        }
    }

    bool stop = false;
    for (; i < segments_.size() && !stop; ++i, pos = 0) {
        const auto& seg = segments_[i];
        uint64_t run_start = pos, run_len = 0;
        seg->for_each_batch(pos, [&](uint64_t p, const batch_header& h) {
            if (h.last_offset() >= upper_bound) {
                stop = true;
                return false;
            }
            uint64_t t = h.total_size();
            if (out.size + t > max_bytes && !(min_one && out.size == 0)) {
                stop = true;
                return false;
            }
            if (run_len == 0) run_start = p;
            run_len += t;
            out.size += t;
            if (out.first_offset < 0) out.first_offset = h.base_offset;
            if (out.size >= max_bytes) {
                stop = true;
                return false;
            }
            return true;
        });
        if (run_len > 0)
            out.slices.push_back(
                {seg->fd(), run_start, uint32_t(run_len), std::shared_ptr<const void>(seg)});
    }
    return out;
}

std::optional<timestamp_offset> partition_log::offset_for_timestamp(int64_t ts) const {
    if (closed_) return std::nullopt;
    for (size_t i = 0; i < segments_.size(); ++i) {
        const auto& seg = segments_[i];
        int64_t end = i + 1 < segments_.size() ? segments_[i + 1]->base_offset() : log_end_offset_;
        if (end <= log_start_offset_ || seg->max_timestamp() < ts) continue;
        if (auto r = seg->find_by_timestamp(ts, log_start_offset_))
            return timestamp_offset{r->timestamp, r->offset};
    }
    return std::nullopt;
}

std::optional<timestamp_offset> partition_log::max_timestamp() const {
    if (closed_) return std::nullopt;
    const segment* best = nullptr;
    for (auto& s : segments_)
        if (s->max_timestamp() >= 0 && (!best || s->max_timestamp() > best->max_timestamp()))
            best = s.get();
    if (!best) return std::nullopt;
    auto r = best->find_max_timestamp();
    if (!r) return std::nullopt;
    return timestamp_offset{r->timestamp, r->offset};
}

uint64_t partition_log::size_bytes() const {
    uint64_t n = 0;
    for (auto& s : segments_) n += s->size();
    return n;
}

size_t partition_log::segment_count() const { return segments_.size(); }

// ---------------------------------------------------------------- deletion

void partition_log::delete_oldest_segment() {
    auto seg = segments_.front();
    segments_.erase(segments_.begin());
    seg->delete_files();
    log_start_offset_ = std::max(log_start_offset_, segments_.front()->base_offset());
    dir_dirty_ = true;
}

int64_t partition_log::delete_records_before(int64_t offset) {
    check_open();
    log_start_offset_ = std::max(log_start_offset_, std::min(offset, log_end_offset_));
    while (segments_.size() > 1 && segments_[1]->base_offset() <= log_start_offset_)
        delete_oldest_segment();
    delete_producer_snapshots_below(log_start_offset_);
    return log_start_offset_;
}

int partition_log::apply_retention(int64_t now_ms) {
    if (closed_) return 0;
    int deleted = 0;
    if (cfg_.retention_ms >= 0) {
        while (segments_.size() > 1 &&
               now_ms - segments_.front()->largest_timestamp() > cfg_.retention_ms) {
            delete_oldest_segment();
            ++deleted;
        }
    }
    if (cfg_.retention_bytes >= 0) {
        // Kafka: delete while the log exceeds retention.bytes by a whole segment.
        int64_t excess = int64_t(size_bytes()) - cfg_.retention_bytes;
        while (segments_.size() > 1 && excess - int64_t(segments_.front()->size()) >= 0) {
            excess -= int64_t(segments_.front()->size());
            delete_oldest_segment();
            ++deleted;
        }
    }
    // Segments wholly below the log start offset (DeleteRecords).
    while (segments_.size() > 1 && segments_[1]->base_offset() <= log_start_offset_) {
        delete_oldest_segment();
        ++deleted;
    }
    delete_producer_snapshots_below(log_start_offset_);
    if (deleted > 0)
        spdlog::info("{}: retention deleted {} segment(s); log start offset {}", dir_.string(),
                     deleted, log_start_offset_);
    return deleted;
}

// ---------------------------------------------------------------- shutdown

void partition_log::close() {
    if (closed_) return;
    active()->seal();
    for (auto& s : sealed_unsynced_) s->sync();
    for (size_t i = 0; i < segments_.size(); ++i) {
        int64_t end = i + 1 < segments_.size() ? segments_[i + 1]->base_offset() : log_end_offset_;
        if (end > flushed_offset_ || i + 1 == segments_.size()) segments_[i]->sync();
    }
    sealed_unsynced_.clear();
    if (dir_dirty_) fsync_directory(dir_);
    dir_dirty_ = false;
    flushed_offset_ = log_end_offset_;
    first_unflushed_ms_ = -1;
    // A clean reopen replays nothing. An idle partition already has its
    // snapshot at the end (from the last close or open): not written again, so a
    // stop costs no fsyncs per partition that took no writes.
    if (snapshots_.empty() || snapshots_.back() != log_end_offset_)
        take_producer_snapshot(log_end_offset_);
    dir_dirty_ = false;  // old snapshots' unlinks need no fsync
    closed_ = true;
    segments_.clear();
}

void partition_log::remove() {
    closed_ = true;
    segments_.clear();
    sealed_unsynced_.clear();  // in-flight reads keep their pinned descriptors
    std::error_code ec;
    fs::remove_all(dir_, ec);
    if (ec) throw std::system_error(ec, "remove log directory " + dir_.string());
}

}  // namespace sluice::storage
