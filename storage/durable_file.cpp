#include "storage/durable_file.h"

#include <fcntl.h>
#include <unistd.h>
#include <cerrno>
#include <string>
#include <system_error>

namespace sluice::storage {

void throw_io_error(int err, std::string_view what, const std::filesystem::path& path) {
    throw std::system_error(err, std::generic_category(), std::string(what) + " " + path.string());
}

void throw_io_error(std::string_view what, const std::filesystem::path& path) {
    throw_io_error(errno, what, path);
}

namespace {

struct fd_guard {
    int fd;
    ~fd_guard() {
        if (fd >= 0) ::close(fd);
    }
};

}  // namespace

void fsync_directory(const std::filesystem::path& dir) {
    fd_guard d{::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
    if (d.fd < 0) throw_io_error("open directory", dir);
    if (::fsync(d.fd) != 0) throw_io_error("fsync directory", dir);
}

void write_file_durably(const std::filesystem::path& path, std::string_view contents) {
    auto tmp = path;
    tmp += ".tmp";
    {
        fd_guard f{::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)};
        if (f.fd < 0) throw_io_error("create", tmp);
        size_t done = 0;
        while (done < contents.size()) {
            ssize_t n = ::write(f.fd, contents.data() + done, contents.size() - done);
            if (n < 0) {
                if (errno == EINTR) continue;
                throw_io_error("write", tmp);
            }
            done += size_t(n);
        }
        if (::fsync(f.fd) != 0) throw_io_error("fsync", tmp);
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) throw_io_error("rename to " + path.string(), tmp);
    auto parent = path.parent_path();
    fsync_directory(parent.empty() ? std::filesystem::path(".") : parent);
}

std::optional<std::string> read_file_if_exists(const std::filesystem::path& path) {
    fd_guard f{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
    if (f.fd < 0) {
        if (errno == ENOENT) return std::nullopt;
        throw_io_error("open", path);
    }
    std::string out;
    char buf[65536];
    for (;;) {
        ssize_t n = ::read(f.fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw_io_error("read", path);
        }
        if (n == 0) break;
        out.append(buf, size_t(n));
    }
    return out;
}

}  // namespace sluice::storage
