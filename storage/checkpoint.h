#pragma once
// Kafka's checkpoint files, read and written in Kafka's own text format so its
// tools and operators recognise them.
//
// Offset checkpoints (one per log dir): recovery-point-offset-checkpoint,
// log-start-offset-checkpoint, replication-offset-checkpoint.
//
//   +------------------------------------+
//   | 0                                  |  version line
//   +------------------------------------+
//   | N                                  |  number of entries
//   +------------------------------------+
//   | <topic> <partition> <offset>       |  N lines, single spaces, '\n' endings
//   | ...                                |  (topic names never contain spaces)
//   +------------------------------------+
//
// Leader-epoch checkpoint (one per partition dir): leader-epoch-checkpoint.
//
//   +------------------------------------+
//   | 0                                  |  version line
//   | N                                  |  number of entries
//   | <epoch> <start offset>             |  N lines, ascending epochs
//   +------------------------------------+
//
// Writes are atomic and durable (write_file_durably: tmp, fsync, rename, fsync
// directory). Reads treat a missing file as empty and throw checkpoint_error
// for anything malformed. Not thread-safe per file: one writer at a time.

#include "storage/topic_partition.h"

#include <cstdint>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <vector>

namespace sluice::storage {

inline constexpr const char* recovery_point_checkpoint_file = "recovery-point-offset-checkpoint";
inline constexpr const char* log_start_offset_checkpoint_file = "log-start-offset-checkpoint";
inline constexpr const char* replication_offset_checkpoint_file = "replication-offset-checkpoint";
inline constexpr const char* leader_epoch_checkpoint_file = "leader-epoch-checkpoint";

struct checkpoint_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

using offset_checkpoint = std::map<topic_partition, int64_t>;

offset_checkpoint read_offset_checkpoint(const std::filesystem::path& file);
void write_offset_checkpoint(const std::filesystem::path& file, const offset_checkpoint& offsets);

struct epoch_entry {
    int32_t epoch = 0;
    int64_t start_offset = 0;
    bool operator==(const epoch_entry&) const = default;
};

std::vector<epoch_entry> read_leader_epoch_checkpoint(const std::filesystem::path& file);
void write_leader_epoch_checkpoint(const std::filesystem::path& file,
                                   const std::vector<epoch_entry>& entries);

}  // namespace sluice::storage
