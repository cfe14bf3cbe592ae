#pragma once
// Request header v0/v1/v2 and response header v0/v1.
//
//   request header v0: api_key int16 | api_version int16 | correlation_id int32
//   v1 adds:           client_id nullable string (int16 length, never compact)
//   v2 adds:           tagged fields (uvarint count, entries)
//   response header v0: correlation_id int32;  v1 adds tagged fields.
// A request uses v2 when its API version is flexible, else v1. ApiVersions'
// response header is always v0, whatever the request version (clients rely on it).

#include "protocol/wire.h"

#include <optional>
#include <string>

namespace sluice::protocol {

constexpr int16_t api_versions_key = 18;

struct request_header {
    int16_t api_key = 0;
    int16_t api_version = 0;
    int32_t correlation_id = 0;
    std::optional<std::string> client_id;
};

// Reads key, version and correlation id only (enough to route or reject).
inline request_header peek_request_header(byte_view frame) {
    reader r(frame);
    request_header h;
    h.api_key = r.i16();
    h.api_version = r.i16();
    h.correlation_id = r.i32();
    return h;
}

// The client id of a request header v1/v2 (every API but ControlledShutdown v0),
// best effort for log lines: nullopt when the frame is too short or it is null.
inline std::optional<std::string> peek_client_id(byte_view frame) {
    if (frame.size() < 10) return std::nullopt;
    int16_t n = int16_t(uint16_t(frame[8]) << 8 | frame[9]);
    if (n < 0 || size_t(n) > frame.size() - 10) return std::nullopt;
    return std::string(reinterpret_cast<const char*>(frame.data() + 10), size_t(n));
}

// Reads the whole header; `flexible` selects header v2. Leaves r at the body.
inline request_header read_request_header(reader& r, bool flexible) {
    request_header h;
    h.api_key = r.i16();
    h.api_version = r.i16();
    h.correlation_id = r.i32();
    int16_t n = r.i16();
    if (n >= 0) {
        auto b = r.take(size_t(n));
        h.client_id.emplace(reinterpret_cast<const char*>(b.data()), b.size());
    } else if (n < -1) {
        throw decode_error("bad client_id length");
    }
    if (flexible) {
        uint32_t tags = r.uvarint();
        for (uint32_t i = 0; i < tags; ++i) {
            r.uvarint();
            r.skip(r.uvarint());
        }
    }
    return h;
}

inline void write_request_header(writer& w, const request_header& h, bool flexible) {
    w.i16(h.api_key);
    w.i16(h.api_version);
    w.i32(h.correlation_id);
    if (h.client_id) {
        w.i16(static_cast<int16_t>(h.client_id->size()));
        w.raw(h.client_id->data(), h.client_id->size());
    } else {
        w.i16(-1);
    }
    if (flexible) w.uvarint(0);
}

inline bool response_header_flexible(int16_t api_key, bool request_flexible) {
    return request_flexible && api_key != api_versions_key;
}

inline void write_response_header(writer& w, int32_t correlation_id, bool flexible) {
    w.i32(correlation_id);
    if (flexible) w.uvarint(0);
}

inline int32_t read_response_header(reader& r, bool flexible) {
    int32_t id = r.i32();
    if (flexible) {
        uint32_t tags = r.uvarint();
        for (uint32_t i = 0; i < tags; ++i) {
            r.uvarint();
            r.skip(r.uvarint());
        }
    }
    return id;
}

}  // namespace sluice::protocol
