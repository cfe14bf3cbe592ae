#include "storage/producer_state.h"

#include "protocol/crc32c.h"
#include "storage/durable_file.h"
#include "storage/segment.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <limits>
#include <system_error>

namespace sluice::storage {

namespace fs = std::filesystem;
using protocol::batch_header;

namespace {

constexpr char snapshot_magic[4] = {'S', 'L', 'P', 'S'};
constexpr uint16_t snapshot_version = 1;
constexpr size_t snapshot_header_size = 24;
constexpr size_t snapshot_crc_start = 12;
constexpr size_t entry_fixed_size = 8 + 2 + 4 + 8 + 8 + 1;
constexpr size_t batch_record_size = 4 + 4 + 8 + 8 + 8;
constexpr std::string_view snapshot_suffix = ".snapshot";
constexpr std::string_view tmp_suffix = ".snapshot.tmp";

bool in_sequence(int32_t last_seq, int32_t next_seq) {
    return int64_t(next_seq) == int64_t(last_seq) + 1 ||
           (next_seq == 0 && last_seq == std::numeric_limits<int32_t>::max());
}

// Big-endian writer / reader over a std::string.
class writer {
public:
    explicit writer(std::string& out) : out_(out) {}
    template <class T>
    void put(T v) {
        auto u = static_cast<std::make_unsigned_t<T>>(v);
        for (int i = int(sizeof(T)) - 1; i >= 0; --i) out_.push_back(char(uint8_t(u >> (8 * i))));
    }

private:
    std::string& out_;
};

class reader {
public:
    explicit reader(std::string_view in) : in_(in) {}
    bool has(size_t n) const { return in_.size() - pos_ >= n; }
    size_t remaining() const { return in_.size() - pos_; }
    template <class T>
    T get() {  // callers check has() first
        std::make_unsigned_t<T> u = 0;
        for (size_t i = 0; i < sizeof(T); ++i)
            u = static_cast<std::make_unsigned_t<T>>((u << 8) | uint8_t(in_[pos_ + i]));
        pos_ += sizeof(T);
        return static_cast<T>(u);
    }

private:
    std::string_view in_;
    size_t pos_ = 0;
};

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

protocol::error_code producer_check::error() const {
    switch (verdict) {
        case producer_verdict::out_of_order_sequence:
            return protocol::error_code::out_of_order_sequence_number;
        case producer_verdict::invalid_producer_epoch:
            return protocol::error_code::invalid_producer_epoch;
        case producer_verdict::accept:
        case producer_verdict::duplicate:
            break;
    }
    return protocol::error_code::none;
}

int32_t batch_last_sequence(int32_t base_sequence, int32_t last_offset_delta) {
    constexpr int32_t max = std::numeric_limits<int32_t>::max();
    if (last_offset_delta < 0) return base_sequence;
    if (base_sequence > max - last_offset_delta)
        return last_offset_delta - (max - base_sequence) - 1;
    return base_sequence + last_offset_delta;
}

// ---------------------------------------------------------------- logic

std::string producer_state::where() const {
    return partition_.empty() ? std::string() : " in partition " + partition_;
}

const producer_entry* producer_state::find(int64_t producer_id) const {
    auto it = producers_.find(producer_id);
    return it == producers_.end() ? nullptr : &it->second;
}

producer_check producer_state::check(const batch_header& h) const {
    producer_check out;
    if (h.producer_id < 0 || h.base_sequence < 0) return out;
    const producer_entry* e = find(h.producer_id);
    if (!e) return out;  // unknown producer: any sequence (Kafka 2.5+, KIP-360)

    const int32_t first_seq = h.base_sequence;
    const int32_t last_seq = batch_last_sequence(h.base_sequence, h.last_offset_delta);
    if (h.producer_epoch == e->epoch) {
        for (const auto& b : e->batches) {
            if (b.first_seq == first_seq && b.last_seq == last_seq) {
                out.verdict = producer_verdict::duplicate;
                out.first_offset = b.first_offset;
                out.last_offset = b.last_offset;
                return out;
            }
        }
        if (!in_sequence(e->last_seq(), first_seq)) {
            out.verdict = producer_verdict::out_of_order_sequence;
            out.message = "Out of order sequence number for producer " +
                          std::to_string(h.producer_id) + where() + ": " +
                          std::to_string(first_seq) + " (incoming seq. number), " +
                          std::to_string(e->last_seq()) + " (current end sequence number)";
        }
        return out;
    }
    if (h.producer_epoch < e->epoch) {
        out.verdict = producer_verdict::invalid_producer_epoch;
        out.message = "Epoch of producer " + std::to_string(h.producer_id) + where() + " is " +
                      std::to_string(h.producer_epoch) +
                      ", which is smaller than the last seen epoch " + std::to_string(e->epoch);
        return out;
    }
    // A new epoch starts the sequences over.
    if (first_seq != 0) {
        out.verdict = producer_verdict::out_of_order_sequence;
        out.message = "Invalid sequence number for new epoch of producer " +
                      std::to_string(h.producer_id) + where() + ": " +
                      std::to_string(h.producer_epoch) + " (request epoch), " +
                      std::to_string(first_seq) + " (seq. number), " + std::to_string(e->epoch) +
                      " (current producer epoch)";
    }
    return out;
}

void producer_state::update(const batch_header& h, int64_t first_offset, int64_t last_offset) {
    if (h.producer_id < 0 || h.base_sequence < 0 || h.control()) return;
    auto [it, fresh] = producers_.try_emplace(h.producer_id);
    producer_entry& e = it->second;
    if (fresh) e.producer_id = h.producer_id;
    if (fresh || e.epoch != h.producer_epoch) {
        e.epoch = h.producer_epoch;
        e.batches.clear();
    }
    if (e.batches.size() >= producer_entry::max_batches) e.batches.erase(e.batches.begin());
    e.batches.push_back({h.base_sequence, batch_last_sequence(h.base_sequence, h.last_offset_delta),
                         first_offset, last_offset, h.max_timestamp});
    e.last_timestamp = h.max_timestamp;
}

size_t producer_state::expire(int64_t now_ms, int64_t expiration_ms) {
    if (expiration_ms < 0) return 0;
    return std::erase_if(producers_, [&](const auto& kv) {
        const producer_entry& e = kv.second;
        return e.current_txn_first_offset < 0 && now_ms - e.last_timestamp >= expiration_ms;
    });
}

void producer_state::truncate(int64_t end_offset) {
    for (auto it = producers_.begin(); it != producers_.end();) {
        producer_entry& e = it->second;
        while (!e.batches.empty() && e.batches.back().last_offset >= end_offset)
            e.batches.pop_back();
        if (e.current_txn_first_offset >= end_offset) e.current_txn_first_offset = -1;
        if (e.batches.empty() && e.current_txn_first_offset < 0)
            it = producers_.erase(it);
        else
            ++it;
    }
}

// ---------------------------------------------------------------- snapshots

std::string producer_state::encode_snapshot(int64_t offset) const {
    std::string out;
    out.reserve(snapshot_header_size +
                producers_.size() * (entry_fixed_size + 2 * batch_record_size));
    out.append(snapshot_magic, sizeof snapshot_magic);
    writer w(out);
    w.put<uint16_t>(snapshot_version);
    w.put<uint16_t>(0);
    w.put<uint32_t>(0);  // crc, filled in below
    w.put<int64_t>(offset);
    w.put<uint32_t>(uint32_t(producers_.size()));
    for (const auto& [id, e] : producers_) {
        w.put<int64_t>(id);
        w.put<int16_t>(e.epoch);
        w.put<int32_t>(e.coordinator_epoch);
        w.put<int64_t>(e.last_timestamp);
        w.put<int64_t>(e.current_txn_first_offset);
        w.put<uint8_t>(uint8_t(e.batches.size()));
        for (const auto& b : e.batches) {
            w.put<int32_t>(b.first_seq);
            w.put<int32_t>(b.last_seq);
            w.put<int64_t>(b.first_offset);
            w.put<int64_t>(b.last_offset);
            w.put<int64_t>(b.max_timestamp);
        }
    }
    uint32_t crc =
        protocol::crc32c(0, out.data() + snapshot_crc_start, out.size() - snapshot_crc_start);
    for (int i = 0; i < 4; ++i) out[8 + size_t(i)] = char(uint8_t(crc >> (8 * (3 - i))));
    return out;
}

std::optional<producer_state> producer_state::decode_snapshot(std::string_view data,
                                                              int64_t offset) {
    if (data.size() < snapshot_header_size ||
        data.substr(0, sizeof snapshot_magic) != std::string_view(snapshot_magic, 4))
        return std::nullopt;
    reader r(data.substr(sizeof snapshot_magic));
    if (r.get<uint16_t>() != snapshot_version || r.get<uint16_t>() != 0) return std::nullopt;
    uint32_t crc = r.get<uint32_t>();
    if (crc !=
        protocol::crc32c(0, data.data() + snapshot_crc_start, data.size() - snapshot_crc_start))
        return std::nullopt;
    if (r.get<int64_t>() != offset) return std::nullopt;
    uint32_t count = r.get<uint32_t>();
    if (count > r.remaining() / entry_fixed_size) return std::nullopt;

    producer_state st;
    for (uint32_t i = 0; i < count; ++i) {
        if (!r.has(entry_fixed_size)) return std::nullopt;
        producer_entry e;
        e.producer_id = r.get<int64_t>();
        e.epoch = r.get<int16_t>();
        e.coordinator_epoch = r.get<int32_t>();
        e.last_timestamp = r.get<int64_t>();
        e.current_txn_first_offset = r.get<int64_t>();
        size_t n = r.get<uint8_t>();
        if (e.producer_id < 0 || n > producer_entry::max_batches || !r.has(n * batch_record_size))
            return std::nullopt;
        for (size_t j = 0; j < n; ++j) {
            producer_batch b;
            b.first_seq = r.get<int32_t>();
            b.last_seq = r.get<int32_t>();
            b.first_offset = r.get<int64_t>();
            b.last_offset = r.get<int64_t>();
            b.max_timestamp = r.get<int64_t>();
            e.batches.push_back(b);
        }
        int64_t id = e.producer_id;
        if (!st.producers_.emplace(id, std::move(e)).second) return std::nullopt;
    }
    if (r.remaining() != 0) return std::nullopt;
    return st;
}

void producer_state::write_snapshot(const fs::path& dir, int64_t offset) const {
    write_file_durably(producer_snapshot_path(dir, offset), encode_snapshot(offset));
}

std::optional<producer_state> producer_state::read_snapshot(const fs::path& dir, int64_t offset) {
    auto data = read_file_if_exists(producer_snapshot_path(dir, offset));
    if (!data) return std::nullopt;
    return decode_snapshot(*data, offset);
}

std::string producer_snapshot_file_name(int64_t offset) {
    return segment_file_stem(offset) + std::string(snapshot_suffix);
}

fs::path producer_snapshot_path(const fs::path& dir, int64_t offset) {
    return dir / producer_snapshot_file_name(offset);
}

std::optional<int64_t> parse_producer_snapshot_file_name(std::string_view name) {
    if (!ends_with(name, snapshot_suffix)) return std::nullopt;
    return parse_segment_file_stem(name.substr(0, name.size() - snapshot_suffix.size()));
}

std::vector<int64_t> list_producer_snapshots(const fs::path& dir) {
    std::vector<int64_t> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
        auto name = e.path().filename().string();
        if (ends_with(name, tmp_suffix)) {
            spdlog::info("{}: removing unfinished producer snapshot {}", dir.string(), name);
            std::error_code rm;
            fs::remove(e.path(), rm);
            continue;
        }
        if (auto off = parse_producer_snapshot_file_name(name)) out.push_back(*off);
    }
    if (ec) throw std::system_error(ec, "list log directory " + dir.string());
    std::sort(out.begin(), out.end());
    return out;
}

void delete_producer_snapshot(const fs::path& dir, int64_t offset) {
    auto path = producer_snapshot_path(dir, offset);
    std::error_code ec;
    fs::remove(path, ec);
    if (ec) throw std::system_error(ec, "delete " + path.string());
}

}  // namespace sluice::storage
