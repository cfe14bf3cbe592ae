#pragma once
// Kafka's legacy record formats, magic 0 (0.8) and magic 1 (0.10, KIP-31/32),
// known together as "MessageSet". Sluice stores only RecordBatch v2, so these
// exist at the edges: Produce v0-2 sets are up-converted into one v2 batch, and
// Fetch v0-1 (magic 0) / v2-3 (magic 1) responses are down-converted from the
// stored v2 batches, because clients at those versions cannot read magic 2.
//
// A MessageSet is a plain concatenation of entries, with no count and no header:
//
//  offset  field        type
//   0      offset       int64   absolute offset (see compressed wrappers below)
//   8      messageSize  int32   bytes after this field (total = 12 + messageSize)
//  12      crc          uint32  CRC-32 (IEEE, zlib's crc32) of bytes [16, end)
//  16      magic        int8    0 or 1
//  17      attributes   int8    bits 0-2 codec (0 none, 1 gzip, 2 snappy, 3 lz4),
//                               bit 3 timestamp type (magic 1 only; 1 = LogAppendTime)
//  18      timestamp    int64   magic 1 only; -1 = none
//  18|26   keyLength    int32   -1 = null key
//          key          bytes
//          valueLength  int32   -1 = null value
//          value        bytes
//
// Compressed sets: one "wrapper" message whose attributes name the codec and
// whose value is an inner MessageSet, compressed as a whole:
//
//   wrapper: offset = last inner offset | size | crc | magic | attrs=codec | [ts] |
//            key = null | value = compress( inner MessageSet )
//   inner:   entries as above, codec 0, same magic as the wrapper; offsets are
//            absolute for magic 0 and relative (0 .. n-1) for magic 1 (KIP-31).
//
// Quirks honoured: magic-0 lz4 wrappers written by Kafka 0.8-0.9 (and librdkafka
// for magic 0) carry a wrong LZ4 frame header checksum (KIP-57), which Kafka
// ignores, so up_convert recomputes it before decoding; snappy uses the xerial
// framing in every magic (see compression.h).

#include "protocol/codec.h"
#include "protocol/errors.h"

#include <string>

namespace sluice::protocol {

// Magic of the first entry of a records blob: byte 16 in every format (the v2
// batch header and the legacy message header agree on that position). -1 when
// the blob is shorter than 17 bytes. Produce v0-2 may carry any magic (Kafka
// does not check below v3), so the handler routes on this: 0/1 -> up_convert,
// 2 -> check_batches.
int8_t records_magic(byte_view data);

struct legacy_check {
    error_code error = error_code::none;
    std::string message;
    bytes batch;        // when error == none: one RecordBatch v2, base offset 0
    int8_t magic = -1;  // magic of the first message in the set
    int32_t record_count = 0;
};

// Validates a Produce v0-2 MessageSet and converts it into one RecordBatch v2.
// Checks every message's size, magic (0 or 1), CRC and key/value framing, and
// the same for the inner messages of compressed wrappers (which must be
// uncompressed and of the wrapper's magic). A partial trailing message is an
// error here (a producer sends whole messages). Records keep their keys, values
// and timestamps: magic 0 has none (-1, Kafka's NO_TIMESTAMP); magic 1 keeps the
// message's timestamp, or now_ms when the message (or its wrapper) says
// LogAppendTime. The batch is compressed with the codec of the first compressed
// wrapper, if any; zstd (and unknown codecs) are not allowed in legacy formats.
// Decompression of each wrapper is bounded by max_inflated. Offsets in the input
// are ignored: the broker assigns them.
// Errors: corrupt_message (framing, CRC, corrupt compressed data),
// unsupported_compression_type, invalid_record (empty set).
legacy_check up_convert(byte_view message_set, int64_t now_ms, size_t max_inflated = 256u << 20);

// Converts stored RecordBatch v2 bytes (offsets assigned) into an uncompressed
// MessageSet of `magic` (0 for Fetch v0-1, 1 for Fetch v2-3). Records keep their
// absolute offsets; control batches, and records with offset < first_offset_wanted,
// are skipped; headers are dropped (legacy formats have none). Magic 1 messages
// carry the record's timestamp (the batch's maxTimestamp when the batch uses
// LogAppendTime, with the timestamp-type bit set). A trailing partial batch is
// ignored, as Fetch returns cut-off data. Throws decode_error on a batch that is
// not magic 2 or whose records are malformed, std::invalid_argument on a magic
// other than 0 or 1.
bytes down_convert(byte_view v2_batches, int8_t magic, int64_t first_offset_wanted);

}  // namespace sluice::protocol
