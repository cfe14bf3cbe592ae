#pragma once
// Kafka wire primitives: big-endian integers, zig-zag varints, unsigned varints,
// and the reader/writer the generic message codec is built on.
//
// Contract: `reader` never reads past its span; any malformed input throws
// `decode_error` (caught at the connection edge, where it closes that connection
// only). `writer` appends to a growable buffer and can splice in file slices so a
// Fetch response can be sent with sendfile without copying log data.

#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::protocol {

using byte_view = std::span<const uint8_t>;

struct decode_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// 16-byte UUID (Kafka's "uuid" type); all zeros is Uuid.ZERO_UUID.
struct uuid {
    std::array<uint8_t, 16> bytes{};
    bool operator==(const uuid&) const = default;
    bool is_zero() const {
        for (auto b : bytes)
            if (b) return false;
        return true;
    }
};

// A byte range of an open file, spliced into an encoded message and written with
// sendfile (plaintext) or read and copied (TLS). `pin` keeps the file open while
// the response waits to be written.
struct file_slice {
    int fd = -1;
    uint64_t position = 0;
    uint32_t size = 0;
    std::shared_ptr<const void> pin;
};

class reader {
public:
    explicit reader(byte_view data) : data_(data) {}

    size_t remaining() const { return data_.size() - pos_; }
    size_t position() const { return pos_; }
    bool empty() const { return remaining() == 0; }

    byte_view take(size_t n) {
        need(n);
        auto out = data_.subspan(pos_, n);
        pos_ += n;
        return out;
    }
    void skip(size_t n) { take(n); }

    int8_t i8() { return static_cast<int8_t>(take(1)[0]); }
    uint8_t u8() { return take(1)[0]; }
    int16_t i16() { return static_cast<int16_t>(be(2)); }
    uint16_t u16() { return static_cast<uint16_t>(be(2)); }
    int32_t i32() { return static_cast<int32_t>(be(4)); }
    uint32_t u32() { return static_cast<uint32_t>(be(4)); }
    int64_t i64() { return static_cast<int64_t>(be(8)); }
    double f64() {
        uint64_t raw = be(8);
        double d;
        std::memcpy(&d, &raw, 8);
        return d;
    }

    uint32_t uvarint() {
        uint32_t value = 0;
        for (int shift = 0; shift <= 28; shift += 7) {
            uint8_t b = u8();
            value |= uint32_t(b & 0x7f) << shift;
            if (!(b & 0x80)) return value;
        }
        throw decode_error("unsigned varint longer than 5 bytes");
    }
    uint64_t uvarlong() {
        uint64_t value = 0;
        for (int shift = 0; shift <= 63; shift += 7) {
            uint8_t b = u8();
            value |= uint64_t(b & 0x7f) << shift;
            if (!(b & 0x80)) return value;
        }
        throw decode_error("unsigned varlong longer than 10 bytes");
    }
    int32_t varint() {
        uint32_t z = uvarint();
        return static_cast<int32_t>((z >> 1) ^ (~(z & 1) + 1));
    }
    int64_t varlong() {
        uint64_t z = uvarlong();
        return static_cast<int64_t>((z >> 1) ^ (~(z & 1) + 1));
    }

    // Length helpers. Compact lengths are uvarint(n + 1), 0 meaning null.
    // Returns -1 for null.
    int64_t compact_length() { return int64_t(uvarint()) - 1; }

private:
    void need(size_t n) const {
        if (n > remaining())
            throw decode_error("truncated: need " + std::to_string(n) + " bytes, have " +
                               std::to_string(remaining()));
    }
    uint64_t be(int n) {
        auto b = take(n);
        uint64_t v = 0;
        for (int i = 0; i < n; ++i) v = (v << 8) | b[i];
        return v;
    }

    byte_view data_;
    size_t pos_ = 0;
};

class writer {
public:
    struct splice {
        size_t at;  // byte offset in buffer() where the slice is inserted
        file_slice slice;
    };

    writer() { buf_.reserve(256); }

    std::vector<uint8_t>& buffer() { return buf_; }
    const std::vector<uint8_t>& buffer() const { return buf_; }
    const std::vector<splice>& splices() const { return splices_; }
    std::vector<splice> take_splices() { return std::move(splices_); }
    // Encoded size including spliced file bytes.
    size_t total_size() const { return buf_.size() + spliced_bytes_; }
    size_t size() const { return buf_.size(); }

    void raw(const void* p, size_t n) {
        auto* b = static_cast<const uint8_t*>(p);
        buf_.insert(buf_.end(), b, b + n);
    }
    void raw(byte_view v) { raw(v.data(), v.size()); }
    void file(const file_slice& s) {
        splices_.push_back({buf_.size(), s});
        spliced_bytes_ += s.size;
    }

    void i8(int8_t v) { buf_.push_back(static_cast<uint8_t>(v)); }
    void u8(uint8_t v) { buf_.push_back(v); }
    void i16(int16_t v) { be(static_cast<uint16_t>(v), 2); }
    void u16(uint16_t v) { be(v, 2); }
    void i32(int32_t v) { be(static_cast<uint32_t>(v), 4); }
    void u32(uint32_t v) { be(v, 4); }
    void i64(int64_t v) { be(static_cast<uint64_t>(v), 8); }
    void f64(double d) {
        uint64_t raw;
        std::memcpy(&raw, &d, 8);
        be(raw, 8);
    }
    void uvarint(uint32_t v) {
        while (v >= 0x80) {
            buf_.push_back(uint8_t(v) | 0x80);
            v >>= 7;
        }
        buf_.push_back(uint8_t(v));
    }
    void uvarlong(uint64_t v) {
        while (v >= 0x80) {
            buf_.push_back(uint8_t(v) | 0x80);
            v >>= 7;
        }
        buf_.push_back(uint8_t(v));
    }
    void varint(int32_t v) { uvarint((uint32_t(v) << 1) ^ uint32_t(v >> 31)); }
    void varlong(int64_t v) { uvarlong((uint64_t(v) << 1) ^ uint64_t(v >> 63)); }

    // Reserve n bytes to be filled later (length prefixes); returns their offset.
    size_t reserve(size_t n) {
        size_t at = buf_.size();
        buf_.resize(at + n);
        return at;
    }
    void patch_i32(size_t at, int32_t v) {
        uint32_t u = static_cast<uint32_t>(v);
        buf_[at] = uint8_t(u >> 24);
        buf_[at + 1] = uint8_t(u >> 16);
        buf_[at + 2] = uint8_t(u >> 8);
        buf_[at + 3] = uint8_t(u);
    }

private:
    void be(uint64_t v, int n) {
        for (int i = n - 1; i >= 0; --i) buf_.push_back(uint8_t(v >> (8 * i)));
    }

    std::vector<uint8_t> buf_;
    std::vector<splice> splices_;
    size_t spliced_bytes_ = 0;
};

}  // namespace sluice::protocol
