#include "protocol/record_batch.h"

#include "protocol/crc32c.h"

namespace sluice::protocol {
namespace {

void put_be(uint8_t* p, uint64_t v, int n) {
    for (int i = n - 1; i >= 0; --i) {
        p[i] = uint8_t(v);
        v >>= 8;
    }
}

std::optional<byte_view> read_varbytes(reader& r) {
    int32_t n = r.varint();
    if (n < -1) throw decode_error("negative record field length");
    if (n == -1) return std::nullopt;
    return r.take(size_t(n));
}

}  // namespace

record_view parse_record(byte_view body) {
    reader rr(body);
    record_view rec;
    rec.attributes = rr.i8();
    rec.timestamp_delta = rr.varlong();
    rec.offset_delta = rr.varint();
    rec.key = read_varbytes(rr);
    rec.value = read_varbytes(rr);
    int32_t nh = rr.varint();
    if (nh < 0) throw decode_error("negative header count");
    for (int32_t k = 0; k < nh; ++k) {
        int32_t kl = rr.varint();
        if (kl < 0) throw decode_error("negative header key length");
        auto kb = rr.take(size_t(kl));
        auto hv = read_varbytes(rr);
        rec.headers.emplace_back(
            std::string_view(reinterpret_cast<const char*>(kb.data()), kb.size()), hv);
    }
    return rec;
}

bytes write_batch(const batch_header& h, byte_view payload) {
    writer w;
    w.i64(h.base_offset);
    w.i32(int32_t(batch_header_size - batch_log_overhead + payload.size()));
    w.i32(h.partition_leader_epoch);
    w.i8(current_magic);
    size_t crc_at = w.reserve(4);
    w.i16(h.attributes);
    w.i32(h.last_offset_delta);
    w.i64(h.base_timestamp);
    w.i64(h.max_timestamp);
    w.i64(h.producer_id);
    w.i16(h.producer_epoch);
    w.i32(h.base_sequence);
    w.i32(h.record_count);
    w.raw(payload.data(), payload.size());
    auto& buf = w.buffer();
    w.patch_i32(crc_at, static_cast<int32_t>(crc32c(0, buf.data() + 21, buf.size() - 21)));
    return std::move(buf);
}

batch_header parse_batch_header(byte_view data) {
    if (data.size() < batch_header_size) throw decode_error("record batch shorter than its header");
    reader r(data);
    batch_header h;
    h.base_offset = r.i64();
    h.batch_length = r.i32();
    h.partition_leader_epoch = r.i32();
    h.magic = r.i8();
    h.crc = r.u32();
    h.attributes = r.i16();
    h.last_offset_delta = r.i32();
    h.base_timestamp = r.i64();
    h.max_timestamp = r.i64();
    h.producer_id = r.i64();
    h.producer_epoch = r.i16();
    h.base_sequence = r.i32();
    h.record_count = r.i32();
    return h;
}

bool batch_crc_ok(byte_view batch) {
    if (batch.size() < batch_header_size) return false;
    reader r(batch.subspan(17, 4));
    uint32_t stored = r.u32();
    return crc32c(0, batch.data() + 21, batch.size() - 21) == stored;
}

void set_base_offset(uint8_t* batch, int64_t base_offset) {
    put_be(batch, static_cast<uint64_t>(base_offset), 8);
}

void set_partition_leader_epoch(uint8_t* batch, int32_t epoch) {
    put_be(batch + 12, static_cast<uint32_t>(epoch), 4);
}

void set_log_append_time(uint8_t* batch, size_t size, int64_t timestamp) {
    uint16_t attrs = uint16_t(batch[21]) << 8 | batch[22];
    attrs |= 0x8;
    put_be(batch + 21, attrs, 2);
    put_be(batch + 35, static_cast<uint64_t>(timestamp), 8);
    put_be(batch + 17, crc32c(0, batch + 21, size - 21), 4);
}

batch_check check_batches(byte_view data) {
    batch_check out;
    size_t pos = 0;
    if (data.empty()) {
        out.error = error_code::invalid_record;
        out.message = "empty record set";
        return out;
    }
    while (pos < data.size()) {
        auto rest = data.subspan(pos);
        if (rest.size() < batch_header_size) {
            out.error = error_code::corrupt_message;
            out.message = "truncated record batch header";
            return out;
        }
        auto h = parse_batch_header(rest);
        if (h.magic != current_magic) {
            out.error = error_code::unsupported_for_message_format;
            out.message = "record batch magic " + std::to_string(h.magic) + ", expected 2";
            return out;
        }
        if (h.batch_length < int32_t(batch_header_size - batch_log_overhead) ||
            h.total_size() > rest.size()) {
            out.error = error_code::corrupt_message;
            out.message = "record batch length " + std::to_string(h.batch_length) + " is invalid";
            return out;
        }
        if (h.last_offset_delta < 0 || h.record_count < 0) {
            out.error = error_code::corrupt_message;
            out.message = "record batch has a negative offset delta or count";
            return out;
        }
        if (!batch_crc_ok(rest.subspan(0, h.total_size()))) {
            out.error = error_code::corrupt_message;
            out.message = "record batch CRC mismatch";
            return out;
        }
        if (h.codec() > compression::zstd) {
            out.error = error_code::unsupported_compression_type;
            out.message = "unknown compression codec";
            return out;
        }
        out.batches.push_back(h);
        pos += h.total_size();
    }
    return out;
}

void for_each_record(byte_view batch,
                     const std::function<void(const batch_header&, const record_view&)>& f) {
    auto h = parse_batch_header(batch);
    if (h.batch_length < int32_t(batch_header_size - batch_log_overhead))
        throw decode_error("record batch length " + std::to_string(h.batch_length) +
                           " is shorter than its header");
    if (h.total_size() > batch.size()) throw decode_error("record batch is truncated");
    if (h.record_count < 0) throw decode_error("negative record count");
    auto payload = batch.subspan(batch_header_size, h.total_size() - batch_header_size);
    bytes inflated;
    if (h.codec() != compression::none) {
        inflated = decompress(h.codec(), payload);
        payload = inflated;
    }
    reader r(payload);
    for (int32_t i = 0; i < h.record_count; ++i) {
        int32_t len = r.varint();
        if (len < 0) throw decode_error("negative record length");
        f(h, parse_record(r.take(size_t(len))));
    }
}

bytes build_batch(const std::vector<record>& records, const batch_options& opts) {
    int64_t base_ts = records.empty() ? 0 : records.front().timestamp;
    int64_t max_ts = base_ts;
    for (auto& r : records) max_ts = std::max(max_ts, r.timestamp);

    writer body;
    int32_t delta = 0;
    for (auto& rec : records) {
        writer rw;
        rw.i8(0);
        rw.varlong(rec.timestamp - base_ts);
        rw.varint(delta++);
        auto put = [&](const std::optional<bytes>& b) {
            if (!b) {
                rw.varint(-1);
            } else {
                rw.varint(int32_t(b->size()));
                rw.raw(b->data(), b->size());
            }
        };
        put(rec.key);
        put(rec.value);
        rw.varint(int32_t(rec.headers.size()));
        for (auto& [k, v] : rec.headers) {
            rw.varint(int32_t(k.size()));
            rw.raw(k.data(), k.size());
            put(v);
        }
        body.varint(int32_t(rw.size()));
        body.raw(rw.buffer().data(), rw.size());
    }
    bytes payload = opts.codec == compression::none ? std::move(body.buffer())
                                                    : compress(opts.codec, body.buffer());

    batch_header h;
    h.base_offset = opts.base_offset;
    h.partition_leader_epoch = opts.partition_leader_epoch;
    h.attributes = int16_t(opts.codec);
    if (opts.transactional) h.attributes |= 0x10;
    if (opts.control) h.attributes |= 0x20;
    h.last_offset_delta = records.empty() ? 0 : int32_t(records.size()) - 1;
    h.base_timestamp = base_ts;
    h.max_timestamp = max_ts;
    h.producer_id = opts.producer_id;
    h.producer_epoch = opts.producer_epoch;
    h.base_sequence = opts.base_sequence;
    h.record_count = int32_t(records.size());
    return write_batch(h, payload);
}

bytes recompress_batch(byte_view batch, compression codec) {
    auto h = parse_batch_header(batch);
    if (h.total_size() > batch.size() || h.total_size() < batch_header_size)
        throw decode_error("batch length does not match its data");
    byte_view payload = batch.subspan(batch_header_size, h.total_size() - batch_header_size);
    bytes records = h.codec() == compression::none ? bytes(payload.begin(), payload.end())
                                                   : decompress(h.codec(), payload);
    bytes packed = codec == compression::none ? std::move(records) : compress(codec, records);
    h.attributes = int16_t((h.attributes & ~0x7) | int16_t(codec));
    return write_batch(h, packed);
}

}  // namespace sluice::protocol
