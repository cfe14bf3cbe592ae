#include "storage/offset_index.h"
#include "storage/time_index.h"
#include "storage_test_support.h"

#include <algorithm>
#include <climits>

using namespace sluice;
using namespace sluice::storage;
using namespace sluice::storage::test;

TEST_CASE("append assigns offsets and rewrites base offset and leader epoch", "[partition_log]") {
    temp_dir tmp;
    auto log = open_log(tmp.path / "t-0");
    REQUIRE(log->log_end_offset() == 0);
    REQUIRE(log->segment_count() == 1);

    auto r1 = append_batch(*log, make_batch(5), 1000, 7);
    auto r2 = append_batch(*log, make_batch(3), 1000, 7);
    auto r3 = append_batch(*log, make_batch(1), 1000, 8);
    CHECK(r1.base_offset == 0);
    CHECK(r1.last_offset == 4);
    CHECK(r2.base_offset == 5);
    CHECK(r2.last_offset == 7);
    CHECK(r3.base_offset == 8);
    CHECK(r3.last_offset == 8);
    CHECK(r1.log_append_time == -1);
    CHECK(log->log_end_offset() == 9);

    auto rr = log->read(0, 1 << 20, log->log_end_offset(), false);
    auto data = slurp(rr);
    CHECK(rr.size == data.size());
    CHECK(rr.first_offset == 0);
    auto hs = batches_in(data);  // also checks every CRC survived the rewrite
    REQUIRE(hs.size() == 3);
    CHECK(hs[0].base_offset == 0);
    CHECK(hs[1].base_offset == 5);
    CHECK(hs[2].base_offset == 8);
    CHECK(hs[0].partition_leader_epoch == 7);
    CHECK(hs[2].partition_leader_epoch == 8);
    CHECK(record_offsets(data) == range(0, 9));
    // The .log file holds exactly the appended bytes.
    CHECK(read_file(segment_file(log->dir(), 0, ".log")) == data);
}

TEST_CASE("read starts at the batch holding the offset and honours the limits", "[partition_log]") {
    temp_dir tmp;
    auto log = open_log(tmp.path / "t-0");
    for (int i = 0; i < 3; ++i) append_batch(*log, make_batch(5));
    const uint64_t batch_size = make_batch(5).size();
    const int64_t leo = log->log_end_offset();
    REQUIRE(leo == 15);

    SECTION("from the middle of a batch") {
        auto r = log->read(7, 1 << 20, leo, false);
        CHECK(r.first_offset == 5);
        CHECK(record_offsets(slurp(r)) == range(5, 15));
    }
    SECTION("max_bytes stops before a batch that does not fit") {
        auto r = log->read(0, batch_size + 1, leo, false);
        CHECK(r.size == batch_size);
        CHECK(record_offsets(slurp(r)) == range(0, 5));
        auto two = log->read(0, 2 * batch_size, leo, false);
        CHECK(two.size == 2 * batch_size);
    }
    SECTION("min_one returns one whole batch bigger than max_bytes") {
        auto r = log->read(3, 10, leo, true);
        CHECK(r.size == batch_size);
        CHECK(record_offsets(slurp(r)) == range(0, 5));
        CHECK(log->read(3, 10, leo, false).slices.empty());
    }
    SECTION("upper_bound returns only batches wholly below it") {
        CHECK(record_offsets(slurp(log->read(0, 1 << 20, 12, false))) == range(0, 10));
        CHECK(record_offsets(slurp(log->read(0, 1 << 20, 10, false))) == range(0, 10));
        CHECK(record_offsets(slurp(log->read(0, 1 << 20, 9, false))) == range(0, 5));
        CHECK(log->read(0, 1 << 20, 4, true).slices.empty());
    }
    SECTION("offsets outside the log give nothing") {
        CHECK(log->read(15, 1 << 20, 100, true).slices.empty());
        CHECK(log->read(-1, 1 << 20, 100, true).slices.empty());
        CHECK(log->read(99, 1 << 20, 100, true).slices.empty());
    }
}

