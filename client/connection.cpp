#include "client/connection.h"

#include "protocol/header.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace sluice::client {

using clock = std::chrono::steady_clock;

std::string address::str() const {
    if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
    return host + ":" + std::to_string(port);
}

std::string describe_error(int16_t code) {
    auto name = protocol::error_name(static_cast<protocol::error_code>(code));
    if (name == "unknown_error_code") return "error " + std::to_string(code);
    return std::string(name) + " (" + std::to_string(code) + ")";
}

void check_error(int16_t code, const std::string& context,
                 const std::optional<std::string>& message) {
    if (code == 0) return;
    std::string what = context + ": " + describe_error(code);
    if (message && !message->empty()) what += ": " + *message;
    throw kafka_error(static_cast<protocol::error_code>(code), what);
}

std::string api_name(int16_t api_key) {
    switch (api_key) {
        case 0:
            return "Produce";
        case 1:
            return "Fetch";
        case 2:
            return "ListOffsets";
        case 3:
            return "Metadata";
        case 8:
            return "OffsetCommit";
        case 9:
            return "OffsetFetch";
        case 10:
            return "FindCoordinator";
        case 15:
            return "DescribeGroups";
        case 16:
            return "ListGroups";
        case 18:
            return "ApiVersions";
        case 19:
            return "CreateTopics";
        case 20:
            return "DeleteTopics";
        case 32:
            return "DescribeConfigs";
        case 37:
            return "CreatePartitions";
        case 60:
            return "DescribeCluster";
        default:
            return "API " + std::to_string(api_key);
    }
}

std::optional<int16_t> pick_version(protocol::version_range ours, std::optional<api_range> theirs) {
    if (!theirs || theirs->max < theirs->min) return std::nullopt;
    int16_t lo = std::max(ours.min, theirs->min);
    int16_t hi = std::min(ours.max, theirs->max);
    if (lo > hi) return std::nullopt;
    return hi;
}

bytes frame_request(int16_t api_key, int16_t version, bool flexible, int32_t correlation_id,
                    const std::string& client_id, const bytes& body) {
    protocol::writer w;
    size_t at = w.reserve(4);
    protocol::request_header h{api_key, version, correlation_id, client_id};
    protocol::write_request_header(w, h, flexible);
    w.raw(body.data(), body.size());
    w.patch_i32(at, static_cast<int32_t>(w.size() - 4));
    return std::move(w.buffer());
}

connection::connection(address addr, connection_options opts)
    : addr_(std::move(addr)), opts_(std::move(opts)) {
    open();
    negotiate();
}

connection::~connection() { close(); }

void connection::close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

void connection::open() {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    std::string port = std::to_string(addr_.port);
    int rc = ::getaddrinfo(addr_.host.c_str(), port.c_str(), &hints, &res);
    if (rc != 0)
        throw network_error("cannot resolve broker " + addr_.str() + ": " + gai_strerror(rc));
    auto deadline = clock::now() + std::chrono::milliseconds(opts_.connect_timeout_ms);
    std::string last = "no address";
    for (addrinfo* ai = res; ai; ai = ai->ai_next) {
        int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            last = std::strerror(errno);
            continue;
        }
        ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
        int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        rc = ::connect(fd, ai->ai_addr, ai->ai_addrlen);
        if (rc != 0 && errno == EINPROGRESS) {
            auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
            pollfd p{fd, POLLOUT, 0};
            int n = ::poll(&p, 1, int(std::max<int64_t>(0, left.count())));
            if (n == 0) {
                ::close(fd);
                ::freeaddrinfo(res);
                throw timeout_error("cannot connect to broker " + addr_.str() +
                                    ": timed out after " +
                                    std::to_string(opts_.connect_timeout_ms) + " ms");
            }
            int err = 0;
            socklen_t len = sizeof err;
            ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
            rc = err == 0 ? 0 : -1;
            errno = err;
        }
        if (rc == 0) {
            fd_ = fd;
            ::freeaddrinfo(res);
            return;
        }
        last = std::strerror(errno);
        ::close(fd);
    }
    ::freeaddrinfo(res);
    throw network_error("cannot connect to broker " + addr_.str() + ": " + last);
}

void connection::write_all(const uint8_t* p, size_t n, clock::time_point deadline,
                           const std::string& what) {
    while (n > 0) {
        ssize_t k = ::send(fd_, p, n, MSG_NOSIGNAL);
        if (k > 0) {
            p += k;
            n -= size_t(k);
            continue;
        }
        if (k < 0 && errno == EINTR) continue;
        if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
            pollfd pf{fd_, POLLOUT, 0};
            if (left.count() <= 0 || ::poll(&pf, 1, int(left.count())) == 0) {
                close();
                throw timeout_error("timed out sending " + what + " to broker " + addr_.str());
            }
            continue;
        }
        std::string err = std::strerror(errno);
        close();
        throw network_error("cannot send " + what + " to broker " + addr_.str() + ": " + err);
    }
}

