// Producer id allocation (broker/producer_ids.h): ids are unique across
// restarts, whole blocks are reserved on disk before use, a corrupt block file
// is an error naming the file.
#include "broker/producer_ids.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <random>
#include <set>

using sluice::broker::producer_id_manager;
namespace fs = std::filesystem;

namespace {

struct temp_dir {
    fs::path path;
    temp_dir() {
        std::random_device rd;
        path = fs::temp_directory_path() / ("sluice-pid-" + std::to_string(rd()));
        fs::create_directories(path);
    }
    ~temp_dir() { fs::remove_all(path); }
};

std::string read(const fs::path& p) {
    std::ifstream in(p);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

TEST_CASE("producer ids are consecutive within a block and the block is reserved first") {
    temp_dir d;
    producer_id_manager m(d.path);
    CHECK_FALSE(fs::exists(d.path / "producer-id-block"));  // nothing reserved before use
    CHECK(m.next() == 0);
    CHECK(read(d.path / "producer-id-block") == "1000\n");
    for (int64_t i = 1; i < producer_id_manager::block_size; ++i) REQUIRE(m.next() == i);
    CHECK(read(d.path / "producer-id-block") == "1000\n");
    CHECK(m.next() == 1000);  // the next block is reserved when the first runs out
    CHECK(read(d.path / "producer-id-block") == "2000\n");
}

TEST_CASE("a restarted manager never repeats an id") {
    temp_dir d;
    std::set<int64_t> seen;
    for (int restart = 0; restart < 3; ++restart) {
        producer_id_manager m(d.path);
        for (int i = 0; i < 5; ++i) {
            auto id = m.next();
            REQUIRE(seen.insert(id).second);
            REQUIRE(id >= restart * producer_id_manager::block_size);
        }
    }
    CHECK(seen.size() == 15);
}

TEST_CASE("a corrupt block file names the file") {
    temp_dir d;
    std::ofstream(d.path / "producer-id-block") << "12abc\n";
    try {
        producer_id_manager m(d.path);
        FAIL("no error for a corrupt file");
    } catch (const std::runtime_error& e) {
        std::string what = e.what();
        CHECK(what.find("producer-id-block") != std::string::npos);
        CHECK(what.find("12abc") != std::string::npos);
    }
    std::ofstream(d.path / "producer-id-block", std::ios::trunc) << "-5\n";
    CHECK_THROWS_AS(producer_id_manager(d.path), std::runtime_error);
}