TEST_CASE("segments roll on segment.bytes and reads cross them", "[partition_log]") {
    temp_dir tmp;
    auto cfg = small_config();
    const uint64_t batch_size = make_batch(4).size();
    cfg.segment_bytes = 3 * batch_size;  // three batches per segment
    auto log = open_log(tmp.path / "t-0", cfg);
    for (int i = 0; i < 8; ++i) append_batch(*log, make_batch(4));
    CHECK(log->segment_count() == 3);
    CHECK(segment_bases_on_disk(log->dir()) == std::vector<int64_t>{0, 12, 24});
    CHECK(log->size_bytes() == 8 * batch_size);
    // A sealed segment's indexes are trimmed on roll.
    CHECK(fs::file_size(segment_file(log->dir(), 0, ".index")) == 0);
    CHECK(fs::file_size(segment_file(log->dir(), 0, ".timeindex")) == time_index::entry_bytes);
    CHECK(fs::file_size(segment_file(log->dir(), 24, ".index")) == 4096);

    auto all = log->read(0, 1 << 20, log->log_end_offset(), false);
    CHECK(all.slices.size() == 3);
    CHECK(record_offsets(slurp(all)) == range(0, 32));
    auto mid = log->read(13, 1 << 20, log->log_end_offset(), false);
    CHECK(mid.first_offset == 12);
    CHECK(record_offsets(slurp(mid)) == range(12, 32));
    // Limited read that continues into the next segment.
    auto cross = log->read(8, 2 * batch_size, log->log_end_offset(), false);
    CHECK(cross.slices.size() == 2);
    CHECK(record_offsets(slurp(cross)) == range(8, 16));
}

