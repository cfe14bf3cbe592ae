// Fuzzes record-batch validation, record iteration (with decompression) and
// recompression of checked batches (broker-side compression.type).
#include "protocol/record_batch.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    sluice::protocol::byte_view in{data, size};
    auto check = sluice::protocol::check_batches(in);
    try {
        if (size >= sluice::protocol::batch_header_size)
            sluice::protocol::for_each_record(in, [](auto&, auto&) {});
    } catch (const sluice::protocol::decode_error&) {
    }
    // As the produce path does: only a batch that passed the checks is recompressed.
    if (check.error == sluice::protocol::error_code::none && check.batches.size() == 1 &&
        !check.batches[0].control()) {
        try {
            auto codec = static_cast<sluice::protocol::compression>(size % 5);
            auto out = sluice::protocol::recompress_batch(in, codec);
            if (!sluice::protocol::batch_crc_ok(out)) __builtin_trap();
        } catch (const sluice::protocol::decode_error&) {
        }
    }
    return 0;
}
