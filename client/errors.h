#pragma once
// Exceptions thrown by the client library. Every message is one line that names
// what failed and where (broker address, API, topic/partition).

#include "protocol/errors.h"

#include <optional>
#include <stdexcept>
#include <string>

namespace sluice::client {

// Any client failure.
struct client_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The connection failed (refused, reset, closed, short read, timeout). The
// connection is closed; a later request reconnects.
struct network_error : client_error {
    using client_error::client_error;
};

// A deadline passed (connect, send or receive).
struct timeout_error : network_error {
    using network_error::network_error;
};

// The broker answered with a Kafka error code.
struct kafka_error : client_error {
    kafka_error(protocol::error_code c, const std::string& what) : client_error(what), code(c) {}
    protocol::error_code code;
};

// "unknown_topic_or_partition (3)"; unknown codes print as "error 123".
std::string describe_error(int16_t code);

// Throws kafka_error "<context>: <error> [: <message>]" when code != 0.
void check_error(int16_t code, const std::string& context,
                 const std::optional<std::string>& message = std::nullopt);

}  // namespace sluice::client
