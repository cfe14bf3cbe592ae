#include "broker/producer_ids.h"

#include "storage/durable_file.h"

#include <charconv>
#include <stdexcept>
#include <string>

namespace sluice::broker {

producer_id_manager::producer_id_manager(std::filesystem::path dir)
    : path_(std::move(dir) / "producer-id-block") {
    auto text = storage::read_file_if_exists(path_);
    if (!text) return;
    int64_t start = -1;
    auto end = text->data() + text->size();
    while (end > text->data() && (end[-1] == '\n' || end[-1] == ' ')) --end;
    auto [ptr, ec] = std::from_chars(text->data(), end, start);
    if (ec != std::errc() || ptr != end || start < 0)
        throw std::runtime_error("corrupt producer id block file " + path_.string() + ": '" +
                                 *text + "' (expected one non-negative integer)");
    next_id_ = start;
    block_end_ = start;
}

int64_t producer_id_manager::next() {
    std::lock_guard lock(mutex_);
    if (next_id_ >= block_end_) {
        int64_t end = next_id_ + block_size;
        storage::write_file_durably(path_, std::to_string(end) + "\n");
        block_end_ = end;
    }
    return next_id_++;
}

}  // namespace sluice::broker
