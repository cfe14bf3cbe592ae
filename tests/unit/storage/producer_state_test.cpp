#include "storage/producer_state.h"
#include "storage_test_support.h"

#include <limits>

using namespace sluice;
using namespace sluice::storage;
using namespace sluice::storage::test;
using protocol::batch_header;

namespace {

constexpr int32_t int_max = std::numeric_limits<int32_t>::max();

batch_header hdr(int64_t pid, int16_t epoch, int32_t seq, int records = 1, int64_t ts = 1000) {
    batch_header h;
    h.producer_id = pid;
    h.producer_epoch = epoch;
    h.base_sequence = seq;
    h.last_offset_delta = records - 1;
    h.record_count = records;
    h.base_timestamp = ts;
    h.max_timestamp = ts;
    return h;
}

// Appends `h` at `next` (as the log would) and advances it.
void add(producer_state& st, const batch_header& h, int64_t& next) {
    st.update(h, next, next + h.last_offset_delta);
    next += h.last_offset_delta + 1;
}

}  // namespace

TEST_CASE("batch_last_sequence wraps past INT32_MAX to 0", "[producer_state]") {
    CHECK(batch_last_sequence(0, 0) == 0);
    CHECK(batch_last_sequence(5, 3) == 8);
    CHECK(batch_last_sequence(int_max, 0) == int_max);
    CHECK(batch_last_sequence(int_max - 2, 2) == int_max);
    CHECK(batch_last_sequence(int_max - 1, 2) == 0);
    CHECK(batch_last_sequence(int_max, 5) == 4);
}

TEST_CASE("batches without producer id or sequence are accepted and not recorded",
          "[producer_state]") {
    producer_state st("t-0");
    int64_t next = 0;
    for (auto h : {hdr(-1, -1, -1), hdr(-1, 0, 7), hdr(9, 0, -1)}) {
        CHECK(st.check(h).verdict == producer_verdict::accept);
        add(st, h, next);
    }
    CHECK(st.empty());
    // Control batches (transaction markers) are not sequence-numbered data.
    auto marker = hdr(9, 0, 0);
    marker.attributes = 0x30;
    st.update(marker, 10, 10);
    CHECK(st.empty());
}

TEST_CASE("an unknown producer is accepted at any sequence (Kafka 2.5+)", "[producer_state]") {
    producer_state st("t-0");
    int64_t next = 0;
    add(st, hdr(1, 0, 0), next);
    for (int32_t seq : {0, 1, 17, int_max}) {
        auto c = st.check(hdr(2, 3, seq));
        CHECK(c.verdict == producer_verdict::accept);
        CHECK(c.error() == protocol::error_code::none);
    }
    add(st, hdr(2, 3, 17, 2), next);
    REQUIRE(st.find(2));
    CHECK(st.find(2)->epoch == 3);
    CHECK(st.find(2)->last_seq() == 18);
    CHECK(st.check(hdr(2, 3, 19)).ok());
    CHECK(st.check(hdr(2, 3, 0)).verdict == producer_verdict::out_of_order_sequence);
}

TEST_CASE("same epoch: the next sequence is accepted, gaps and overlaps are out of order",
          "[producer_state]") {
    producer_state st("orders-3");
    int64_t next = 100;
    add(st, hdr(7, 0, 0, 3), next);  // seq 0..2 at offsets 100..102
    CHECK(st.check(hdr(7, 0, 3)).ok());
    CHECK(st.check(hdr(7, 0, 3, 10)).ok());

    auto gap = st.check(hdr(7, 0, 4));
    CHECK(gap.verdict == producer_verdict::out_of_order_sequence);
    CHECK(gap.error() == protocol::error_code::out_of_order_sequence_number);
    CHECK(int(gap.error()) == 45);
    CHECK(gap.message ==
          "Out of order sequence number for producer 7 in partition orders-3: 4 (incoming seq. "
          "number), 2 (current end sequence number)");

    // Overlapping but not equal to a cached batch: not a duplicate.
    CHECK(st.check(hdr(7, 0, 1, 2)).verdict == producer_verdict::out_of_order_sequence);
    CHECK(st.check(hdr(7, 0, 0, 2)).verdict == producer_verdict::out_of_order_sequence);
    CHECK(st.check(hdr(7, 0, 0, 4)).verdict == producer_verdict::out_of_order_sequence);
}

TEST_CASE("sequences wrap from INT32_MAX to 0", "[producer_state]") {
    producer_state st;
    int64_t next = 0;
    add(st, hdr(3, 1, int_max - 4, 5), next);  // ends exactly at INT32_MAX
    CHECK(st.find(3)->last_seq() == int_max);
    CHECK(st.check(hdr(3, 1, 0)).ok());
    CHECK(st.check(hdr(3, 1, 1)).verdict == producer_verdict::out_of_order_sequence);
    add(st, hdr(3, 1, 0, 2), next);
    CHECK(st.check(hdr(3, 1, 2)).ok());

    // A batch that itself crosses the wrap.
    producer_state st2;
    next = 0;
    add(st2, hdr(4, 0, int_max - 1, 4), next);  // INT32_MAX-1, INT32_MAX, 0, 1
    CHECK(st2.find(4)->last_seq() == 1);
    CHECK(st2.check(hdr(4, 0, 2)).ok());
    auto dup = st2.check(hdr(4, 0, int_max - 1, 4));
    CHECK(dup.verdict == producer_verdict::duplicate);
    CHECK(dup.first_offset == 0);
    CHECK(dup.last_offset == 3);
}

