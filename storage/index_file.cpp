#include "storage/index_file.h"

#include "storage/durable_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace sluice::storage {

index_file::index_file(std::filesystem::path path, size_t entry_size,
                       const std::function<bool(const uint8_t*, size_t)>& unused_slot,
                       bool truncate)
    : path_(std::move(path)), sync_name_(path_.string()), entry_size_(entry_size) {
    int flags = O_RDWR | O_CREAT | O_CLOEXEC | (truncate ? O_TRUNC : 0);
    existed_ = !truncate && ::access(path_.c_str(), F_OK) == 0;
    fd_ = ::open(path_.c_str(), flags, 0644);
    if (fd_ < 0) throw_io_error("open index", path_);
    struct stat st {};
    if (::fstat(fd_, &st) != 0) {
        int err = errno;
        ::close(fd_);
        throw_io_error(err, "stat index", path_);
    }
    file_len_ = uint64_t(st.st_size);
    if (file_len_ % entry_size_ != 0) {
        // Not a file we wrote whole; the segment rebuilds it.
        malformed_ = true;
        file_len_ -= file_len_ % entry_size_;
        if (::ftruncate(fd_, off_t(file_len_)) != 0) {
            int err = errno;
            ::close(fd_);
            throw_io_error(err, "truncate index", path_);
        }
    }
    // Binary search for the first unused slot: real entries first, zeros after.
    size_t lo = 0, hi = capacity();
    std::vector<uint8_t> slot(entry_size_);
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        read_slot(mid, slot.data());
        if (unused_slot(slot.data(), mid))
            hi = mid;
        else
            lo = mid + 1;
    }
    entries_ = lo;
}

index_file::~index_file() {
    unmap();
    if (fd_ >= 0) ::close(fd_);
}

void index_file::read_slot(size_t i, uint8_t* out) const {
    size_t done = 0;
    while (done < entry_size_) {
        ssize_t n = ::pread(fd_, out + done, entry_size_ - done, off_t(i * entry_size_ + done));
        if (n < 0) {
            if (errno == EINTR) continue;
            throw_io_error("read index", path_);
        }
        if (n == 0)
            throw std::system_error(EIO, std::generic_category(),
                                    "short read of index " + path_.string());
        done += size_t(n);
    }
}

void index_file::map() const {
    if (map_ || file_len_ == 0) return;
    void* p = ::mmap(nullptr, file_len_, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, 0);
    if (p == MAP_FAILED) throw_io_error("mmap index", path_);
    map_ = static_cast<uint8_t*>(p);
    map_len_ = file_len_;
}

void index_file::unmap() const {
    if (map_) ::munmap(map_, map_len_);
    map_ = nullptr;
    map_len_ = 0;
}

const uint8_t* index_file::slot(size_t i) const {
    if (map_) return map_ + i * entry_size_;
    read_slot(i, scratch_);
    return scratch_;
}

void index_file::push(const uint8_t* bytes) {
    if (full()) throw std::logic_error("index full: " + path_.string());
    map();
    std::memcpy(map_ + entries_ * entry_size_, bytes, entry_size_);
    ++entries_;
}

void index_file::resize(uint64_t max_bytes) {
    uint64_t len = max_bytes - max_bytes % entry_size_;
    if (len < entries_ * entry_size_) len = entries_ * entry_size_;
    if (len == file_len_) return;
    unmap();
    if (::ftruncate(fd_, off_t(len)) != 0) throw_io_error("resize index", path_);
    file_len_ = len;
}

void index_file::truncate_entries(size_t n) {
    if (n >= entries_) return;
    map();
    std::memset(map_ + n * entry_size_, 0, (entries_ - n) * entry_size_);
    entries_ = n;
}

void index_file::clear() {
    entries_ = 0;
    resize(0);
}

void index_file::sync() const {
    if (::fdatasync(fd_) != 0) throw_io_error("fdatasync", sync_name_);
}

void index_file::rename(const std::filesystem::path& to) {
    if (::rename(path_.c_str(), to.c_str()) != 0) throw_io_error("rename to " + to.string(), path_);
    path_ = to;
}

void index_file::unlink() {
    if (::unlink(path_.c_str()) != 0 && errno != ENOENT) throw_io_error("unlink", path_);
}

}  // namespace sluice::storage
