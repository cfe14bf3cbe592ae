#pragma once
// Shared fixtures for the storage tests: unique temporary directories and
// record-batch builders.

#include "protocol/record_batch.h"
#include "storage/partition_log.h"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace sluice::storage::test {

namespace fs = std::filesystem;

// A fresh directory, removed with everything in it when the test ends.
struct temp_dir {
    fs::path path;
    temp_dir() {
        std::string tmpl = (fs::temp_directory_path() / "sluice-storage-XXXXXX").string();
        if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
        path = tmpl;
    }
    ~temp_dir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
};

// One batch of `timestamps.size()` records, values of `value_size` bytes.
inline protocol::bytes make_batch(const std::vector<int64_t>& timestamps, size_t value_size = 16) {
    std::vector<protocol::record> recs;
    for (size_t i = 0; i < timestamps.size(); ++i) {
        protocol::record r;
        r.key = protocol::bytes{uint8_t('k'), uint8_t('0' + i % 10)};
        r.value = protocol::bytes(value_size, uint8_t('a' + i % 26));
        r.timestamp = timestamps[i];
        recs.push_back(std::move(r));
    }
    return protocol::build_batch(recs);
}

inline protocol::bytes make_batch(int records, int64_t ts = 1000, size_t value_size = 16) {
    return make_batch(std::vector<int64_t>(size_t(records), ts), value_size);
}

inline append_result append_batch(partition_log& log, protocol::bytes batch, int64_t now_ms = 1000,
                                  int32_t epoch = 3) {
    auto check = protocol::check_batches(batch);
    REQUIRE(check.error == protocol::error_code::none);
    return log.append(std::span<uint8_t>(batch), check.batches, epoch, now_ms);
}

inline log_config small_config() {
    log_config c;
    c.segment_index_bytes = 4096;
    c.index_interval_bytes = 4096;
    return c;
}

inline std::unique_ptr<partition_log> open_log(const fs::path& dir,
                                               const log_config& cfg = small_config(),
                                               int64_t recovery_point = 0, bool clean = false,
                                               int64_t log_start = 0) {
    return partition_log::open(dir, topic_partition{"t", 0}, cfg, recovery_point, clean, log_start);
}

// The bytes a read result refers to.
inline protocol::bytes slurp(const read_result& r) {
    protocol::bytes out;
    for (auto& s : r.slices) {
        size_t at = out.size();
        out.resize(at + s.size);
        REQUIRE(::pread(s.fd, out.data() + at, s.size, off_t(s.position)) == ssize_t(s.size));
    }
    return out;
}

// Headers of the whole batches in `data` (REQUIREs that it is whole batches).
inline std::vector<protocol::batch_header> batches_in(protocol::byte_view data) {
    std::vector<protocol::batch_header> out;
    size_t pos = 0;
    while (pos < data.size()) {
        auto h = protocol::parse_batch_header(data.subspan(pos));
        REQUIRE(pos + h.total_size() <= data.size());
        REQUIRE(protocol::batch_crc_ok(data.subspan(pos, h.total_size())));
        out.push_back(h);
        pos += h.total_size();
    }
    return out;
}

// Offsets of every record in `data`.
inline std::vector<int64_t> record_offsets(protocol::byte_view data) {
    std::vector<int64_t> out;
    size_t pos = 0;
    while (pos < data.size()) {
        auto h = protocol::parse_batch_header(data.subspan(pos));
        protocol::for_each_record(
            data.subspan(pos, h.total_size()),
            [&](const protocol::batch_header& bh, const protocol::record_view& r) {
                out.push_back(bh.base_offset + r.offset_delta);
            });
        pos += h.total_size();
    }
    return out;
}

inline std::vector<int64_t> range(int64_t from, int64_t to) {  // [from, to)
    std::vector<int64_t> v;
    for (int64_t i = from; i < to; ++i) v.push_back(i);
    return v;
}

inline fs::path segment_file(const fs::path& dir, int64_t base, const char* ext) {
    char name[32];
    std::snprintf(name, sizeof name, "%020lld", static_cast<long long>(base));
    return dir / (std::string(name) + ext);
}

// Base offsets of the .log files in dir, sorted.
inline std::vector<int64_t> segment_bases_on_disk(const fs::path& dir) {
    std::vector<int64_t> out;
    for (auto& e : fs::directory_iterator(dir))
        if (e.path().extension() == ".log") out.push_back(std::stoll(e.path().stem().string()));
    std::sort(out.begin(), out.end());
    return out;
}

inline protocol::bytes read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return protocol::bytes(std::istreambuf_iterator<char>(in), {});
}

// Flips one byte of a file in place (corruption tests).
inline void flip_byte(const fs::path& p, uint64_t position) {
    int fd = ::open(p.c_str(), O_RDWR);
    REQUIRE(fd >= 0);
    uint8_t b = 0;
    REQUIRE(::pread(fd, &b, 1, off_t(position)) == 1);
    b ^= 0x5a;
    REQUIRE(::pwrite(fd, &b, 1, off_t(position)) == 1);
    ::close(fd);
}

}  // namespace sluice::storage::test
