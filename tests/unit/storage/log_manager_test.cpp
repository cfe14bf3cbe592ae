#include "storage/log_manager.h"
#include "storage/checkpoint.h"
#include "storage_test_support.h"

#include <fstream>

using namespace sluice::storage;
using namespace sluice::storage::test;

TEST_CASE("log directory names split at the last '-'", "[log_manager]") {
    CHECK(parse_log_dir_name("orders-3") == topic_partition{"orders", 3});
    CHECK(parse_log_dir_name("my-dashed-topic-12") == topic_partition{"my-dashed-topic", 12});
    CHECK(parse_log_dir_name("__consumer_offsets-49") == topic_partition{"__consumer_offsets", 49});
    CHECK_FALSE(parse_log_dir_name("orders"));
    CHECK_FALSE(parse_log_dir_name("orders-"));
    CHECK_FALSE(parse_log_dir_name("-3"));
    CHECK_FALSE(parse_log_dir_name("orders-3.abc-delete"));
    CHECK_FALSE(parse_log_dir_name("orders-x"));
    CHECK_FALSE(parse_log_dir_name("orders-99999999999"));
}

TEST_CASE("discover finds partitions, their checkpoints and the clean marker", "[log_manager]") {
    temp_dir tmp;
    auto a = tmp.path / "a", b = tmp.path / "b";
    {
        log_manager m({a, b});
        CHECK(fs::is_directory(a));
        CHECK(fs::is_directory(b));
        CHECK(m.discover().empty());
        // Placement: fewest partitions first.
        topic_partition p0{"my-dashed-topic", 0}, p1{"my-dashed-topic", 1}, p2{"other", 0};
        CHECK(m.dir_for(p0) == a);
        CHECK(m.dir_for(p1) == b);
        CHECK(m.dir_for(p0) == a);  // stable
        CHECK(m.dir_for(p2) == a);
        for (auto& tp : {p0, p1, p2}) {
            auto log =
                partition_log::open(m.dir_for(tp) / tp.dir_name(), tp, small_config(), 0, false);
            append_batch(*log, make_batch(3));
            log->close();
        }
        fs::create_directories(a / "gone-0.0123456789abcdef-delete");
        std::ofstream(a / "__sluice_topics") << "not a dir";
        m.write_checkpoints({{p0, a, 3, 1, 2}, {p1, b, 3, 0, 3}, {p2, a, 3, 2, 3}});
        m.mark_clean_shutdown();
        CHECK(fs::exists(a / clean_shutdown_marker_file));
        CHECK(read_offset_checkpoint(a / log_start_offset_checkpoint_file) ==
              offset_checkpoint{{p0, 1}, {p2, 2}});
        CHECK(read_offset_checkpoint(b / replication_offset_checkpoint_file) ==
              offset_checkpoint{{p1, 3}});
    }

    log_manager m({a, b});
    auto found = m.discover();
    REQUIRE(found.size() == 3);
    CHECK(found[0].tp == topic_partition{"my-dashed-topic", 0});
    CHECK(found[0].dir == a / "my-dashed-topic-0");
    CHECK(found[0].log_dir == a);
    CHECK(found[0].recovery_point == 3);
    CHECK(found[0].log_start_offset == 1);
    CHECK(found[0].high_watermark == 2);
    CHECK(found[0].clean_shutdown);
    CHECK(found[1].tp == topic_partition{"my-dashed-topic", 1});
    CHECK(found[1].log_dir == b);
    CHECK(found[2].tp == topic_partition{"other", 0});
    CHECK(found[2].log_start_offset == 2);
    // The markers are gone: a crash from now on is unclean.
    CHECK_FALSE(fs::exists(a / clean_shutdown_marker_file));
    CHECK_FALSE(fs::exists(b / clean_shutdown_marker_file));
    auto again = m.discover();
    REQUIRE(again.size() == 3);
    CHECK_FALSE(again[0].clean_shutdown);
    // Discovered partitions count for placement and keep their dirs.
    CHECK(m.dir_for({"my-dashed-topic", 1}) == b);
    CHECK(m.dir_for({"new", 0}) == b);
}

TEST_CASE("meta.properties pins the node and cluster ids", "[log_manager]") {
    temp_dir tmp;
    log_manager m({tmp.path / "a", tmp.path / "b"});
    CHECK(m.ensure_meta_properties(1, "cluster-x") == "cluster-x");
    CHECK(m.ensure_meta_properties(1, "cluster-y") == "cluster-x");
    CHECK_THROWS_AS(m.ensure_meta_properties(2, "cluster-x"), std::runtime_error);
}
