#pragma once
// RecordBatch (magic v2): the storage and wire format. The broker reads the
// header, checks the CRC, and assigns offsets by rewriting baseOffset and
// partitionLeaderEpoch in place (both lie outside the CRC), never decompressing.
//
//  offset  field                 type
//   0      baseOffset            int64
//   8      batchLength           int32   bytes after this field (total = 12 + batchLength)
//  12      partitionLeaderEpoch  int32
//  16      magic                 int8    = 2
//  17      crc                   uint32  CRC32C of bytes [21, end)
//  21      attributes            int16   bits 0-2 compression, 3 timestamp type
//                                        (1 = log append time), 4 transactional, 5 control
//  23      lastOffsetDelta       int32
//  27      baseTimestamp         int64
//  35      maxTimestamp          int64
//  43      producerId            int64
//  51      producerEpoch         int16
//  53      baseSequence          int32
//  57      recordCount           int32
//  61      records               (compressed as a whole when attributes say so)
//
//  record: length varint | attributes int8 | timestampDelta varlong | offsetDelta varint
//          | keyLength varint | key | valueLength varint | value
//          | headerCount varint | [keyLength varint | key | valueLength varint | value]...

#include "protocol/codec.h"
#include "protocol/compression.h"
#include "protocol/errors.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace sluice::protocol {

constexpr size_t batch_header_size = 61;
constexpr size_t batch_log_overhead = 12;  // baseOffset + batchLength
constexpr int8_t current_magic = 2;

struct batch_header {
    int64_t base_offset = 0;
    int32_t batch_length = 0;
    int32_t partition_leader_epoch = -1;
    int8_t magic = 2;
    uint32_t crc = 0;
    int16_t attributes = 0;
    int32_t last_offset_delta = 0;
    int64_t base_timestamp = 0;
    int64_t max_timestamp = 0;
    int64_t producer_id = -1;
    int16_t producer_epoch = -1;
    int32_t base_sequence = -1;
    int32_t record_count = 0;

    compression codec() const { return static_cast<compression>(attributes & 0x7); }
    bool log_append_time() const { return attributes & 0x8; }
    bool transactional() const { return attributes & 0x10; }
    bool control() const { return attributes & 0x20; }
    int64_t last_offset() const { return base_offset + last_offset_delta; }
    size_t total_size() const { return batch_log_overhead + size_t(batch_length); }
};

// Parses the first batch header in `data`. Throws decode_error when fewer than
// batch_header_size bytes are present. Does not check the CRC or the length.
batch_header parse_batch_header(byte_view data);

// CRC32C over [21, total) against the stored crc. `batch` must be one whole batch.
bool batch_crc_ok(byte_view batch);

// In-place rewrites (outside the CRC'd region).
void set_base_offset(uint8_t* batch, int64_t base_offset);
void set_partition_leader_epoch(uint8_t* batch, int32_t epoch);
// LogAppendTime: sets the timestamp-type bit and maxTimestamp, then the CRC.
void set_log_append_time(uint8_t* batch, size_t size, int64_t timestamp);

// Checks a Produce payload: one or more whole v2 batches, each with a sane length,
// the right magic and a matching CRC. On failure returns the Kafka error and a
// message; on success the parsed headers, in order.
struct batch_check {
    error_code error = error_code::none;
    std::string message;
    std::vector<batch_header> batches;
};
batch_check check_batches(byte_view data);

// One decoded record; views point into the (decompressed) record data.
struct record_view {
    int8_t attributes = 0;
    int64_t timestamp_delta = 0;
    int32_t offset_delta = 0;
    std::optional<byte_view> key;
    std::optional<byte_view> value;
    std::vector<std::pair<std::string_view, std::optional<byte_view>>> headers;
};

// One record (its bytes after the length varint) of a batch's uncompressed
// records section. Throws decode_error on malformed input.
record_view parse_record(byte_view body);

// Writes a v2 batch: the fields of `h` (its batch_length and crc are ignored
// and computed here) followed by `payload`, the records section already
// compressed as h.attributes says.
bytes write_batch(const batch_header& h, byte_view payload);

// Calls f for each record of a whole batch; decompresses when needed.
// Throws decode_error on malformed input.
void for_each_record(byte_view batch,
                     const std::function<void(const batch_header&, const record_view&)>& f);

// A record to build a batch from (client side, tests, compaction).
struct record {
    std::optional<bytes> key;
    std::optional<bytes> value;
    std::vector<std::pair<std::string, std::optional<bytes>>> headers;
    int64_t timestamp = 0;
};

struct batch_options {
    compression codec = compression::none;
    int64_t base_offset = 0;
    int64_t producer_id = -1;
    int16_t producer_epoch = -1;
    int32_t base_sequence = -1;
    bool transactional = false;
    bool control = false;
    int32_t partition_leader_epoch = -1;
};

bytes build_batch(const std::vector<record>& records, const batch_options& opts = {});

// The same batch with its records compressed with `codec` instead (Kafka's
// broker-side compression.type): every header field but the codec bits, the
// batch length and the CRC is kept, and the records' bytes are unchanged.
// `batch` must be one whole, checked v2 batch (not a control batch). Throws
// decode_error when its records cannot be decompressed.
bytes recompress_batch(byte_view batch, compression codec);

}  // namespace sluice::protocol