TEST_CASE("duplicates of each of the last five batches, not of the sixth-last",
          "[producer_state]") {
    producer_state st;
    int64_t next = 50;
    for (int i = 0; i < 6; ++i) add(st, hdr(11, 2, 2 * i, 2), next);  // seq 2i..2i+1
    REQUIRE(st.find(11)->batches.size() == 5);
    for (int i = 1; i < 6; ++i) {
        auto c = st.check(hdr(11, 2, 2 * i, 2));
        INFO("batch " << i);
        CHECK(c.verdict == producer_verdict::duplicate);
        CHECK(c.error() == protocol::error_code::none);
        CHECK(c.first_offset == 50 + 2 * i);
        CHECK(c.last_offset == 51 + 2 * i);
    }
    // The sixth-last fell out of the cache: its retry is out of order.
    auto old = st.check(hdr(11, 2, 0, 2));
    CHECK(old.verdict == producer_verdict::out_of_order_sequence);
    CHECK(old.message.find("0 (incoming seq. number), 11 (current end sequence number)") !=
          std::string::npos);
    // The same sequences under another epoch are not duplicates.
    CHECK(st.check(hdr(11, 3, 10, 2)).verdict == producer_verdict::out_of_order_sequence);
}

TEST_CASE("epochs: a bump starts at sequence 0, a stale epoch is fenced", "[producer_state]") {
    producer_state st("t-1");
    int64_t next = 0;
    add(st, hdr(5, 4, 0, 6), next);  // epoch 4, seq 0..5

    CHECK(st.check(hdr(5, 5, 0)).ok());
    CHECK(st.check(hdr(5, 9, 0, 3)).ok());
    auto bad = st.check(hdr(5, 5, 6));
    CHECK(bad.verdict == producer_verdict::out_of_order_sequence);
    CHECK(bad.message ==
          "Invalid sequence number for new epoch of producer 5 in partition t-1: 5 (request "
          "epoch), 6 (seq. number), 4 (current producer epoch)");

    auto stale = st.check(hdr(5, 3, 6));
    CHECK(stale.verdict == producer_verdict::invalid_producer_epoch);
    CHECK(stale.error() == protocol::error_code::invalid_producer_epoch);
    CHECK(int(stale.error()) == 47);
    CHECK(stale.message ==
          "Epoch of producer 5 in partition t-1 is 3, which is smaller than the last seen epoch 4");

    add(st, hdr(5, 5, 0, 2), next);  // the bump: old batches are forgotten
    const auto* e = st.find(5);
    REQUIRE(e);
    CHECK(e->epoch == 5);
    REQUIRE(e->batches.size() == 1);
    CHECK(e->batches[0] == producer_batch{0, 1, 6, 7, 1000});
    CHECK(st.check(hdr(5, 5, 2)).ok());
    // A retry of an epoch-4 batch is now fenced, not a duplicate.
    CHECK(st.check(hdr(5, 4, 0, 6)).verdict == producer_verdict::invalid_producer_epoch);
    CHECK(st.check(hdr(5, 5, 0, 2)).verdict == producer_verdict::duplicate);
}

TEST_CASE("update keeps five batches and the last timestamp", "[producer_state]") {
    producer_state st;
    int64_t next = 0;
    for (int i = 0; i < 8; ++i) add(st, hdr(1, 0, i, 1, 1000 + i), next);
    const auto* e = st.find(1);
    REQUIRE(e);
    REQUIRE(e->batches.size() == producer_entry::max_batches);
    CHECK(e->batches.front() == producer_batch{3, 3, 3, 3, 1003});
    CHECK(e->batches.back() == producer_batch{7, 7, 7, 7, 1007});
    CHECK(e->last_timestamp == 1007);
    CHECK(e->last_offset() == 7);
    CHECK(e->coordinator_epoch == -1);
    CHECK(e->current_txn_first_offset == -1);
}

TEST_CASE("expire removes producers idle for producer.id.expiration.ms", "[producer_state]") {
    producer_state st;
    int64_t next = 0;
    add(st, hdr(1, 0, 0, 1, 1000), next);
    add(st, hdr(2, 0, 0, 1, 5000), next);
    add(st, hdr(3, 0, 0, 1, 1000), next);
    const int64_t exp = producer_state::default_expiration_ms;

    CHECK(st.expire(1000 + exp - 1, exp) == 0);
    CHECK(st.expire(1000, -1) == 0);
    CHECK(st.size() == 3);
    CHECK(st.expire(1000 + exp, exp) == 2);  // idle for exactly the limit: gone (Kafka: >=)
    CHECK(st.size() == 1);
    CHECK(st.find(2));
    CHECK(!st.find(1));
    // An expired producer is unknown again: any sequence is accepted.
    CHECK(st.check(hdr(1, 0, 9)).ok());
}

