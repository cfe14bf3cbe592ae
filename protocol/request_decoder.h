#pragma once
// Decodes any request frame (header + body) into its message struct, for
// tools and the fuzzer. The broker routes through its own handler table.

#include "protocol/codec.h"
#include "protocol/header.h"

#include <string>

namespace sluice::protocol {

struct decoded_request {
    request_header header;
    bool known = false;      // API key and version are implemented
    std::string api_name;    // schema name of the request, when known
};

// Throws decode_error on malformed input. Unknown keys/versions return known=false.
decoded_request decode_any_request(byte_view frame);

}  // namespace sluice::protocol
