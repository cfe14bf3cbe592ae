#pragma once
// Producer ids for InitProducerId. Ids are handed out from blocks of
// `block_size`; before the first id of a block is used, the start of the next
// block is written durably to <dir>/producer-id-block, so after a crash or a
// restart allocation resumes past every id that may have been handed out
// (unused ids of the last block are skipped, as Kafka's block allocation does).
// Thread-safe.

#include <cstdint>
#include <filesystem>
#include <mutex>

namespace sluice::broker {

class producer_id_manager {
public:
    static constexpr int64_t block_size = 1000;

    // Reads the persisted block start (a missing file starts at 0); throws
    // std::runtime_error naming the file when it cannot be parsed.
    explicit producer_id_manager(std::filesystem::path dir);

    // The next producer id; throws std::system_error when the block file cannot
    // be written (the id is then not handed out).
    int64_t next();

private:
    std::filesystem::path path_;
    std::mutex mutex_;
    int64_t next_id_ = 0;
    int64_t block_end_ = 0;  // ids in [next_id_, block_end_) are reserved on disk
};

}  // namespace sluice::broker
