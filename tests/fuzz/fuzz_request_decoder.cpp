// Fuzzes the request path's decoding: header, then the message for its key and
// version. Any input must either decode or throw decode_error; crashes, leaks,
// overflows and other exceptions are bugs.
#include "protocol/request_decoder.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 8) return 0;
    try {
        (void)sluice::protocol::decode_any_request({data, size});
    } catch (const sluice::protocol::decode_error&) {
    }
    return 0;
}