TEST_CASE("truncate drops batches at or above the offset and empty producers", "[producer_state]") {
    producer_state st;
    st.update(hdr(1, 0, 0, 2), 0, 1);
    st.update(hdr(2, 0, 0, 2), 2, 3);
    st.update(hdr(1, 0, 2, 2), 4, 5);
    st.update(hdr(1, 0, 4, 3), 6, 8);

    st.truncate(7);  // cuts into producer 1's last batch: the whole batch goes
    REQUIRE(st.find(1));
    CHECK(st.find(1)->batches.size() == 2);
    CHECK(st.find(1)->last_seq() == 3);
    CHECK(st.check(hdr(1, 0, 4, 3)).ok());  // re-sending it is no duplicate now
    CHECK(st.check(hdr(1, 0, 2, 2)).verdict == producer_verdict::duplicate);

    st.truncate(3);
    CHECK(!st.find(2));
    REQUIRE(st.find(1));
    CHECK(st.find(1)->batches.size() == 1);
    st.truncate(0);
    CHECK(st.empty());
}

TEST_CASE("snapshot encoding round trips", "[producer_state]") {
    producer_state st("t-0");
    int64_t next = 0;
    for (int i = 0; i < 7; ++i)
        add(st, hdr(1000 + i % 3, int16_t(i % 3), i, 1 + i % 2, 5000 + i), next);
    add(st, hdr(std::numeric_limits<int64_t>::max(), 32767, int_max - 1, 4, -1), next);
    REQUIRE(st.size() == 4);

    auto data = st.encode_snapshot(next);
    auto back = producer_state::decode_snapshot(data, next);
    REQUIRE(back);
    CHECK(back->entries() == st.entries());
    CHECK(back->encode_snapshot(next) == data);

    auto empty = producer_state::decode_snapshot(producer_state().encode_snapshot(0), 0);
    REQUIRE(empty);
    CHECK(empty->empty());
}

TEST_CASE("a damaged snapshot is rejected as a whole", "[producer_state]") {
    producer_state st;
    int64_t next = 0;
    for (int i = 0; i < 6; ++i) add(st, hdr(i % 2, 1, i, 2, 7000), next);
    const auto data = st.encode_snapshot(42);
    REQUIRE(producer_state::decode_snapshot(data, 42));

    CHECK(!producer_state::decode_snapshot(data, 43));  // not the offset in the file name
    for (size_t i = 0; i < data.size(); ++i) {
        auto bad = data;
        bad[i] = char(bad[i] ^ 0x01);
        INFO("flipped byte " << i);
        CHECK(!producer_state::decode_snapshot(bad, 42));
    }
    for (size_t n = 0; n < data.size(); ++n) {
        INFO("truncated to " << n);
        CHECK(!producer_state::decode_snapshot(std::string_view(data).substr(0, n), 42));
    }
    CHECK(!producer_state::decode_snapshot(data + std::string(1, '\0'), 42));
}

TEST_CASE("snapshot files: names, atomic write, read, listing", "[producer_state]") {
    temp_dir tmp;
    CHECK(producer_snapshot_file_name(1234) == "00000000000000001234.snapshot");
    CHECK(parse_producer_snapshot_file_name("00000000000000001234.snapshot") == 1234);
    CHECK(!parse_producer_snapshot_file_name("00000000000000001234.snapshot.tmp"));
    CHECK(!parse_producer_snapshot_file_name("1234.snapshot"));
    CHECK(!parse_producer_snapshot_file_name("00000000000000001234.log"));

    producer_state st;
    int64_t next = 0;
    add(st, hdr(8, 0, 0, 3), next);
    st.write_snapshot(tmp.path, 3);
    st.write_snapshot(tmp.path, 1);
    CHECK(fs::exists(tmp.path / "00000000000000000003.snapshot"));
    CHECK(!fs::exists(tmp.path / "00000000000000000003.snapshot.tmp"));
    {
        std::ofstream leftover(tmp.path / "00000000000000000009.snapshot.tmp");
        leftover << "half";
    }
    CHECK(list_producer_snapshots(tmp.path) == std::vector<int64_t>{1, 3});
    CHECK(!fs::exists(tmp.path / "00000000000000000009.snapshot.tmp"));

    auto back = producer_state::read_snapshot(tmp.path, 3);
    REQUIRE(back);
    CHECK(back->entries() == st.entries());
    CHECK(producer_state::read_snapshot(tmp.path, 1));
    // A file renamed to another offset does not pass.
    fs::copy_file(tmp.path / "00000000000000000003.snapshot",
                  tmp.path / "00000000000000000001.snapshot", fs::copy_options::overwrite_existing);
    CHECK(!producer_state::read_snapshot(tmp.path, 1));
    CHECK(!producer_state::read_snapshot(tmp.path, 5));  // missing

    delete_producer_snapshot(tmp.path, 3);
    delete_producer_snapshot(tmp.path, 3);  // absent: fine
    CHECK(list_producer_snapshots(tmp.path) == std::vector<int64_t>{1});
}
