// partition_log and producer state: updates on append, snapshots on roll and
// close, rebuild on open (clean, unclean, torn tail, corrupt snapshot).

#include "storage/producer_state.h"
#include "storage_test_support.h"

#include <fcntl.h>

using namespace sluice;
using namespace sluice::storage;
using namespace sluice::storage::test;

namespace {

// One idempotent batch of `records` records.
protocol::bytes pbatch(int64_t pid, int16_t epoch, int32_t seq, int records = 2,
                       int64_t ts = 1000) {
    std::vector<protocol::record> recs;
    for (int i = 0; i < records; ++i) {
        protocol::record r;
        r.value = protocol::bytes(24, uint8_t('a' + i % 26));
        r.timestamp = ts;
        recs.push_back(std::move(r));
    }
    protocol::batch_options o;
    o.producer_id = pid;
    o.producer_epoch = epoch;
    o.base_sequence = seq;
    return protocol::build_batch(recs, o);
}

protocol::batch_header header_of(const protocol::bytes& b) {
    auto c = protocol::check_batches(b);
    REQUIRE(c.error == protocol::error_code::none);
    REQUIRE(c.batches.size() == 1);
    return c.batches[0];
}

// What the broker does: check, then append when accepted.
producer_check produce(partition_log& log, protocol::bytes b, int64_t now_ms = 1000) {
    auto h = header_of(b);
    auto verdict = log.producers().check(h);
    if (verdict.ok()) {
        auto r = log.append(std::span<uint8_t>(b), {h}, 0, now_ms);
        verdict.first_offset = r.base_offset;
        verdict.last_offset = r.last_offset;
    }
    return verdict;
}

log_config rolling_config(size_t batches_per_segment) {
    auto cfg = small_config();
    cfg.segment_bytes = batches_per_segment * pbatch(1, 0, 0).size();
    return cfg;
}

// Three producers, `rounds` batches each, interleaved; 2 records per batch.
void fill(partition_log& log, int rounds) {
    for (int r = 0; r < rounds; ++r)
        for (int64_t pid : {100, 200, 300}) REQUIRE(produce(log, pbatch(pid, 1, 2 * r)).ok());
}

std::vector<int64_t> snapshots_on_disk(const fs::path& dir) {
    std::vector<int64_t> out;
    for (auto& e : fs::directory_iterator(dir))
        if (auto off = parse_producer_snapshot_file_name(e.path().filename().string()))
            out.push_back(*off);
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace

TEST_CASE("append records producer batches with their assigned offsets", "[producer_log]") {
    temp_dir tmp;
    auto log = open_log(tmp.path / "t-0");
    REQUIRE(append_batch(*log, make_batch(3)).base_offset == 0);  // no producer id
    auto first = produce(*log, pbatch(7, 0, 0, 4));
    REQUIRE(first.ok());
    CHECK(first.first_offset == 3);
    CHECK(log->producers().size() == 1);
    const auto* e = log->producers().find(7);
    REQUIRE(e);
    REQUIRE(e->batches.size() == 1);
    CHECK(e->batches[0] == producer_batch{0, 3, 3, 6, 1000});

    auto dup = produce(*log, pbatch(7, 0, 0, 4));
    CHECK(dup.verdict == producer_verdict::duplicate);
    CHECK(dup.first_offset == 3);
    CHECK(dup.last_offset == 6);
    CHECK(log->log_end_offset() == 7);  // nothing appended
    CHECK(produce(*log, pbatch(7, 0, 5)).verdict == producer_verdict::out_of_order_sequence);
    CHECK(produce(*log, pbatch(7, 0, 4)).ok());

    // append_exact (replication) updates the state too.
    auto b = pbatch(9, 2, 10, 3);
    protocol::set_base_offset(b.data(), 20);
    log->append_exact(b, 1000);
    REQUIRE(log->producers().find(9));
    CHECK(log->producers().find(9)->batches[0] == producer_batch{10, 12, 20, 22, 1000});
}

TEST_CASE("close writes a snapshot and a clean reopen replays nothing", "[producer_log]") {
    temp_dir tmp;
    auto dir = tmp.path / "t-0";
    auto cfg = small_config();
    std::map<int64_t, producer_entry> before;
    {
        auto log = open_log(dir, cfg);
        fill(*log, 7);
        before = log->producers().entries();
        log->close();
        CHECK(snapshots_on_disk(dir) == std::vector<int64_t>{42});
    }
    auto log = open_log(dir, cfg, 42, true);
    CHECK(log->recovery().producer_snapshot_offset == 42);
    CHECK(log->recovery().producer_batches_replayed == 0);
    CHECK(log->producers().entries() == before);
    // Duplicate detection works across the restart, with the original offsets.
    auto dup = produce(*log, pbatch(200, 1, 12));
    CHECK(dup.verdict == producer_verdict::duplicate);
    CHECK(dup.first_offset == 38);
    CHECK(produce(*log, pbatch(200, 1, 4)).verdict == producer_verdict::duplicate);
    CHECK(produce(*log, pbatch(200, 1, 2)).verdict == producer_verdict::out_of_order_sequence);
    CHECK(produce(*log, pbatch(200, 0, 14)).verdict == producer_verdict::invalid_producer_epoch);
    CHECK(produce(*log, pbatch(200, 1, 14)).ok());
    // Messages name the partition.
    CHECK(produce(*log, pbatch(100, 1, 99)).message.find("in partition t-0") != std::string::npos);
}

TEST_CASE("closing a partition that took no writes does not rewrite its snapshot",
          "[producer_log]") {
    temp_dir tmp;
    auto dir = tmp.path / "t-0";
    auto cfg = small_config();
    {
        auto log = open_log(dir, cfg);
        fill(*log, 7);
        log->close();
    }
    auto path = producer_snapshot_path(dir, 42);
    auto written = fs::last_write_time(path);  // a rewrite renames a new file over it
    {
        auto log = open_log(dir, cfg, 42, true);
        log->close();
    }
    CHECK(snapshots_on_disk(dir) == std::vector<int64_t>{42});
    CHECK(fs::last_write_time(path) == written);
    {
        auto log = open_log(dir, cfg, 42, true);  // a write moves the end: a new snapshot
        REQUIRE(produce(*log, pbatch(987, 0, 0)).ok());
        log->close();
    }
    CHECK(snapshots_on_disk(dir).back() == 44);
}

TEST_CASE(
    "rolls write snapshots, the newest two are kept, an unclean reopen replays from the "
    "last one",
    "[producer_log]") {
    temp_dir tmp;
    auto dir = tmp.path / "t-0";
    auto cfg = rolling_config(4);  // 4 batches (8 offsets) per segment
    std::map<int64_t, producer_entry> before;
    {
        auto log = open_log(dir, cfg);
        fill(*log, 5);  // 15 batches: segments at 0, 8, 16, 24
        REQUIRE(segment_bases_on_disk(dir) == std::vector<int64_t>{0, 8, 16, 24});
        CHECK(snapshots_on_disk(dir) == std::vector<int64_t>{16, 24});
        before = log->producers().entries();
        auto job = log->prepare_flush();
        REQUIRE(job.run());
        log->mark_flushed(job.target_offset(), 1000);
        // Dropped without close(): as a crash leaves the files.
    }
    auto log = open_log(dir, cfg, 0, false);
    CHECK(log->log_end_offset() == 30);
    CHECK(log->recovery().producer_snapshot_offset == 24);
    CHECK(log->recovery().producer_batches_replayed == 3);
    CHECK(log->producers().entries() == before);
    // The rebuilt state was saved at the end, so the next crash replays nothing.
    CHECK(snapshots_on_disk(dir) == std::vector<int64_t>{24, 30});
    auto again = open_log(dir, cfg, 0, false);
    CHECK(again->recovery().producer_batches_replayed == 0);
    CHECK(again->producers().entries() == before);
}

TEST_CASE("without snapshots the state is rebuilt from the log start, headers only",
          "[producer_log]") {
    temp_dir tmp;
    auto dir = tmp.path / "t-0";
    auto cfg = rolling_config(4);
    std::map<int64_t, producer_entry> before;
    {
        auto log = open_log(dir, cfg);
        fill(*log, 5);
        // Big batches: the replay cost must follow batches, not records.
        REQUIRE(produce(*log, pbatch(400, 0, 0, 500)).ok());
        before = log->producers().entries();
        log->close();
    }
    for (auto off : snapshots_on_disk(dir)) fs::remove(producer_snapshot_path(dir, off));
    auto log = open_log(dir, cfg, 530, true);
    CHECK(log->recovery().producer_snapshot_offset == -1);
    CHECK(log->recovery().producer_batches_replayed == 16);
    CHECK(log->producers().entries() == before);
}

TEST_CASE("a corrupt newest snapshot is deleted and the older one used", "[producer_log]") {
    temp_dir tmp;
    auto dir = tmp.path / "t-0";
    auto cfg = rolling_config(4);
    std::map<int64_t, producer_entry> before;
    {
        auto log = open_log(dir, cfg);
        fill(*log, 5);
        before = log->producers().entries();
        log->close();
    }
    REQUIRE(snapshots_on_disk(dir) == std::vector<int64_t>{24, 30});

    SECTION("flipped byte") { flip_byte(producer_snapshot_path(dir, 30), 30); }
    SECTION("truncated") { fs::resize_file(producer_snapshot_path(dir, 30), 20); }
    SECTION("empty") { fs::resize_file(producer_snapshot_path(dir, 30), 0); }

    auto log = open_log(dir, cfg, 30, true);
    CHECK(log->recovery().producer_snapshot_offset == 24);
    CHECK(log->recovery().producer_batches_replayed == 3);
    CHECK(log->producers().entries() == before);
    CHECK(snapshots_on_disk(dir) == std::vector<int64_t>{24, 30});  // 30 rewritten after replay
    REQUIRE(producer_state::read_snapshot(dir, 30));
}

TEST_CASE("a torn tail drops the torn batch's producer metadata", "[producer_log]") {
    temp_dir tmp;
    auto dir = tmp.path / "t-0";
    auto cfg = rolling_config(4);
    {
        auto log = open_log(dir, cfg);
        fill(*log, 5);  // last batch: producer 300, seq 8..9 at offsets 28..29
        // Before the crash the re-send would be a duplicate.
        REQUIRE(log->producers().check(header_of(pbatch(300, 1, 8))).verdict ==
                producer_verdict::duplicate);
    }
    auto active = segment_file(dir, 24, ".log");
    fs::resize_file(active, fs::file_size(active) - 5);

    auto log = open_log(dir, cfg, 0, false);
    CHECK(log->recovery().bytes_truncated > 0);
    CHECK(log->log_end_offset() == 28);
    CHECK(log->recovery().producer_snapshot_offset == 24);
    CHECK(log->recovery().producer_batches_replayed == 2);
    REQUIRE(log->producers().find(300));
    CHECK(log->producers().find(300)->last_seq() == 7);
    auto resent = produce(*log, pbatch(300, 1, 8));
    CHECK(resent.verdict == producer_verdict::accept);
    CHECK(resent.first_offset == 28);
    // The batch before it survived and is still a duplicate.
    CHECK(produce(*log, pbatch(200, 1, 8)).verdict == producer_verdict::duplicate);
}

TEST_CASE("snapshots past the recovered end are deleted", "[producer_log]") {
    temp_dir tmp;
    auto dir = tmp.path / "t-0";
    auto cfg = rolling_config(4);
    {
        auto log = open_log(dir, cfg);
        fill(*log, 5);  // segments at 0, 8, 16, 24; snapshots 16, 24
    }
    // Corrupt the last batch of segment 8 (offsets 14..15): recovery cuts the log
    // at 14 and deletes the later segments.
    auto seg8 = segment_file(dir, 8, ".log");
    flip_byte(seg8, fs::file_size(seg8) - 3);

    auto log = open_log(dir, cfg, 0, false);
    REQUIRE(log->log_end_offset() == 14);
    CHECK(log->recovery().producer_snapshot_offset == -1);  // 16 and 24 are gone
    CHECK(log->recovery().producer_batches_replayed == 7);
    CHECK(snapshots_on_disk(dir) == std::vector<int64_t>{14});
    // Producer 200's batch at 14 was lost; 100's at 12 was not.
    CHECK(produce(*log, pbatch(100, 1, 4)).verdict == producer_verdict::duplicate);
    CHECK(produce(*log, pbatch(200, 1, 4)).verdict == producer_verdict::accept);
}

TEST_CASE("retention and DeleteRecords delete snapshots below the log start offset",
          "[producer_log]") {
    temp_dir tmp;
    auto dir = tmp.path / "t-0";
    auto cfg = rolling_config(4);
    cfg.retention_ms = -1;
    auto log = open_log(dir, cfg);
    fill(*log, 5);
    REQUIRE(snapshots_on_disk(dir) == std::vector<int64_t>{16, 24});

    CHECK(log->delete_records_before(17) == 17);
    CHECK(snapshots_on_disk(dir) == std::vector<int64_t>{24});
    cfg.retention_bytes = 0;
    log->set_config(cfg);
    CHECK(log->apply_retention(1000) == 1);
    CHECK(log->log_start_offset() == 24);
    CHECK(snapshots_on_disk(dir) == std::vector<int64_t>{24});
    CHECK(log->delete_records_before(26) == 26);
    CHECK(snapshots_on_disk(dir).empty());
    // The state itself is kept (Kafka 2.5+), so fencing and dedup go on.
    CHECK(log->producers().size() == 3);
    CHECK(produce(*log, pbatch(100, 0, 10)).verdict == producer_verdict::invalid_producer_epoch);

    log->close();
    auto reopened = open_log(dir, cfg, log->log_end_offset(), true, 26);
    CHECK(reopened->recovery().producer_snapshot_offset == 30);
    CHECK(reopened->producers().size() == 3);
}
