#include "storage/offset_index.h"
#include "storage/time_index.h"
#include "storage_test_support.h"

using namespace sluice::storage;
using namespace sluice::storage::test;

TEST_CASE("offset_index appends, searches, trims and reopens", "[index]") {
    temp_dir tmp;
    auto path = tmp.path / "00000000000000000100.index";
    {
        offset_index idx(path, 100);
        CHECK_FALSE(idx.existed());
        idx.resize(80);  // room for 10 entries
        CHECK(idx.capacity() == 10);
        CHECK(idx.lookup(150) == offset_index::entry{100, 0});
        for (int i = 1; i <= 10; ++i) idx.append(100 + 10 * i, uint32_t(1000 * i));
        CHECK(idx.full());
        CHECK_THROWS_AS(idx.append(300, 99999), std::logic_error);
        CHECK(idx.lookup(99) == offset_index::entry{100, 0});
        CHECK(idx.lookup(110) == offset_index::entry{110, 1000});
        CHECK(idx.lookup(119) == offset_index::entry{110, 1000});
        CHECK(idx.lookup(155) == offset_index::entry{150, 5000});
        CHECK(idx.lookup(1 << 30) == offset_index::entry{200, 10000});
        idx.truncate_entries(4);
        idx.resize(800);  // preallocated, as a crash would leave it
    }
    {
        offset_index idx(path, 100);
        CHECK(idx.existed());
        CHECK(idx.file_length() == 800);
        CHECK(idx.entries() == 4);  // the zero slots are not entries
        CHECK(idx.last() == offset_index::entry{140, 4000});
        CHECK(idx.sane(4001));
        CHECK_FALSE(idx.sane(4000));                               // points past the end of the log
        CHECK_THROWS_AS(idx.append(140, 5000), std::logic_error);  // must increase
        idx.trim();
        CHECK(idx.file_length() == 32);
    }
    fs::resize_file(path, 33);
    offset_index odd(path, 100);
    CHECK(odd.malformed());
    CHECK_FALSE(odd.sane(1 << 20));
}

TEST_CASE("time_index only grows and answers timestamp searches", "[index]") {
    temp_dir tmp;
    auto path = tmp.path / "00000000000000000000.timeindex";
    time_index ti(path, 0);
    ti.resize(12 * 4);
    ti.maybe_append(-1, 0);  // NO_TIMESTAMP is never indexed
    CHECK(ti.entries() == 0);
    ti.maybe_append(500, 4);
    ti.maybe_append(400, 6);  // not larger: skipped
    ti.maybe_append(500, 7);  // equal: skipped
    ti.maybe_append(900, 9);
    CHECK(ti.entries() == 2);
    CHECK(ti.lookup(499) == time_index::entry{-1, 0});
    CHECK(ti.lookup(500) == time_index::entry{500, 4});
    CHECK(ti.lookup(10'000) == time_index::entry{900, 9});
    CHECK(ti.last_before(900) == time_index::entry{500, 4});
    CHECK(ti.sane());
    // A full index still takes the final (seal) entry.
    ti.maybe_append(901, 10);
    ti.maybe_append(902, 11);
    ti.maybe_append(903, 12);
    CHECK(ti.entries() == 5);
    CHECK(ti.file_length() == 5 * 12);
}