void connection::read_all(uint8_t* p, size_t n, clock::time_point deadline,
                          const std::string& what) {
    size_t want = n, got = 0;
    while (got < want) {
        ssize_t k = ::recv(fd_, p + got, want - got, 0);
        if (k > 0) {
            got += size_t(k);
            continue;
        }
        if (k == 0) {
            close();
            throw network_error("broker " + addr_.str() +
                                " closed the connection while the client "
                                "waited for the " +
                                what + " (read " + std::to_string(got) + " of " +
                                std::to_string(want) + " bytes)");
        }
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
            pollfd pf{fd_, POLLIN, 0};
            if (left.count() <= 0 || ::poll(&pf, 1, int(left.count())) == 0) {
                close();
                throw timeout_error("timed out after " + std::to_string(opts_.request_timeout_ms) +
                                    " ms waiting for the " + what + " from broker " + addr_.str());
            }
            continue;
        }
        std::string err = std::strerror(errno);
        close();
        throw network_error("cannot read the " + what + " from broker " + addr_.str() + ": " + err);
    }
}

bytes connection::roundtrip(int16_t api_key, int16_t version, bool flexible, const bytes& body,
                            bool expect_response) {
    std::string what = api_name(api_key) + " v" + std::to_string(version);
    if (fd_ < 0) {
        open();
        if (api_key != protocol::api_versions_key) negotiate();
    }
    int32_t id = next_correlation_id_++;
    if (next_correlation_id_ == INT32_MAX) next_correlation_id_ = 1;
    bytes frame = frame_request(api_key, version, flexible, id, opts_.client_id, body);
    auto deadline = clock::now() + std::chrono::milliseconds(opts_.request_timeout_ms);
    write_all(frame.data(), frame.size(), deadline, what + " request");
    if (!expect_response) return {};
    uint8_t size_buf[4];
    read_all(size_buf, 4, deadline, what + " response");
    int32_t size = int32_t(uint32_t(size_buf[0]) << 24 | uint32_t(size_buf[1]) << 16 |
                           uint32_t(size_buf[2]) << 8 | uint32_t(size_buf[3]));
    if (size < 4 || size > (1 << 30)) {
        close();
        throw client_error("broker " + addr_.str() + " sent a " + what +
                           " response with an invalid size " + std::to_string(size));
    }
    bytes resp(size_t(size), 0);
    read_all(resp.data(), resp.size(), deadline, what + " response");
    expected_correlation_id_ = id;
    return resp;
}

void connection::skip_response_header(protocol::reader& r, int16_t api_key, bool flexible) {
    int32_t id =
        protocol::read_response_header(r, protocol::response_header_flexible(api_key, flexible));
    if (id != expected_correlation_id_) {
        close();
        throw client_error("broker " + addr_.str() + " answered " + api_name(api_key) +
                           " with correlation id " + std::to_string(id) + ", expected " +
                           std::to_string(expected_correlation_id_));
    }
}

void connection::negotiate() {
    using protocol::api_versions_request;
    using protocol::api_versions_response;
    api_versions_request req;
    req.client_software_name = "sluice";
    req.client_software_version = "0";
    int16_t v = api_versions_request::valid.max;
    api_versions_response resp;
    for (int attempt = 0;; ++attempt) {
        bytes body = protocol::encode_to_bytes(req, v);
        bytes frame = roundtrip(api_versions_request::api_key, v,
                                protocol::is_flexible<api_versions_request>(v), body, true);
        try {
            resp = decode_body<api_versions_response>(api_versions_request::api_key, v, frame);
        } catch (const client_error&) {
            // A broker that does not know our version answers with a v0 body.
            if (attempt > 0) throw;
            resp = decode_body<api_versions_response>(api_versions_request::api_key, 0, frame);
        }
        if (resp.error_code == protocol::code(protocol::error_code::unsupported_version) &&
            attempt == 0) {
            int16_t broker_max = 0;
            for (auto& k : resp.api_keys)
                if (k.api_key == api_versions_request::api_key) broker_max = k.max_version;
            v = std::min<int16_t>(broker_max, v - 1);
            if (v < 0) v = 0;
            if (fd_ < 0) open();
            continue;
        }
        break;
    }
    check_error(resp.error_code, "ApiVersions to broker " + addr_.str());
    versions_.clear();
    for (auto& k : resp.api_keys) versions_[k.api_key] = {k.min_version, k.max_version};
}

std::optional<int16_t> connection::version_for(int16_t api_key,
                                               protocol::version_range ours) const {
    auto it = versions_.find(api_key);
    if (it == versions_.end()) return std::nullopt;
    if (auto cap = opts_.max_versions.find(api_key); cap != opts_.max_versions.end())
        ours.max = std::min(ours.max, cap->second);
    return pick_version(ours, it->second);
}

}  // namespace sluice::client
