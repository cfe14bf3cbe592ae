// Log compaction (partition_log::compact, log_cleaner.h): retained records and
// offsets, tombstones, lags and the dirty ratio, the active segment, compressed,
// control, transactional and idempotent batches, the cleaner checkpoint, crash
// leftovers, recovery after compaction and reads pinned across a compaction.

#include "storage/durable_file.h"
#include "storage/log_cleaner.h"
#include "storage/producer_state.h"
#include "storage_test_support.h"

#include <fcntl.h>

#include <map>
#include <optional>
#include <string>
#include <tuple>

using namespace sluice;
using namespace sluice::storage;
using namespace sluice::storage::test;

namespace {

using opt_str = std::optional<std::string>;
using kv = std::pair<opt_str, opt_str>;  // key, value (nullopt value = tombstone)

protocol::bytes to_bytes(const std::string& s) { return protocol::bytes(s.begin(), s.end()); }
std::string to_string(protocol::byte_view b) {
    return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

protocol::bytes kbatch(const std::vector<kv>& recs, int64_t ts = 1000,
                       const protocol::batch_options& opts = {}) {
    std::vector<protocol::record> out;
    for (auto& [k, v] : recs) {
        protocol::record r;
        if (k) r.key = to_bytes(*k);
        if (v) r.value = to_bytes(*v);
        r.timestamp = ts;
        out.push_back(std::move(r));
    }
    return protocol::build_batch(out, opts);
}

struct rec {
    int64_t offset;
    opt_str key;
    opt_str value;
    bool operator==(const rec&) const = default;
};

std::ostream& operator<<(std::ostream& os, const rec& r) {
    return os << "{" << r.offset << " " << (r.key ? *r.key : "<null>") << "="
              << (r.value ? *r.value : "<null>") << "}";
}

// Every record the log serves, in order (CRCs checked by batches_in).
std::vector<rec> all_records(const partition_log& log) {
    auto r = log.read(log.log_start_offset(), 1u << 30, std::numeric_limits<int64_t>::max(), true);
    auto data = slurp(r);
    batches_in(data);
    std::vector<rec> out;
    size_t pos = 0;
    while (pos < data.size()) {
        auto h = protocol::parse_batch_header(protocol::byte_view(data).subspan(pos));
        protocol::for_each_record(
            protocol::byte_view(data).subspan(pos, h.total_size()),
            [&](const protocol::batch_header& bh, const protocol::record_view& v) {
                rec x{bh.base_offset + v.offset_delta, std::nullopt, std::nullopt};
                if (v.key) x.key = to_string(*v.key);
                if (v.value) x.value = to_string(*v.value);
                out.push_back(x);
            });
        pos += h.total_size();
    }
    return out;
}

std::vector<protocol::batch_header> all_batches(const partition_log& log) {
    auto r = log.read(log.log_start_offset(), 1u << 30, std::numeric_limits<int64_t>::max(), true);
    return batches_in(slurp(r));
}

// Every append after the first rolls: one batch per segment.
log_config one_batch_segments() {
    auto c = small_config();
    c.segment_bytes = 1;
    c.retention_ms = -1;
    return c;
}

compaction_config always() {
    compaction_config c;
    c.min_cleanable_dirty_ratio = 0.0;
    c.delete_retention_ms = 1000000;
    return c;
}

void add(partition_log& log, const std::vector<kv>& recs, int64_t ts = 1000,
         const protocol::batch_options& opts = {}) {
    append_batch(log, kbatch(recs, ts, opts), ts);
}

kv put(const std::string& k, const std::string& v) { return {k, v}; }
kv tomb(const std::string& k) { return {k, std::nullopt}; }

bool on_disk(const fs::path& p) { return fs::exists(p); }

}  // namespace

TEST_CASE("compaction keeps the latest value per key across segments, at their offsets",
          "[compaction]") {
    temp_dir d;
    auto log = open_log(d.path, one_batch_segments());
    add(*log, {put("a", "a1"), put("b", "b1")});          // 0, 1
    add(*log, {put("c", "c1"), put("a", "a2")});          // 2, 3
    add(*log, {put("b", "b2"), {std::nullopt, "n1"}});    // 4, 5 (null key kept)
    add(*log, {put("d", "d1")});                          // 6
    add(*log, {put("a", "a3")});                          // 7: active segment
    REQUIRE(log->segment_count() == 5);
    auto end = log->log_end_offset();

    auto r = log->compact(always(), 5000);
    CHECK(r.ran);
    // Segment 0 loses both records; segments 2, 4 and 6 hold only latest values
    // (a3 in the active segment does not count) and are left as they are.
    CHECK(r.segments_cleaned == 1);
    CHECK(r.records_removed == 2);  // a1 (a2 wins), b1 (b2 wins)
    CHECK(r.bytes_after < r.bytes_before);
    CHECK(log->log_end_offset() == end);
    CHECK(log->cleaner_checkpoint() == 7);

    std::vector<rec> want{{2, "c", "c1"}, {3, "a", "a2"}, {4, "b", "b2"},
                          {5, std::nullopt, "n1"}, {6, "d", "d1"}, {7, "a", "a3"}};
    CHECK(all_records(*log) == want);

    // Rewritten batches keep their base offset and offset range.
    auto hs = all_batches(*log);
    REQUIRE(hs.size() == 4);
    CHECK(hs[0].base_offset == 2);
    CHECK(hs[0].last_offset() == 3);
    CHECK(hs[0].record_count == 2);
    CHECK(hs[1].base_offset == 4);
    CHECK(hs[1].last_offset() == 5);
    CHECK(hs[1].record_count == 2);

    // Reads from a removed offset start at the next retained batch.
    auto rr = log->read(0, 1 << 20, 100, false);
    CHECK(rr.first_offset == 2);
    auto mid = log->read(3, 1 << 20, 100, false);
    CHECK(record_offsets(slurp(mid)) == std::vector<int64_t>{2, 3, 4, 5, 6, 7});
    // Timestamp lookups still work.
    auto ts = log->offset_for_timestamp(0);
    REQUIRE(ts);
    CHECK(ts->offset == 2);
}

TEST_CASE("compaction rewrites a batch keeping offset deltas and the last offset delta",
          "[compaction]") {
    temp_dir d;
    auto log = open_log(d.path, one_batch_segments());
    add(*log, {put("a", "1"), put("b", "1"), put("c", "1"), put("d", "1")});  // 0..3
    add(*log, {put("a", "2"), put("d", "2")});                                // 4, 5
    add(*log, {put("z", "z")});                                               // active
    REQUIRE(log->compact(always(), 5000).ran);
    auto hs = all_batches(*log);
    REQUIRE(hs.size() == 3);
    CHECK(hs[0].base_offset == 0);
    CHECK(hs[0].last_offset_delta == 3);  // still covers 0..3
    CHECK(hs[0].record_count == 2);
    auto recs = all_records(*log);
    REQUIRE(recs.size() == 5);
    CHECK(recs[0] == rec{1, "b", "1"});
    CHECK(recs[1] == rec{2, "c", "1"});
}

TEST_CASE("compaction merges small segments up to segment.bytes", "[compaction]") {
    temp_dir d;
    auto cfg = one_batch_segments();
    auto log = open_log(d.path, cfg);
    for (int i = 0; i < 8; ++i) add(*log, {put("k" + std::to_string(i % 4), "v" + std::to_string(i))}, 1000 + i);
    add(*log, {put("x", "x")}, 2000);  // active
    REQUIRE(log->segment_count() == 9);
    uint64_t one = kbatch({put("k0", "v0")}).size();

    SECTION("all into one") {
        cfg.segment_bytes = 1 << 20;
        log->set_config(cfg);
        auto r = log->compact(always(), 5000);
        CHECK(r.ran);
        CHECK(r.segments_cleaned == 8);
        CHECK(log->segment_count() == 2);
        CHECK(segment_bases_on_disk(d.path) == std::vector<int64_t>{0, 8});
    }
    SECTION("groups of at most two inputs") {
        cfg.segment_bytes = 2 * one;
        log->set_config(cfg);
        auto r = log->compact(always(), 5000);
        CHECK(r.ran);
        CHECK(log->segment_count() == 5);
        CHECK(segment_bases_on_disk(d.path) == std::vector<int64_t>{0, 2, 4, 6, 8});
    }
    std::vector<rec> want{{4, "k0", "v4"}, {5, "k1", "v5"}, {6, "k2", "v6"}, {7, "k3", "v7"},
                          {8, "x", "x"}};
    CHECK(all_records(*log) == want);
    auto ts = log->offset_for_timestamp(1003);
    REQUIRE(ts);
    CHECK(ts->offset == 4);
    CHECK(ts->timestamp == 1004);

    // The merged result survives a clean reopen and retention still works.
    log->close();
    auto cfg2 = cfg;
    cfg2.retention_ms = 100;
    auto again = open_log(d.path, cfg2, log->log_end_offset(), true);
    CHECK(all_records(*again) == want);
    CHECK(again->apply_retention(3000) >= 1);
    CHECK(again->log_start_offset() == 8);
}

TEST_CASE("tombstones stay until delete.retention.ms, then go", "[compaction]") {
    temp_dir d;
    auto log = open_log(d.path, one_batch_segments());
    add(*log, {put("a", "1"), put("b", "1")}, 1000);  // 0, 1
    add(*log, {tomb("a")}, 2000);                     // 2
    add(*log, {put("c", "1")}, 2000);                 // 3 active
    auto cc = always();
    cc.delete_retention_ms = 10000;

    auto r = log->compact(cc, 2000 + 10000);  // not yet past retention
    CHECK(r.ran);
    std::vector<rec> want{{1, "b", "1"}, {2, "a", std::nullopt}, {3, "c", "1"}};
    CHECK(all_records(*log) == want);

    // New dirty data; the tombstone is now in the clean part.
    add(*log, {put("d", "1")}, 2000);  // 4; 3 is sealed now
    r = log->compact(cc, 2000 + 10000);
    CHECK(r.ran);
    CHECK(all_records(*log) == std::vector<rec>{{1, "b", "1"}, {2, "a", std::nullopt},
                                                {3, "c", "1"}, {4, "d", "1"}});

    add(*log, {put("e", "1")}, 2000);  // 5
    r = log->compact(cc, 2000 + 10001);  // past retention
    CHECK(r.ran);
    CHECK(r.records_removed == 1);
    CHECK(all_records(*log) ==
          std::vector<rec>{{1, "b", "1"}, {3, "c", "1"}, {4, "d", "1"}, {5, "e", "1"}});
}

TEST_CASE("min.compaction.lag.ms keeps recent segments out of the dirty range", "[compaction]") {
    temp_dir d;
    auto log = open_log(d.path, one_batch_segments());
    add(*log, {put("k", "1")}, 1000);  // 0
    add(*log, {put("k", "2")}, 2000);  // 1
    add(*log, {put("k", "3")}, 3000);  // 2 (too recent)
    add(*log, {put("z", "z")}, 3000);  // 3 active
    auto cc = always();
    cc.min_compaction_lag_ms = 1000;

    auto r = log->compact(cc, 3500);  // 3500 - 1000 = 2500: segments 0 and 1 only
    CHECK(r.ran);
    CHECK(log->cleaner_checkpoint() == 2);
    CHECK(all_records(*log) ==
          std::vector<rec>{{1, "k", "2"}, {2, "k", "3"}, {3, "z", "z"}});

    // Nothing eligible while segment 2 is within the lag.
    CHECK_FALSE(log->compact(cc, 3999).ran);
    r = log->compact(cc, 4000);
    CHECK(r.ran);
    CHECK(all_records(*log) == std::vector<rec>{{2, "k", "3"}, {3, "z", "z"}});
}

TEST_CASE("min.cleanable.dirty.ratio gates a run; max.compaction.lag.ms overrides it",
          "[compaction]") {
    temp_dir d;
    auto log = open_log(d.path, one_batch_segments());
    for (int i = 0; i < 9; ++i) add(*log, {put("u" + std::to_string(i), "v")}, 1000);
    add(*log, {put("z", "z")}, 1000);  // active
    REQUIRE(log->compact(always(), 2000).ran);
    REQUIRE(log->cleaner_checkpoint() == 9);

    add(*log, {put("u0", "w")}, 5000);  // 10: segment 9 is now sealed and dirty
    // dirty = 1 segment (70 bytes) of 10 sealed ones (709 bytes): ratio 0.099
    auto cc = always();
    cc.min_cleanable_dirty_ratio = 0.5;
    auto before = all_records(*log);
    auto r = log->compact(cc, 6000);
    CHECK_FALSE(r.ran);
    CHECK(r.segments_cleaned == 0);
    CHECK(log->cleaner_checkpoint() == 9);
    CHECK(all_records(*log) == before);

    cc.min_cleanable_dirty_ratio = 0.09;
    SECTION("at the ratio it runs") { CHECK(log->compact(cc, 6000).ran); }
    SECTION("an overdue dirty record forces a run") {
        cc.min_cleanable_dirty_ratio = 0.5;
        cc.max_compaction_lag_ms = 5000;
        CHECK_FALSE(log->compact(cc, 6000).ran);  // first dirty batch at 1000: 5000 old
        CHECK(log->compact(cc, 6001).ran);
    }
    CHECK(log->cleaner_checkpoint() == 10);
}

TEST_CASE("compaction never touches the active segment", "[compaction]") {
    temp_dir d;
    auto log = open_log(d.path, one_batch_segments());
    add(*log, {put("a", "old")});                    // 0
    add(*log, {put("b", "1"), put("a", "new")});     // 1, 2: active
    auto active_path = segment_file(d.path, 1, ".log");
    auto bytes_before = read_file(active_path);

    auto r = log->compact(always(), 5000);
    CHECK(r.ran);
    CHECK(r.records_removed == 0);  // "a" in the active segment does not count
    CHECK(read_file(active_path) == bytes_before);
    CHECK(all_records(*log) ==
          std::vector<rec>{{0, "a", "old"}, {1, "b", "1"}, {2, "a", "new"}});
    CHECK(log->cleaner_checkpoint() == 1);

    // A log of only the active segment has nothing to clean.
    temp_dir d2;
    auto solo = open_log(d2.path, one_batch_segments());
    add(*solo, {put("a", "1")});
    CHECK_FALSE(solo->compact(always(), 5000).ran);

    // Appends go on after compaction.
    add(*log, {put("c", "1")});
    CHECK(log->log_end_offset() == 4);
}

TEST_CASE("compressed batches are rewritten with their codec, decodable, with a valid CRC", "[compaction]") {
    auto codec = GENERATE(protocol::compression::gzip, protocol::compression::zstd);
    temp_dir d;
    auto log = open_log(d.path, one_batch_segments());
    protocol::batch_options o;
    o.codec = codec;
    add(*log, {put("a", std::string(500, 'x')), put("b", "keep"), put("c", std::string(500, 'y'))},
        1000, o);                      // 0..2
    add(*log, {put("a", "2"), put("c", "2")});  // 3, 4
    add(*log, {put("z", "z")});                 // active
    REQUIRE(log->compact(always(), 5000).ran);
    auto hs = all_batches(*log);
    REQUIRE(hs.size() == 3);
    CHECK(hs[0].codec() == codec);
    CHECK(hs[0].record_count == 1);
    CHECK(hs[0].last_offset_delta == 2);
    CHECK(all_records(*log) ==
          std::vector<rec>{{1, "b", "keep"}, {3, "a", "2"}, {4, "c", "2"}, {5, "z", "z"}});
}

TEST_CASE("control and transactional batches are kept whole", "[compaction]") {
    temp_dir d;
    auto log = open_log(d.path, one_batch_segments());
    add(*log, {put("a", "1")});  // 0
    protocol::batch_options txn;
    txn.producer_id = 7;
    txn.producer_epoch = 0;
    txn.base_sequence = 0;
    txn.transactional = true;
    auto txn_batch = kbatch({put("a", "2"), put("b", "1")}, 1000, txn);  // 1, 2
    add(*log, {put("a", "2"), put("b", "1")}, 1000, txn);
    protocol::batch_options ctl = txn;
    ctl.control = true;
    ctl.base_sequence = -1;
    add(*log, {kv{std::string("\0\0\0\1", 4), std::string("\0\0\0\0\0\0", 6)}}, 1000, ctl);  // 3
    add(*log, {put("b", "2")});  // 4: supersedes b inside the txn batch, which stays whole
    add(*log, {put("z", "z")});  // active

    auto r = log->compact(always(), 5000);
    CHECK(r.ran);
    auto recs = all_records(*log);
    // "a"=1 is not superseded by transactional data; the txn batch is intact.
    CHECK(recs == std::vector<rec>{{0, "a", "1"},
                                   {1, "a", "2"},
                                   {2, "b", "1"},
                                   {3, std::string("\0\0\0\1", 4), std::string("\0\0\0\0\0\0", 6)},
                                   {4, "b", "2"},
                                   {5, "z", "z"}});
    auto hs = all_batches(*log);
    REQUIRE(hs.size() == 5);
    CHECK(hs[1].transactional());
    CHECK(hs[1].record_count == 2);
    CHECK(hs[2].control());
    // The transactional batch's bytes are unchanged (offset/epoch aside).
    auto rr = log->read(1, 1 << 20, 3, true);
    auto got = slurp(rr);
    REQUIRE(got.size() == txn_batch.size());
    CHECK(std::equal(got.begin() + 17, got.end(), txn_batch.begin() + 17));
}

TEST_CASE("the batch holding a producer's last sequence survives compaction", "[compaction]") {
    temp_dir d;
    auto log = open_log(d.path, one_batch_segments());
    auto idem = [](int64_t pid, int32_t seq) {
        protocol::batch_options o;
        o.producer_id = pid;
        o.producer_epoch = 2;
        o.base_sequence = seq;
        return o;
    };
    add(*log, {put("a", "1"), put("b", "1")}, 1000, idem(100, 0));  // 0, 1: pid 100 seq 0-1
    add(*log, {put("a", "p"), put("b", "p")}, 1000, idem(100, 2));  // 2, 3: pid 100 seq 2-3 (last)
    add(*log, {put("a", "2"), put("b", "2"), put("c", "1")});       // 4..6 plain
    add(*log, {put("z", "z")});                                     // active
    REQUIRE(log->producers().find(100)->last_seq() == 3);

    auto r = log->compact(always(), 5000);
    CHECK(r.ran);
    CHECK(r.records_removed == 4);
    auto hs = all_batches(*log);
    REQUIRE(hs.size() == 3);
    // pid 100's first batch is gone; its last one stays as an empty batch.
    CHECK(hs[0].base_offset == 2);
    CHECK(hs[0].record_count == 0);
    CHECK(hs[0].last_offset_delta == 1);
    CHECK(hs[0].producer_id == 100);
    CHECK(hs[0].producer_epoch == 2);
    CHECK(hs[0].base_sequence == 2);
    CHECK(all_records(*log) ==
          std::vector<rec>{{4, "a", "2"}, {5, "b", "2"}, {6, "c", "1"}, {7, "z", "z"}});

    // Rebuilt from the log alone (no snapshots), the producer keeps its sequence.
    log.reset();  // no close: unclean
    for (auto& e : fs::directory_iterator(d.path))
        if (e.path().extension() == ".snapshot") fs::remove(e.path());
    auto again = open_log(d.path, one_batch_segments(), 0, false);
    auto* p = again->producers().find(100);
    REQUIRE(p);
    CHECK(p->epoch == 2);
    CHECK(p->last_seq() == 3);
    CHECK(p->last_offset() == 3);
    protocol::batch_header next;
    next.producer_id = 100;
    next.producer_epoch = 2;
    next.base_sequence = 4;
    CHECK(again->producers().check(next).ok());

    // Once the producer has expired, its empty batch goes at the next run.
    CHECK(again->producers().expire(1000000, 1000) == 1);
    add(*again, {put("y", "y")});  // seals segment 7: new dirty data
    REQUIRE(again->compact(always(), 5000).ran);
    auto after = all_batches(*again);
    REQUIRE(after.size() == 3);
    CHECK(after[0].base_offset == 4);
}

TEST_CASE("the cleaner checkpoint survives close and reopen", "[compaction]") {
    temp_dir d;
    auto log = open_log(d.path, one_batch_segments());
    add(*log, {put("a", "1")});
    add(*log, {put("a", "2")});
    add(*log, {put("a", "3")});  // active
    CHECK(log->cleaner_checkpoint() == 0);
    REQUIRE(log->compact(always(), 5000).ran);
    CHECK(log->cleaner_checkpoint() == 2);
    CHECK(on_disk(d.path / cleaner_checkpoint_file));
    CHECK(read_cleaner_checkpoint(d.path) == 2);
    log->close();

    auto again = open_log(d.path, one_batch_segments(), 3, true);
    CHECK(again->cleaner_checkpoint() == 2);
    auto r = again->compact(always(), 5000);
    CHECK_FALSE(r.ran);  // nothing dirty
    CHECK(all_records(*again) == std::vector<rec>{{1, "a", "2"}, {2, "a", "3"}});

    // A malformed checkpoint means "start from 0".
    again->close();
    write_file_durably(d.path / cleaner_checkpoint_file, "junk\n");
    CHECK(read_cleaner_checkpoint(d.path) == 0);
    // No checkpoint at all: 0 too.
    fs::remove(d.path / cleaner_checkpoint_file);
    CHECK(read_cleaner_checkpoint(d.path) == 0);
}

TEST_CASE("swap file names encode the replaced range", "[compaction]") {
    auto n = cleaner_swap_file_name(5, 120);
    CHECK(n == "00000000000000000005.log.00000000000000000120.swap");
    auto r = parse_cleaner_swap_file_name(n);
    REQUIRE(r);
    CHECK(r->base == 5);
    CHECK(r->end == 120);
    CHECK_FALSE(parse_cleaner_swap_file_name("00000000000000000005.log.swap"));
    CHECK_FALSE(parse_cleaner_swap_file_name(cleaner_swap_file_name(7, 7)));
}

TEST_CASE("compaction leftovers are handled at open", "[compaction]") {
    temp_dir d;
    {
        auto log = open_log(d.path, one_batch_segments());
        add(*log, {put("a", "1")});  // 0
        add(*log, {put("a", "2")});  // 1
        add(*log, {put("b", "1")});  // 2
        add(*log, {put("c", "1")});  // 3 active
        log->close();
    }
    auto seg0 = read_file(segment_file(d.path, 0, ".log"));
    auto seg1 = read_file(segment_file(d.path, 1, ".log"));

    SECTION("an incomplete .cleaned file is deleted (roll back)") {
        {
            std::ofstream(segment_file(d.path, 0, ".log.cleaned"), std::ios::binary) << "partial";
        }
        auto log = open_log(d.path, one_batch_segments(), 4, true);
        CHECK_FALSE(on_disk(segment_file(d.path, 0, ".log.cleaned")));
        CHECK(all_records(*log) == std::vector<rec>{{0, "a", "1"}, {1, "a", "2"}, {2, "b", "1"},
                                                    {3, "c", "1"}});
    }
    SECTION("a committed swap replaces its range (roll forward)") {
        // Output of a merge of segments 0 and 1 that kept only offset 1; the
        // crash came after segment 0 was deleted, before segment 1 was.
        auto swap = d.path / cleaner_swap_file_name(0, 2);
        {
            std::ofstream out(swap, std::ios::binary);
            out.write(reinterpret_cast<const char*>(seg1.data()), std::streamsize(seg1.size()));
        }
        fs::remove(segment_file(d.path, 0, ".log"));
        fs::remove(segment_file(d.path, 0, ".index"));
        std::ofstream(d.path / "garbage.swap") << "x";
        auto log = open_log(d.path, one_batch_segments(), 4, true);
        CHECK_FALSE(on_disk(swap));
        CHECK_FALSE(on_disk(d.path / "garbage.swap"));
        CHECK(segment_bases_on_disk(d.path) == std::vector<int64_t>{0, 2, 3});
        CHECK(read_file(segment_file(d.path, 0, ".log")) == seg1);
        CHECK(all_records(*log) == std::vector<rec>{{1, "a", "2"}, {2, "b", "1"}, {3, "c", "1"}});
        // The rebuilt segment's indexes work for lookups.
        CHECK(log->read(1, 1 << 20, 100, false).first_offset == 1);
        auto ts = log->offset_for_timestamp(0);
        REQUIRE(ts);
        CHECK(ts->offset == 1);
    }
    SECTION("a committed swap before any deletion") {
        auto swap = d.path / cleaner_swap_file_name(0, 2);
        {
            std::ofstream out(swap, std::ios::binary);
            out.write(reinterpret_cast<const char*>(seg1.data()), std::streamsize(seg1.size()));
        }
        auto log = open_log(d.path, one_batch_segments(), 4, false);
        CHECK(segment_bases_on_disk(d.path) == std::vector<int64_t>{0, 2, 3});
        CHECK(all_records(*log) == std::vector<rec>{{1, "a", "2"}, {2, "b", "1"}, {3, "c", "1"}});
        CHECK(log->recovery().bytes_truncated == 0);
    }
    CHECK(seg0 != seg1);
}

TEST_CASE("unclean recovery after compaction", "[compaction]") {
    temp_dir d;
    auto cfg = one_batch_segments();
    auto log = open_log(d.path, cfg);
    for (int i = 0; i < 6; ++i) add(*log, {put("k" + std::to_string(i % 2), std::to_string(i))});
    add(*log, {put("z", "z")});  // active
    cfg.segment_bytes = 1 << 20;
    log->set_config(cfg);
    REQUIRE(log->compact(always(), 5000).ran);
    auto want = all_records(*log);
    CHECK(want == std::vector<rec>{{4, "k0", "4"}, {5, "k1", "5"}, {6, "z", "z"}});
    log.reset();  // crash: no close

    auto again = open_log(d.path, cfg, 0, false);
    CHECK(again->recovery().segments_scanned >= 2);
    CHECK(again->recovery().bytes_truncated == 0);
    CHECK(again->log_end_offset() == 7);
    CHECK(all_records(*again) == want);
    CHECK(again->cleaner_checkpoint() == 6);
    add(*again, {put("k0", "again")});
    CHECK(again->log_end_offset() == 8);
}

TEST_CASE("a read taken before compaction still reads the old bytes", "[compaction]") {
    temp_dir d;
    auto log = open_log(d.path, one_batch_segments());
    add(*log, {put("a", "1"), put("b", "1")});
    add(*log, {put("a", "2")});
    add(*log, {put("z", "z")});  // active
    auto pinned = log->read(0, 1 << 20, 100, false);
    auto old_bytes = slurp(pinned);
    REQUIRE(record_offsets(old_bytes) == std::vector<int64_t>{0, 1, 2, 3});

    auto cfg = one_batch_segments();
    cfg.segment_bytes = 1 << 20;
    log->set_config(cfg);  // merge, so every old file is replaced
    REQUIRE(log->compact(always(), 5000).segments_cleaned == 2);
    CHECK(slurp(pinned) == old_bytes);
    CHECK(record_offsets(slurp(log->read(0, 1 << 20, 100, false))) ==
          std::vector<int64_t>{1, 2, 3});
    // No leftovers in the directory.
    for (auto& e : fs::directory_iterator(d.path)) {
        auto name = e.path().filename().string();
        CHECK(name.find(".cleaned") == std::string::npos);
        CHECK(name.find(".swap") == std::string::npos);
        CHECK(name.find(".deleted") == std::string::npos);
    }
}

TEST_CASE("compaction stops below max_offset", "[compaction]") {
    temp_dir d;
    auto log = open_log(d.path, one_batch_segments());
    add(*log, {put("k", "1")});  // 0
    add(*log, {put("k", "2")});  // 1
    add(*log, {put("k", "3")});  // 2
    add(*log, {put("z", "z")});  // active
    auto r = log->compact(always(), 5000, 2);  // e.g. high watermark 2
    CHECK(r.ran);
    CHECK(log->cleaner_checkpoint() == 2);
    CHECK(all_records(*log) == std::vector<rec>{{1, "k", "2"}, {2, "k", "3"}, {3, "z", "z"}});
}

TEST_CASE("the key map budget cuts the dirty range at a segment boundary", "[compaction]") {
    temp_dir d;
    auto log = open_log(d.path, one_batch_segments());
    add(*log, {put("a", "1")});  // 0
    add(*log, {put("b", "1")});  // 1
    add(*log, {put("a", "2")});  // 2
    add(*log, {put("z", "z")});  // active
    auto cc = always();
    cc.key_map_bytes = 1;  // one segment per run
    auto r = log->compact(cc, 5000);
    CHECK(r.ran);
    CHECK(log->cleaner_checkpoint() == 1);
    CHECK(all_records(*log).size() == 4);
    log->compact(cc, 5000);
    CHECK(log->cleaner_checkpoint() == 2);
    log->compact(cc, 5000);
    CHECK(log->cleaner_checkpoint() == 3);
    CHECK(all_records(*log) == std::vector<rec>{{1, "b", "1"}, {2, "a", "2"}, {3, "z", "z"}});
}

TEST_CASE("filter_batch keeps header fields and drops or empties batches", "[compaction]") {
    protocol::batch_options o;
    o.base_offset = 40;
    o.producer_id = 9;
    o.producer_epoch = 1;
    o.base_sequence = 5;
    o.partition_leader_epoch = 3;
    std::vector<protocol::record> recs(3);
    for (int i = 0; i < 3; ++i) {
        recs[size_t(i)].key = to_bytes("k" + std::to_string(i));
        recs[size_t(i)].value = to_bytes("v");
        recs[size_t(i)].timestamp = 100 + i * 10;
    }
    auto b = protocol::build_batch(recs, o);
    auto none = [](int64_t, const protocol::record_view&) { return false; };
    auto all = [](int64_t, const protocol::record_view&) { return true; };
    CHECK(filter_batch(b, false, all).result == filtered_batch::outcome::unchanged);
    CHECK(filter_batch(b, false, none).result == filtered_batch::outcome::dropped);
    auto e = filter_batch(b, true, none);
    REQUIRE(e.result == filtered_batch::outcome::rewritten);
    CHECK(e.records_removed == 3);
    auto eh = protocol::parse_batch_header(e.data);
    CHECK(protocol::batch_crc_ok(e.data));
    CHECK(eh.record_count == 0);
    CHECK(eh.base_offset == 40);
    CHECK(eh.last_offset_delta == 2);
    CHECK(eh.base_sequence == 5);
    CHECK(eh.partition_leader_epoch == 3);

    auto mid = filter_batch(b, false, [](int64_t off, const protocol::record_view&) {
        return off == 40;
    });
    REQUIRE(mid.result == filtered_batch::outcome::rewritten);
    auto mh = protocol::parse_batch_header(mid.data);
    CHECK(protocol::batch_crc_ok(mid.data));
    CHECK(mh.record_count == 1);
    CHECK(mh.max_timestamp == 100);  // recomputed from the retained record
    CHECK(mh.base_timestamp == 100);
    CHECK(mh.last_offset_delta == 2);
    CHECK(record_offsets(mid.data) == std::vector<int64_t>{40});
}
