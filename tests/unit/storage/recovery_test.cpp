#include "storage/offset_index.h"
#include "storage/time_index.h"
#include "storage_test_support.h"

#include <fcntl.h>

using namespace sluice;
using namespace sluice::storage;
using namespace sluice::storage::test;

namespace {

// A log of `batches` batches of 3 records (timestamps 1000 + 10*i), rolled every
// `per_segment` batches, with an index entry before every batch but the first
// of each segment. Returns the config used.
log_config fill(const fs::path& dir, int batches, int per_segment) {
    auto cfg = small_config();
    cfg.index_interval_bytes = 0;
    cfg.segment_bytes = uint64_t(per_segment) * make_batch(3).size();
    auto log = open_log(dir, cfg);
    for (int i = 0; i < batches; ++i) append_batch(*log, make_batch(3, 1000 + 10 * i), 1000);
    log->close();
    return cfg;
}

// Drops the log without close(): the files stay as a crash would leave them
// (indexes preallocated, no final time-index entry).
log_config fill_and_crash(const fs::path& dir, int batches, int per_segment) {
    auto cfg = small_config();
    cfg.index_interval_bytes = 0;
    cfg.segment_bytes = uint64_t(per_segment) * make_batch(3).size();
    auto log = open_log(dir, cfg);
    for (int i = 0; i < batches; ++i) append_batch(*log, make_batch(3, 1000 + 10 * i), 1000);
    return cfg;
}

void truncate_file(const fs::path& p, uint64_t size) { fs::resize_file(p, size); }

std::vector<int64_t> all_offsets(const partition_log& log) {
    return record_offsets(
        slurp(log.read(log.log_start_offset(), 1 << 30, log.log_end_offset(), false)));
}

}  // namespace

TEST_CASE("clean reopen trusts the indexes and scans nothing", "[recovery]") {
    temp_dir tmp;
    auto dir = tmp.path / "t-0";
    auto cfg = fill(dir, 10, 4);  // segments at 0, 12, 24
    auto index_before = read_file(segment_file(dir, 12, ".index"));
    auto log = open_log(dir, cfg, 30, true);
    CHECK(log->recovery().segments_scanned == 0);
    CHECK(log->segment_count() == 3);
    CHECK(log->log_end_offset() == 30);
    CHECK(log->flushed_offset() == 30);
    CHECK(all_offsets(*log) == range(0, 30));
    CHECK(read_file(segment_file(dir, 12, ".index")) == index_before);
    // Per-segment timestamps come back from the time indexes.
    CHECK(log->max_timestamp()->offset == 27);  // first record of the newest batch
    CHECK(log->max_timestamp()->timestamp == 1090);
    CHECK(log->offset_for_timestamp(1045)->offset == 15);
    // The active segment is preallocated again and appends continue.
    CHECK(fs::file_size(segment_file(dir, 24, ".index")) == 4096);
    CHECK(append_batch(*log, make_batch(2)).base_offset == 30);
    CHECK(all_offsets(*log) == range(0, 32));
}

TEST_CASE("clean reopen with a missing index rebuilds just that segment", "[recovery]") {
    temp_dir tmp;
    auto dir = tmp.path / "t-0";
    auto cfg = fill(dir, 10, 4);
    auto index_before = read_file(segment_file(dir, 12, ".index"));
    fs::remove(segment_file(dir, 12, ".index"));
    auto log = open_log(dir, cfg, 30, true);
    CHECK(log->recovery().segments_scanned == 1);
    CHECK(read_file(segment_file(dir, 12, ".index")) == index_before);
    CHECK(all_offsets(*log) == range(0, 30));
}

