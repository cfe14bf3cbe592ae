#include "storage/topic_store.h"
#include "storage_test_support.h"

#include <fstream>

using namespace sluice;
using namespace sluice::storage;
using namespace sluice::storage::test;

namespace {
protocol::uuid make_id(uint8_t seed) {
    protocol::uuid id;
    for (size_t i = 0; i < id.bytes.size(); ++i) id.bytes[i] = uint8_t(seed * 17 + i);
    return id;
}
}  // namespace

TEST_CASE("file_topic_store round trip survives awkward names and values", "[topic_store]") {
    temp_dir tmp;
    topic_metadata orders{"orders",
                          make_id(1),
                          6,
                          {{"retention.ms", "86400000"}, {"cleanup.policy", "compact,delete"}}};
    topic_metadata odd{"we-ird.topic_1",
                       make_id(2),
                       1,
                       {{"x.note", "a b=c%d\nnext line\t\xc3\xa9"}, {"empty", ""}}};
    {
        file_topic_store store(tmp.path);
        CHECK(store.load().empty());  // missing file
        store.put(orders);
        store.put(odd);
    }
    file_topic_store store(tmp.path);
    auto loaded = store.load();
    REQUIRE(loaded.size() == 2);
    CHECK(loaded[0] == orders);
    CHECK(loaded[1] == odd);

    orders.partitions = 12;
    store.put(orders);
    store.remove("we-ird.topic_1");
    store.remove("never-existed");
    auto after = file_topic_store(tmp.path).load();
    REQUIRE(after.size() == 1);
    CHECK(after[0] == orders);
    CHECK_FALSE(fs::exists(tmp.path / "__sluice_topics.tmp"));
}

TEST_CASE("file_topic_store rejects a corrupt file with a clear message", "[topic_store]") {
    temp_dir tmp;
    auto file = tmp.path / topic_store_file;
    {
        file_topic_store store(tmp.path);
        store.put({"orders", make_id(1), 3, {}});
    }
    auto good = read_file(file);
    std::string text(good.begin(), good.end());
    CHECK(text.rfind("sluice-topics 1\n", 0) == 0);

    for (std::string bad : {text.substr(0, text.size() - 6),          // torn: no end line
                            std::string("garbage\n"),                 // wrong header
                            text + "topic x\n",                       // after the end line
                            std::string("sluice-topics 1\nend 1\n"),  // wrong count
                            std::string("sluice-topics 1\ntopic a zz 1\nend 1\n")}) {  // bad id
        INFO(bad);
        std::ofstream(file, std::ios::binary | std::ios::trunc) << bad;
        file_topic_store store(tmp.path);
        try {
            store.load();
            FAIL("load accepted a corrupt file");
        } catch (const topic_store_error& e) {
            CHECK(std::string(e.what()).find(file.string()) != std::string::npos);
        }
    }
}