TEST_CASE("segments roll on segment.ms, measured from the first append", "[partition_log]") {
    temp_dir tmp;
    auto cfg = small_config();
    cfg.segment_ms = 1000;
    auto log = open_log(tmp.path / "t-0", cfg);
    append_batch(*log, make_batch(1), 10'000);
    append_batch(*log, make_batch(1), 10'900);
    append_batch(*log, make_batch(1), 11'000);  // exactly segment.ms old: not yet
    CHECK(log->segment_count() == 1);
    append_batch(*log, make_batch(1), 11'001);
    CHECK(log->segment_count() == 2);
    CHECK(segment_bases_on_disk(log->dir()) == std::vector<int64_t>{0, 3});
    append_batch(*log, make_batch(1), 11'500);  // the new segment started at 11'001
    CHECK(log->segment_count() == 2);
    append_batch(*log, make_batch(1), 12'002);
    CHECK(log->segment_count() == 3);
}

TEST_CASE("offset index gets an entry every index.interval.bytes", "[partition_log][index]") {
    temp_dir tmp;
    auto cfg = small_config();
    const uint32_t s = uint32_t(make_batch(1).size());
    cfg.index_interval_bytes = 3 * s - 1;  // an entry before every third batch
    auto log = open_log(tmp.path / "t-0", cfg);
    for (int i = 0; i < 10; ++i) append_batch(*log, make_batch(1));

    // The active index is preallocated; another reader finds its real entries.
    offset_index live(segment_file(log->dir(), 0, ".index"), 0);
    CHECK(live.file_length() == 4096);
    REQUIRE(live.entries() == 3);
    CHECK(live.at(0) == offset_index::entry{3, 3 * s});
    CHECK(live.at(1) == offset_index::entry{6, 6 * s});
    CHECK(live.at(2) == offset_index::entry{9, 9 * s});
    CHECK(live.lookup(2) == offset_index::entry{0, 0});
    CHECK(live.lookup(3) == offset_index::entry{3, 3 * s});
    CHECK(live.lookup(5) == offset_index::entry{3, 3 * s});
    CHECK(live.lookup(7) == offset_index::entry{6, 6 * s});
    CHECK(live.lookup(1000) == offset_index::entry{9, 9 * s});

    // Reads through the index land on the right batch.
    for (int64_t o = 0; o < 10; ++o) {
        auto r = log->read(o, s, 10, false);
        REQUIRE(r.slices.size() == 1);
        CHECK(r.slices[0].position == uint64_t(o) * s);
        CHECK(r.first_offset == o);
    }

    log->close();
    CHECK(fs::file_size(segment_file(tmp.path / "t-0", 0, ".index")) ==
          3 * offset_index::entry_bytes);
}

TEST_CASE("index_interval_bytes 0 indexes every batch but the first", "[partition_log][index]") {
    temp_dir tmp;
    auto cfg = small_config();
    cfg.index_interval_bytes = 0;
    auto log = open_log(tmp.path / "t-0", cfg);
    for (int i = 0; i < 5; ++i) append_batch(*log, make_batch(2));
    log->close();
    offset_index idx(segment_file(tmp.path / "t-0", 0, ".index"), 0);
    REQUIRE(idx.entries() == 4);
    CHECK(idx.at(0).offset == 2);
    CHECK(idx.at(3).offset == 8);
}

TEST_CASE("time index, offset_for_timestamp and max_timestamp", "[partition_log][time]") {
    temp_dir tmp;
    auto cfg = small_config();
    cfg.index_interval_bytes = 0;
    auto log = open_log(tmp.path / "t-0", cfg);
    append_batch(*log, make_batch({100, 110, 120}));  // offsets 0..2
    append_batch(*log, make_batch({130, 125, 140}));  // offsets 3..5
    append_batch(*log, make_batch({90, 200, 150}));   // offsets 6..8
    append_batch(*log, make_batch({160, 170}));       // offsets 9..10

    auto at = [&](int64_t ts) { return log->offset_for_timestamp(ts); };
    REQUIRE(at(0));
    CHECK(at(0)->offset == 0);
    CHECK(at(0)->timestamp == 100);
    CHECK(at(105)->offset == 1);
    CHECK(at(105)->timestamp == 110);
    CHECK(at(120)->offset == 2);
    CHECK(at(126)->offset == 3);
    CHECK(at(126)->timestamp == 130);
    CHECK(at(135)->offset == 5);
    CHECK(at(141)->offset == 7);
    CHECK(at(141)->timestamp == 200);
    CHECK(at(200)->offset == 7);
    CHECK_FALSE(at(201));

    auto mx = log->max_timestamp();
    REQUIRE(mx);
    CHECK(mx->timestamp == 200);
    CHECK(mx->offset == 7);

    // The time index holds the max-so-far as it grew: (140, 5) then (200, 8).
    log->close();
    time_index ti(segment_file(tmp.path / "t-0", 0, ".timeindex"), 0);
    REQUIRE(ti.entries() == 2);
    CHECK(ti.at(0) == time_index::entry{140, 5});
    CHECK(ti.at(1) == time_index::entry{200, 8});
    CHECK(ti.lookup(150) == time_index::entry{140, 5});
    CHECK(ti.lookup(99) == time_index::entry{-1, 0});
    CHECK(ti.last_before(200) == time_index::entry{140, 5});
    CHECK_FALSE(ti.last_before(140));
}

TEST_CASE("offset_for_timestamp across segments and above the log start", "[partition_log][time]") {
    temp_dir tmp;
    auto cfg = small_config();
    cfg.segment_bytes = 1;  // every batch its own segment
    cfg.index_interval_bytes = 0;
    auto log = open_log(tmp.path / "t-0", cfg);
    append_batch(*log, make_batch({1000, 1001}));  // 0..1
    append_batch(*log, make_batch({2000, 900}));   // 2..3
    append_batch(*log, make_batch({3000, 3001}));  // 4..5
    REQUIRE(log->segment_count() == 3);
    CHECK(log->offset_for_timestamp(1500)->offset == 2);
    CHECK(log->offset_for_timestamp(2001)->offset == 4);
    CHECK(log->max_timestamp()->offset == 5);
    log->delete_records_before(3);
    CHECK(log->log_start_offset() == 3);
    // Record 3 (ts 900) is the first at or above the start; 2000 at offset 2 is gone.
    CHECK(log->offset_for_timestamp(0)->offset == 3);
    CHECK(log->offset_for_timestamp(1500)->offset == 4);
}

TEST_CASE("LogAppendTime stamps batches with the append time", "[partition_log][time]") {
    temp_dir tmp;
    auto cfg = small_config();
    cfg.log_append_time = true;
    auto log = open_log(tmp.path / "t-0", cfg);
    auto r = append_batch(*log, make_batch({5, 6, 7}), 50'000);
    append_batch(*log, make_batch(std::vector<int64_t>{8}), 60'000);
    CHECK(r.log_append_time == 50'000);
    auto hs = batches_in(slurp(log->read(0, 1 << 20, 10, false)));
    REQUIRE(hs.size() == 2);
    CHECK(hs[0].log_append_time());
    CHECK(hs[0].max_timestamp == 50'000);
    CHECK(log->offset_for_timestamp(40'000)->offset == 0);
    CHECK(log->offset_for_timestamp(55'000)->offset == 3);
    CHECK(log->offset_for_timestamp(55'000)->timestamp == 60'000);
    CHECK(log->max_timestamp()->offset == 3);
}

TEST_CASE("retention by time deletes old segments but never the active one",
          "[partition_log][retention]") {
    temp_dir tmp;
    auto cfg = small_config();
    cfg.segment_bytes = 1;
    auto log = open_log(tmp.path / "t-0", cfg);
    for (int64_t ts : {1000, 2000, 3000, 4000}) append_batch(*log, make_batch({ts, ts}));
    REQUIRE(log->segment_count() == 4);
    cfg.retention_ms = 1500;
    log->set_config(cfg);
    CHECK(log->apply_retention(4000) == 2);  // 1000 and 2000 are > 1500 ms old
    CHECK(log->segment_count() == 2);
    CHECK(log->log_start_offset() == 4);
    CHECK(segment_bases_on_disk(log->dir()) == std::vector<int64_t>{4, 6});
    CHECK(log->read(2, 1 << 20, 8, true).slices.empty());
    CHECK(record_offsets(slurp(log->read(4, 1 << 20, 8, true))) == range(4, 8));
    CHECK(log->apply_retention(4000) == 0);
    CHECK(log->apply_retention(1'000'000) == 1);  // the active segment stays
    CHECK(log->segment_count() == 1);
    CHECK(log->log_start_offset() == 6);
    CHECK(log->log_end_offset() == 8);
}

TEST_CASE("retention by size deletes while a whole segment's worth is over",
          "[partition_log][retention]") {
    temp_dir tmp;
    auto cfg = small_config();
    cfg.segment_bytes = 1;
    auto log = open_log(tmp.path / "t-0", cfg);
    for (int i = 0; i < 5; ++i) append_batch(*log, make_batch(1));
    const int64_t s = int64_t(make_batch(1).size());
    cfg.retention_bytes = 2 * s + 1;  // 5s total: over by 3s-1, so two segments go
    log->set_config(cfg);
    CHECK(log->apply_retention(1000) == 2);
    CHECK(log->size_bytes() == uint64_t(3 * s));
    CHECK(log->log_start_offset() == 2);
    CHECK(log->apply_retention(1000) == 0);
    cfg.retention_bytes = 2 * s;  // over by exactly one segment: it goes
    log->set_config(cfg);
    CHECK(log->apply_retention(1000) == 1);
    CHECK(log->size_bytes() == uint64_t(2 * s));
    cfg.retention_bytes = 0;
    log->set_config(cfg);
    CHECK(log->apply_retention(1000) == 1);
    CHECK(log->segment_count() == 1);
}

TEST_CASE("delete_records_before moves the log start and drops whole segments", "[partition_log]") {
    temp_dir tmp;
    auto cfg = small_config();
    cfg.segment_bytes = 1;
    auto log = open_log(tmp.path / "t-0", cfg);
    for (int i = 0; i < 4; ++i) append_batch(*log, make_batch(5));  // 0-4 5-9 10-14 15-19
    CHECK(log->delete_records_before(7) == 7);
    CHECK(segment_bases_on_disk(log->dir()) == std::vector<int64_t>{5, 10, 15});
    CHECK(log->read(5, 1 << 20, 20, true).slices.empty());
    auto r = log->read(7, 1 << 20, 20, false);
    CHECK(r.first_offset == 5);                    // whole batches: the client skips 5 and 6
    CHECK(log->delete_records_before(3) == 7);     // never backwards
    CHECK(log->delete_records_before(100) == 20);  // clamped to the end
    CHECK(log->segment_count() == 1);
    CHECK(log->log_start_offset() == 20);
    CHECK(append_batch(*log, make_batch(1)).base_offset == 20);
    CHECK(record_offsets(slurp(log->read(20, 1 << 20, 21, false))) == std::vector<int64_t>{20});
}

TEST_CASE("read results pin segments that retention deletes", "[partition_log][retention]") {
    temp_dir tmp;
    auto cfg = small_config();
    cfg.segment_bytes = 1;
    auto log = open_log(tmp.path / "t-0", cfg);
    append_batch(*log, make_batch(3));
    append_batch(*log, make_batch(3));
    auto r = log->read(0, 1 << 20, 6, false);
    auto before = slurp(r);
    log->delete_records_before(3);
    CHECK_FALSE(fs::exists(segment_file(log->dir(), 0, ".log")));
    CHECK(slurp(r) == before);
}

TEST_CASE("flush_due, prepare_flush and mark_flushed", "[partition_log][flush]") {
    temp_dir tmp;
    auto cfg = small_config();
    auto log = open_log(tmp.path / "t-0", cfg);
    CHECK_FALSE(log->flush_due(0));
    CHECK(log->prepare_flush().empty());

    SECTION("flush.messages=1 flushes every append") {
        append_batch(*log, make_batch(2));
        CHECK(log->flush_due(1000));
        auto job = log->prepare_flush();
        CHECK_FALSE(job.empty());
        CHECK(job.target_offset() == 2);
        append_batch(*log, make_batch(1));  // after the job was prepared
        CHECK(job.run());
        log->mark_flushed(job.target_offset(), 1001);
        CHECK(log->flushed_offset() == 2);
        CHECK(log->flush_due(1001));
        auto job2 = log->prepare_flush();
        CHECK(job2.run());
        log->mark_flushed(job2.target_offset(), 1002);
        CHECK(log->flushed_offset() == 3);
        CHECK_FALSE(log->flush_due(1002));
        CHECK(log->prepare_flush().empty());
    }
    SECTION("flush.messages counts unflushed messages") {
        cfg.flush_messages = 3;
        log->set_config(cfg);
        append_batch(*log, make_batch(2));
        CHECK_FALSE(log->flush_due(1000));
        append_batch(*log, make_batch(1));
        CHECK(log->flush_due(1000));
    }
    SECTION("flush.ms bounds how long data stays unflushed") {
        cfg.flush_messages = LLONG_MAX;
        cfg.flush_ms = 100;
        log->set_config(cfg);
        append_batch(*log, make_batch(1), 1000);
        append_batch(*log, make_batch(1), 1050);
        CHECK_FALSE(log->flush_due(1099));
        CHECK(log->flush_due(1100));
    }
    SECTION("a flush job outlives segments deleted while it waits") {
        cfg.segment_bytes = 1;
        log->set_config(cfg);
        append_batch(*log, make_batch(2));
        append_batch(*log, make_batch(2));
        auto job = log->prepare_flush();
        log->delete_records_before(2);
        CHECK(job.run());
        log->mark_flushed(job.target_offset(), 2000);
        CHECK(log->flushed_offset() == 4);
    }
}

TEST_CASE("append_exact keeps the given offsets", "[partition_log]") {
    temp_dir tmp;
    auto log = open_log(tmp.path / "t-0");
    protocol::batch_options opts;
    opts.base_offset = 100;
    opts.partition_leader_epoch = 4;
    std::vector<protocol::record> recs(3);
    for (auto& r : recs) r.value = protocol::bytes{1, 2, 3};
    auto b = protocol::build_batch(recs, opts);
    log->append_exact(b, 1000);
    CHECK(log->log_end_offset() == 103);
    auto r = log->read(50, 1 << 20, 103, false);  // a gap: the next batch answers
    CHECK(r.first_offset == 100);
    CHECK(batches_in(slurp(r))[0].partition_leader_epoch == 4);
    CHECK_THROWS_AS(log->append_exact(b, 1000), std::invalid_argument);
    opts.base_offset = 103 + (int64_t(1) << 32);  // too far for the current segment
    log->append_exact(protocol::build_batch(recs, opts), 1000);
    CHECK(log->segment_count() == 2);
    CHECK(log->log_end_offset() == opts.base_offset + 3);
    CHECK(append_batch(*log, make_batch(1)).base_offset == opts.base_offset + 3);
}

TEST_CASE("remove deletes the partition directory", "[partition_log]") {
    temp_dir tmp;
    auto log = open_log(tmp.path / "t-0");
    append_batch(*log, make_batch(1));
    log->remove();
    CHECK_FALSE(fs::exists(tmp.path / "t-0"));
}