TEST_CASE("unclean reopen scans from the recovery point and keeps every batch", "[recovery]") {
    temp_dir tmp;
    auto dir = tmp.path / "t-0";
    auto clean_dir = tmp.path / "u-0";
    fill(clean_dir, 10, 4);  // the same data, closed cleanly, for comparison
    auto cfg = fill_and_crash(dir, 10, 4);
    // The crashed active index is still preallocated with trailing zeros.
    CHECK(fs::file_size(segment_file(dir, 24, ".index")) == 4096);

    SECTION("recovery point 0 scans every segment") {
        auto log = open_log(dir, cfg, 0, false);
        CHECK(log->recovery().segments_scanned == 3);
        CHECK(log->recovery().bytes_truncated == 0);
        CHECK(log->log_end_offset() == 30);
        CHECK(all_offsets(*log) == range(0, 30));
        log->close();
        for (int64_t base : {0, 12, 24}) {
            CHECK(read_file(segment_file(dir, base, ".index")) ==
                  read_file(segment_file(clean_dir, base, ".index")));
            CHECK(read_file(segment_file(dir, base, ".timeindex")) ==
                  read_file(segment_file(clean_dir, base, ".timeindex")));
        }
    }
    SECTION("a recovery point inside the second segment skips the first") {
        auto log = open_log(dir, cfg, 13, false);
        CHECK(log->recovery().segments_scanned == 2);
        CHECK(all_offsets(*log) == range(0, 30));
    }
    SECTION("a recovery point at the end still scans the last segment") {
        auto log = open_log(dir, cfg, 30, false);
        CHECK(log->recovery().segments_scanned == 1);
        CHECK(log->log_end_offset() == 30);
    }
    SECTION("an unclean open of the preallocated index finds its real entries") {
        offset_index idx(segment_file(dir, 24, ".index"), 24);
        CHECK(idx.entries() == 1);  // one entry: the batch at 27
        CHECK(idx.at(0).offset == 27);
    }
}

TEST_CASE("a tail cut mid-batch is truncated to the last whole batch", "[recovery]") {
    temp_dir tmp;
    auto dir = tmp.path / "t-0";
    auto cfg = fill_and_crash(dir, 5, 100);  // one segment, 5 batches, offsets 0..14
    auto log_file = segment_file(dir, 0, ".log");
    const uint64_t s = make_batch(3).size();
    REQUIRE(fs::file_size(log_file) == 5 * s);
    truncate_file(log_file, 5 * s - 3);

    auto log = open_log(dir, cfg, 0, false);
    CHECK(log->recovery().segments_scanned == 1);
    CHECK(log->recovery().bytes_truncated == int64_t(s - 3));
    CHECK(log->log_end_offset() == 12);
    CHECK(fs::file_size(log_file) == 4 * s);
    CHECK(all_offsets(*log) == range(0, 12));
    CHECK(append_batch(*log, make_batch(2)).base_offset == 12);
    CHECK(all_offsets(*log) == range(0, 14));
}

TEST_CASE("a torn header (fewer than 61 bytes) is cut", "[recovery]") {
    temp_dir tmp;
    auto dir = tmp.path / "t-0";
    auto cfg = fill_and_crash(dir, 3, 100);
    auto log_file = segment_file(dir, 0, ".log");
    const uint64_t s = make_batch(3).size();
    truncate_file(log_file, 2 * s + 20);
    auto log = open_log(dir, cfg, 0, false);
    CHECK(log->log_end_offset() == 6);
    CHECK(log->recovery().bytes_truncated == 20);
}

TEST_CASE("a corrupt byte in the last batch fails its CRC and the batch is cut", "[recovery]") {
    temp_dir tmp;
    auto dir = tmp.path / "t-0";
    auto cfg = fill_and_crash(dir, 5, 100);
    auto log_file = segment_file(dir, 0, ".log");
    const uint64_t s = make_batch(3).size();
    flip_byte(log_file, 5 * s - 2);  // inside the last batch's records

    auto log = open_log(dir, cfg, 0, false);
    CHECK(log->recovery().bytes_truncated == int64_t(s));
    CHECK(log->log_end_offset() == 12);
    CHECK(all_offsets(*log) == range(0, 12));
    CHECK(append_batch(*log, make_batch(1)).base_offset == 12);
}

