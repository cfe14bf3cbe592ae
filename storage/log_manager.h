#pragma once
// The broker's log directories (log.dirs): which partition logs exist, where a
// new one goes, and the per-directory files written at shutdown.
//
// Per log dir:
//   <log.dir>/<topic>-<partition>/            one partition_log each
//   <log.dir>/recovery-point-offset-checkpoint  (checkpoint.h format)
//   <log.dir>/log-start-offset-checkpoint        (checkpoint.h format)
//   <log.dir>/replication-offset-checkpoint      (checkpoint.h format)
//   <log.dir>/.sluice_clean_shutdown          empty marker: the last stop was clean
//   <log.dir>/meta.properties                 node.id / cluster.id (optional)
//
// Startup: discover() reads the checkpoints and the marker, then removes the
// marker so that a crash from here on counts as unclean. Shutdown: close every
// partition_log, write_checkpoints(), then mark_clean_shutdown().
//
// Threading: every member is safe to call from any thread (one mutex); the
// calls are rare (startup, topic creation, checkpoint timer, shutdown).

#include "storage/topic_partition.h"

#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace sluice::storage {

inline constexpr const char* clean_shutdown_marker_file = ".sluice_clean_shutdown";
inline constexpr const char* meta_properties_file = "meta.properties";

struct discovered_log {
    topic_partition tp;
    std::filesystem::path dir;      // <log_dir>/<topic>-<partition>
    std::filesystem::path log_dir;  // the log.dirs entry holding it
    int64_t recovery_point = 0;     // 0 when not checkpointed
    int64_t log_start_offset = 0;
    int64_t high_watermark = 0;
    bool clean_shutdown = false;  // the log dir's marker was present
};

// One partition's offsets for write_checkpoints(). log_dir is the parent of the
// partition directory (partition_log::dir().parent_path()).
struct checkpoint_entry {
    topic_partition tp;
    std::filesystem::path log_dir;
    int64_t recovery_point = 0;    // partition_log::flushed_offset()
    int64_t log_start_offset = 0;  // partition_log::log_start_offset()
    int64_t high_watermark = 0;
};

// Parses "<topic>-<partition>"; the partition follows the last '-'. nullopt for
// anything else (including Kafka's "...-delete" / "...-future" directories).
std::optional<topic_partition> parse_log_dir_name(std::string_view name);

class log_manager {
public:
    // Creates missing log dirs. Throws std::invalid_argument when `log_dirs` is empty.
    explicit log_manager(std::vector<std::filesystem::path> log_dirs);

    const std::vector<std::filesystem::path>& log_dirs() const { return log_dirs_; }

    // Every <topic>-<partition> directory in every log dir, sorted by tp, with
    // its checkpointed offsets and whether its log dir was shut down cleanly.
    // Removes the clean-shutdown markers (durably) before returning. A partition
    // found in two log dirs is reported once (the first) with a warning.
    std::vector<discovered_log> discover();

    // The log dir for tp: where it already lives, else the one holding the
    // fewest partitions (ties: the first listed). The partition dir is
    // dir_for(tp) / tp.dir_name().
    std::filesystem::path dir_for(const topic_partition& tp);
    // Forgets tp (its log was removed), so it no longer counts for placement.
    void release(const topic_partition& tp);

    // Replaces the three offset checkpoint files of every log dir with the given
    // entries (a log dir without entries gets empty files).
    void write_checkpoints(const std::vector<checkpoint_entry>& entries);
    // Writes the clean-shutdown marker in every log dir. Call after
    // write_checkpoints(), with every log closed.
    void mark_clean_shutdown();

    // meta.properties: writes node.id and cluster.id where missing and returns
    // the cluster id in use (an existing one wins over `new_cluster_id`). Throws
    // std::runtime_error when a log dir belongs to another node or the log dirs
    // disagree on the cluster id.
    std::string ensure_meta_properties(int32_t node_id, const std::string& new_cluster_id);

private:
    std::vector<std::filesystem::path> log_dirs_;
    std::mutex mu_;
    std::map<topic_partition, std::filesystem::path> placed_;  // tp -> log dir
};

}  // namespace sluice::storage
