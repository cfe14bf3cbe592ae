#include "storage/checkpoint.h"
#include "storage_test_support.h"

#include <fstream>

using namespace sluice::storage;
using namespace sluice::storage::test;

namespace {
void write_text(const fs::path& p, const std::string& s) {
    std::ofstream(p, std::ios::binary) << s;
}
std::string read_text(const fs::path& p) {
    auto b = read_file(p);
    return std::string(b.begin(), b.end());
}
}  // namespace

TEST_CASE("offset checkpoint round trip in Kafka's format", "[checkpoint]") {
    temp_dir tmp;
    auto file = tmp.path / recovery_point_checkpoint_file;
    offset_checkpoint in{
        {{"orders", 0}, 42}, {{"orders", 1}, 7}, {{"my-topic.v2", 12}, 1234567890123}};
    write_offset_checkpoint(file, in);
    CHECK(read_offset_checkpoint(file) == in);
    CHECK(read_text(file) == "0\n3\nmy-topic.v2 12 1234567890123\norders 0 42\norders 1 7\n");
    CHECK_FALSE(fs::exists(tmp.path / "recovery-point-offset-checkpoint.tmp"));

    write_offset_checkpoint(file, {});
    CHECK(read_text(file) == "0\n0\n");
    CHECK(read_offset_checkpoint(file).empty());
}

TEST_CASE("offset checkpoint reading: missing and malformed files", "[checkpoint]") {
    temp_dir tmp;
    auto file = tmp.path / "cp";
    CHECK(read_offset_checkpoint(file).empty());
    // Kafka's own files parse (it writes exactly this shape).
    write_text(file, "0\n1\n__consumer_offsets 49 1000\n");
    CHECK(read_offset_checkpoint(file) == offset_checkpoint{{{"__consumer_offsets", 49}, 1000}});
    for (auto bad : {"", "1\n0\n", "0\n2\nt 0 1\n", "0\n1\nt 0\n", "0\n1\nt x 1\n",
                     "0\n1\nt 0 1z\n", "zero\n0\n"}) {
        INFO(bad);
        write_text(file, bad);
        CHECK_THROWS_AS(read_offset_checkpoint(file), checkpoint_error);
    }
}

TEST_CASE("leader epoch checkpoint round trip", "[checkpoint]") {
    temp_dir tmp;
    auto file = tmp.path / leader_epoch_checkpoint_file;
    std::vector<epoch_entry> in{{0, 0}, {3, 120}, {4, 500}};
    write_leader_epoch_checkpoint(file, in);
    CHECK(read_leader_epoch_checkpoint(file) == in);
    CHECK(read_text(file) == "0\n3\n0 0\n3 120\n4 500\n");
    write_text(file, "0\n1\n3\n");
    CHECK_THROWS_AS(read_leader_epoch_checkpoint(file), checkpoint_error);
}