TEST_CASE("corruption in an earlier segment drops everything after it", "[recovery]") {
    temp_dir tmp;
    auto dir = tmp.path / "t-0";
    auto cfg = fill_and_crash(dir, 10, 4);  // segments 0 (4 batches), 12, 24
    const uint64_t s = make_batch(3).size();
    flip_byte(segment_file(dir, 12, ".log"),
              2 * s + 30);  // third batch of segment 12: offsets 18..20

    auto log = open_log(dir, cfg, 0, false);
    CHECK(log->log_end_offset() == 18);
    CHECK(log->segment_count() == 2);
    CHECK(segment_bases_on_disk(dir) == std::vector<int64_t>{0, 12});
    CHECK(log->recovery().bytes_truncated == int64_t(2 * s + 2 * s));
    CHECK(all_offsets(*log) == range(0, 18));
    CHECK(append_batch(*log, make_batch(1)).base_offset == 18);
}

TEST_CASE("recovery removes stray files and orphan indexes", "[recovery]") {
    temp_dir tmp;
    auto dir = tmp.path / "t-0";
    auto cfg = fill(dir, 2, 100);
    for (auto name : {"00000000000000000000.log.deleted", "00000000000000000007.log.cleaned",
                      "00000000000000000009.log.swap", "00000000000000000050.index"})
        std::ofstream(dir / name) << "junk";
    auto log = open_log(dir, cfg, 6, true);
    CHECK_FALSE(fs::exists(dir / "00000000000000000000.log.deleted"));
    CHECK_FALSE(fs::exists(dir / "00000000000000000007.log.cleaned"));
    CHECK_FALSE(fs::exists(dir / "00000000000000000009.log.swap"));
    CHECK_FALSE(fs::exists(dir / "00000000000000000050.index"));
    CHECK(log->log_end_offset() == 6);
}

TEST_CASE("preallocated indexes are trimmed on close", "[recovery][index]") {
    temp_dir tmp;
    auto dir = tmp.path / "t-0";
    auto cfg = small_config();
    cfg.segment_index_bytes = 1001;  // rounds down to whole entries
    cfg.index_interval_bytes = 0;
    auto log = open_log(dir, cfg);
    for (int i = 0; i < 4; ++i) append_batch(*log, make_batch(1, 100 + i));
    CHECK(fs::file_size(segment_file(dir, 0, ".index")) == 1000);
    CHECK(fs::file_size(segment_file(dir, 0, ".timeindex")) == 996);
    log->close();
    CHECK(fs::file_size(segment_file(dir, 0, ".index")) == 3 * offset_index::entry_bytes);
    CHECK(fs::file_size(segment_file(dir, 0, ".timeindex")) == 3 * time_index::entry_bytes);
    CHECK(log->flushed_offset() == 4);
    CHECK(log->read(0, 1 << 20, 4, true).slices.empty());
    CHECK_THROWS_AS(append_batch(*log, make_batch(1)), std::logic_error);
}

TEST_CASE("a log start offset past the recovered end starts the log there", "[recovery]") {
    temp_dir tmp;
    auto dir = tmp.path / "t-0";
    auto cfg = fill(dir, 2, 100);  // offsets 0..5
    auto log = open_log(dir, cfg, 6, true, 40);
    CHECK(log->log_start_offset() == 40);
    CHECK(log->log_end_offset() == 40);
    CHECK(segment_bases_on_disk(dir) == std::vector<int64_t>{40});
    CHECK(append_batch(*log, make_batch(1)).base_offset == 40);
}

TEST_CASE("a new log starts at the log start offset hint", "[recovery]") {
    temp_dir tmp;
    auto log = open_log(tmp.path / "t-0", small_config(), 0, false, 7);
    CHECK(log->log_start_offset() == 7);
    CHECK(log->log_end_offset() == 7);
    CHECK(append_batch(*log, make_batch(2)).base_offset == 7);
}
