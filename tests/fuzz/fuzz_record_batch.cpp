// Fuzzes record-batch validation and record iteration (with decompression).
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
    return 0;
}
