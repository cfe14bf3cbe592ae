#include "broker/connection.h"

#include "broker/broker.h"
#include "broker/security/scram.h"
#include "broker/security/tls.h"
#include "protocol/messages/api_versions.h"
#include "protocol/messages/sasl_authenticate.h"
#include "protocol/messages/sasl_handshake.h"

#include <spdlog/spdlog.h>
#include <sys/sendfile.h>
#include <unistd.h>
#include <boost/asio/ssl/stream.hpp>

#include <fmt/ranges.h>
#include <algorithm>

namespace sluice::broker {

namespace {
// Kafka's sasl.server.max.receive.size: the largest frame before authentication.
constexpr int32_t max_unauthenticated_frame = 524288;
constexpr int16_t sasl_handshake_key = protocol::sasl_handshake_request::api_key;
constexpr int16_t sasl_authenticate_key = protocol::sasl_authenticate_request::api_key;
}  // namespace

struct connection::tls_stream {
    asio::ssl::stream<tcp::socket&> s;
};

connection::~connection() = default;

connection::connection(broker& b, tcp::socket socket, const listener* via,
                       const tcp::endpoint& peer)
    : b_(b), socket_(std::move(socket)), via_(via) {
    if (via_ && via_->sasl()) auth_ = auth_state::handshake;
    if (via_ && via_->tls() && b_.settings().tls)
        tls_ = std::make_unique<tls_stream>(
            tls_stream{asio::ssl::stream<tcp::socket&>(socket_, b_.settings().tls->native())});
    auto addr = peer.address();
    if (addr.is_v6() && addr.to_v6().is_v4_mapped())
        addr = asio::ip::make_address_v4(asio::ip::v4_mapped, addr.to_v6());
    peer_ = addr.to_string() + ":" + std::to_string(peer.port());
    boost::system::error_code ec;
    socket_.set_option(tcp::no_delay(true), ec);
}

void connection::start() {
    auto self = shared_from_this();
    b_.connections++;
    spdlog::debug("connection from {} accepted", peer_);
    if (via_ && via_->tls() && !tls_) {
        close("TLS listener without a TLS context");  // never fall back to plain text
        return;
    }
    if (tls_)
        asio::co_spawn(socket_.get_executor(), tls_handshake(self), asio::detached);
    else
        start_loops();
}

void connection::start_loops() {
    auto self = shared_from_this();
    asio::co_spawn(socket_.get_executor(), read_loop(self), asio::detached);
    asio::co_spawn(socket_.get_executor(), write_loop(self), asio::detached);
}

awaitable<void> connection::tls_handshake(std::shared_ptr<connection> self) {
    // A client that never finishes the handshake is dropped after 10 s.
    asio::steady_timer timer(self->socket_.get_executor());
    timer.expires_after(std::chrono::seconds(10));
    auto on_timeout = [self](const boost::system::error_code& ec) {
        if (ec) return;
        boost::system::error_code ignored;
        self->socket_.close(ignored);
    };
    timer.async_wait(on_timeout);
    boost::system::error_code ec;
    co_await self->tls_->s.async_handshake(asio::ssl::stream_base::server,
                                           asio::redirect_error(asio::use_awaitable, ec));
    timer.cancel();
    if (ec) {
        if (!self->closed_) {
            self->b_.metrics().record_connection_problem();
            spdlog::warn(
                "client {}: TLS handshake on listener {} failed: {}; closing the "
                "connection",
                self->peer_, self->via_->name, ec.message());
            self->close("");
        }
        co_return;
    }
    std::string subject = security::peer_subject(self->tls_->s.native_handle());
    if (!subject.empty()) {
        self->principal_ = "User:" + subject;
        spdlog::debug("client {} authenticated as {} with TLS", self->peer_, self->principal_);
    }
    self->start_loops();
}

void connection::close(const std::string& why) {
    if (closed_) return;
    closed_ = true;
    if (!why.empty())
        spdlog::warn("closing connection from {}: {}", peer_, why);
    else
        spdlog::debug("connection from {} closed", peer_);
    boost::system::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_both, ec);
    socket_.close(ec);
    b_.connections--;
    b_.requests_in_flight -= int64_t(pending_.size());  // never answered now
    wake_writer();
    if (reader_wake_) reader_wake_->notify();
}

void connection::reject(const std::string& api, const std::optional<std::string>& client_id,
                        const std::string& why) {
    if (closed_) return;
    b_.metrics().record_connection_problem();
    spdlog::warn("client {} (client id '{}', API {}): {}; closing the connection", peer_,
                 client_id.value_or(""), api, why);
    close("");
}

void connection::enqueue(std::shared_ptr<slot> s) {
    if (closed_) return;  // never answered: close() has settled the count
    pending_.push_back(std::move(s));
    b_.requests_in_flight++;
}

void connection::wake_writer() {
    if (writer_wake_) writer_wake_->notify();
}

awaitable<void> connection::read_loop(std::shared_ptr<connection> self) {
    co_await self->read_frames();
}

awaitable<void> connection::read_frames() {
    const auto max_bytes = b_.settings().socket_request_max_bytes;
    const size_t max_in_flight = size_t(std::max(1, b_.settings().queued_max_requests));
    try {
        while (!closed_) {
            while (pending_.size() >= max_in_flight && !closed_) {
                reader_wake_ = event::make(socket_.get_executor());
                co_await reader_wake_->wait(std::chrono::seconds(5));
            }
            uint8_t len_buf[4];
            if (tls_)
                co_await asio::async_read(tls_->s, asio::buffer(len_buf), asio::use_awaitable);
            else
                co_await asio::async_read(socket_, asio::buffer(len_buf), asio::use_awaitable);
            int32_t len = int32_t(uint32_t(len_buf[0]) << 24 | uint32_t(len_buf[1]) << 16 |
                                  uint32_t(len_buf[2]) << 8 | uint32_t(len_buf[3]));
            const bool raw_token = auth_ == auth_state::raw_tokens;
            const bool unauthenticated =
                auth_ != auth_state::open && auth_ != auth_state::authenticated;
            if (unauthenticated && len > max_unauthenticated_frame) {
                reject("unknown (frame not read)", last_client_id_,
                       "frame of " + std::to_string(len) +
                           " bytes before SASL authentication "
                           "(at most " +
                           std::to_string(max_unauthenticated_frame) + ")");
                break;
            }
            if (len < (raw_token ? 0 : 8)) {
                reject("unknown (frame not read)", last_client_id_,
                       "invalid request size " + std::to_string(len));
                break;
            }
            if (len > max_bytes) {
                reject("unknown (frame not read)", last_client_id_,
                       "request size " + std::to_string(len) +
                           " exceeds socket.request.max.bytes " + std::to_string(max_bytes));
                break;
            }
            auto frame = std::make_shared<std::vector<uint8_t>>(size_t(len));
            if (tls_)
                co_await asio::async_read(tls_->s, asio::buffer(*frame), asio::use_awaitable);
            else
                co_await asio::async_read(socket_, asio::buffer(*frame), asio::use_awaitable);
            // Closed while the read completed (a rejected request, a failed
            // authentication): nothing more is taken from this connection.
            if (closed_) break;
            b_.metrics().add_bytes_in(4 + uint64_t(len));
            if (b_.draining()) {
                // Shutting down: requests that arrive now are not taken; the
                // ones in flight are answered, then the connection closes.
                reading_stopped_ = true;
                if (pending_.empty())
                    close("");
                else
                    wake_writer();
                break;
            }
            dispatch(std::move(frame));
        }
    } catch (const boost::system::system_error& e) {
        if (e.code() != asio::error::eof && e.code() != asio::error::operation_aborted &&
            e.code() != asio::error::connection_reset)
            spdlog::debug("read from {} failed: {}", peer_, e.what());
        close("");
    } catch (const std::exception& e) {
        // Anything else (allocation, crypto library) must not leave the
        // connection half alive.
        close(std::string("read failed: ") + e.what());
    }
}

void connection::answer_unsupported_api_versions(const protocol::request_header& h) {
    // Kafka answers a too-new ApiVersions with UNSUPPORTED_VERSION and a v0 body
    // listing what it supports, so the client can retry at a version it knows.
    auto s = std::make_shared<slot>();
    s->correlation_id = h.correlation_id;
    s->api_key = h.api_key;
    protocol::api_versions_response resp;
    resp.error_code = protocol::code(protocol::error_code::unsupported_version);
    for (auto& a : api_handlers()) resp.api_keys.push_back({a.key, a.versions.min, a.versions.max});
    protocol::encode(s->body, resp, 0);
    s->ready = true;
    enqueue(s);
    wake_writer();
}

void connection::dispatch(std::shared_ptr<std::vector<uint8_t>> frame) {
    if (auth_ == auth_state::raw_tokens) {
        sasl_raw_token(*frame);
        return;
    }
    auto peek = protocol::peek_request_header(*frame);
    const api_handler* h = find_handler(peek.api_key);
    if (auth_ != auth_state::open && auth_ != auth_state::authenticated && h &&
        h->versions.contains(peek.api_version)) {
        if (peek.api_key == sasl_handshake_key) {
            sasl_handshake(*frame, *h);
            return;
        }
        // As Kafka: SaslAuthenticate only after a v1 handshake; otherwise it is
        // an unexpected request and closes the connection.
        if (peek.api_key == sasl_authenticate_key && auth_ == auth_state::framed) {
            sasl_authenticate(*frame, *h);
            return;
        }
        if (peek.api_key != protocol::api_versions_key) {
            reject(std::string(h->name) + " v" + std::to_string(peek.api_version),
                   protocol::peek_client_id(*frame),
                   "request before SASL authentication on listener " + via_->name);
            return;
        }
    }
    if (!h) {
        reject("key " + std::to_string(peek.api_key) + " v" + std::to_string(peek.api_version),
               protocol::peek_client_id(*frame), "unknown API key " + std::to_string(peek.api_key));
        return;
    }
    if (!h->versions.contains(peek.api_version)) {
        if (peek.api_key == protocol::api_versions_key && peek.api_version > h->versions.max) {
            answer_unsupported_api_versions(peek);
            return;
        }
        b_.metrics().record_error(peek.api_key);
        reject(std::string(h->name) + " v" + std::to_string(peek.api_version),
               protocol::peek_client_id(*frame),
               "unsupported version " + std::to_string(peek.api_version) + " of " + h->name +
                   " (supported: " + std::to_string(h->versions.min) + "-" +
                   std::to_string(h->versions.max) + ")");
        return;
    }
    bool flexible = peek.api_version >= h->flexible_from;
    protocol::reader r(*frame);
    protocol::request_header header;
    try {
        header = protocol::read_request_header(r, flexible);
    } catch (const protocol::decode_error& e) {
        b_.metrics().record_error(peek.api_key);
        reject(std::string(h->name) + " v" + std::to_string(peek.api_version),
               protocol::peek_client_id(*frame),
               std::string("malformed request header: ") + e.what());
        return;
    }
    last_client_id_ = header.client_id;
    auto s = std::make_shared<slot>();
    s->correlation_id = header.correlation_id;
    s->api_key = header.api_key;
    s->flexible_header = protocol::response_header_flexible(header.api_key, flexible);
    enqueue(s);

    auto ctx = std::make_shared<request_context>(
        request_context{b_, std::move(header), protocol::byte_view(*frame).subspan(r.position()),
                        frame, peer_, !tls_, via_, principal_});
    asio::co_spawn(socket_.get_executor(), run_request(shared_from_this(), std::move(ctx), s, h),
                   asio::detached);
}

awaitable<void> connection::run_request(std::shared_ptr<connection> self,
                                        std::shared_ptr<request_context> ctx,
                                        std::shared_ptr<slot> s, const api_handler* h) {
    const auto started = std::chrono::steady_clock::now();
    std::optional<handler_result> result;
    std::string failure;
    bool malformed = false;
    try {
        result = co_await h->fn(*ctx);
    } catch (const protocol::decode_error& e) {
        malformed = true;
        failure = e.what();
    } catch (const std::exception& e) {
        failure = e.what();
    }
    auto& m = self->b_.metrics();
    m.record_request(h->key, std::chrono::steady_clock::now() - started);
    if (!result) {
        m.record_error(h->key);
        if (malformed) {
            self->reject(std::string(h->name) + " v" + std::to_string(ctx->version()),
                         ctx->header.client_id, "malformed request: " + failure);
        } else {
            spdlog::error("{} v{} from {} (client '{}') failed: {}", h->name, ctx->version(),
                          self->peer_, ctx->client_id(), failure);
            self->close("");
        }
        co_return;
    }
    if (*result) {
        s->body = std::move(**result);
    } else {
        s->respond = false;
    }
    s->ready = true;
    self->wake_writer();
}

awaitable<void> connection::write_loop(std::shared_ptr<connection> self) {
    co_await self->write_frames();
}

awaitable<void> connection::write_frames() {
    try {
        while (true) {
            while (!pending_.empty() && pending_.front()->ready && !closed_) {
                auto s = pending_.front();
                if (s->respond) co_await write_response(*s);
                if (closed_) break;  // close() has counted what was pending
                pending_.pop_front();
                b_.requests_in_flight--;
                if (s->close_after) {
                    close("");
                    break;
                }
                if (reader_wake_) reader_wake_->notify();
            }
            if (closed_) break;
            if (reading_stopped_ && pending_.empty()) {
                close("");  // draining for shutdown: every answer is out
                break;
            }
            writer_wake_ = event::make(socket_.get_executor());
            if (!pending_.empty() && pending_.front()->ready) continue;
            co_await writer_wake_->wait(std::chrono::hours(24));
        }
    } catch (const boost::system::system_error& e) {
        close("");
    } catch (const std::exception& e) {
        close(std::string("write failed: ") + e.what());
    }
}

awaitable<void> connection::write_response(slot& s) {
    protocol::writer head;
    size_t size_at = head.reserve(4);
    if (!s.raw) protocol::write_response_header(head, s.correlation_id, s.flexible_header);
    size_t total = head.size() - 4 + s.body.total_size();
    head.patch_i32(size_at, int32_t(total));
    b_.metrics().add_bytes_out(4 + uint64_t(total));

    auto& buf = s.body.buffer();
    const auto& splices = s.body.splices();
    if (tls_) {
        co_await write_tls(head.buffer(), s.body);
        co_return;
    }
    if (splices.empty()) {
        std::array<asio::const_buffer, 2> bufs{asio::buffer(head.buffer()), asio::buffer(buf)};
        co_await asio::async_write(socket_, bufs, asio::use_awaitable);
        co_return;
    }
    co_await asio::async_write(socket_, asio::buffer(head.buffer()), asio::use_awaitable);
    size_t pos = 0;
    socket_.native_non_blocking(true);
    for (auto& sp : splices) {
        if (sp.at > pos) {
            co_await asio::async_write(socket_, asio::buffer(buf.data() + pos, sp.at - pos),
                                       asio::use_awaitable);
            pos = sp.at;
        }
        off_t off = off_t(sp.slice.position);
        size_t left = sp.slice.size;
        while (left > 0) {
            ssize_t n = ::sendfile(socket_.native_handle(), sp.slice.fd, &off, left);
            if (n > 0) {
                left -= size_t(n);
                continue;
            }
            if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
                co_await socket_.async_wait(tcp::socket::wait_write, asio::use_awaitable);
                continue;
            }
            throw std::runtime_error(n == 0 ? "log file shorter than the promised fetch data"
                                            : std::string("sendfile: ") + strerror(errno));
        }
    }
    if (pos < buf.size())
        co_await asio::async_write(socket_, asio::buffer(buf.data() + pos, buf.size() - pos),
                                   asio::use_awaitable);
}

awaitable<void> connection::write_tls(const std::vector<uint8_t>& head,
                                      const protocol::writer& body) {
    // No sendfile through TLS: record data is read from the log files (the
    // slices pin them) into a buffer and encrypted, as Kafka does.
    const auto& buf = body.buffer();
    std::vector<uint8_t> out(head);
    constexpr size_t chunk = 256 * 1024;
    size_t pos = 0;
    for (auto& sp : body.splices()) {
        out.insert(out.end(), buf.begin() + long(pos), buf.begin() + long(sp.at));
        pos = sp.at;
        off_t off = off_t(sp.slice.position);
        size_t left = sp.slice.size;
        while (left > 0) {
            size_t at = out.size();
            size_t want = std::min(left, chunk);
            out.resize(at + want);
            ssize_t n = ::pread(sp.slice.fd, out.data() + at, want, off);
            if (n <= 0)
                throw std::runtime_error(n == 0 ? "log file shorter than the promised fetch data"
                                                : std::string("pread: ") + strerror(errno));
            out.resize(at + size_t(n));
            off += n;
            left -= size_t(n);
            if (out.size() >= chunk) {
                co_await asio::async_write(tls_->s, asio::buffer(out), asio::use_awaitable);
                out.clear();
            }
        }
    }
    out.insert(out.end(), buf.begin() + long(pos), buf.end());
    if (!out.empty()) co_await asio::async_write(tls_->s, asio::buffer(out), asio::use_awaitable);
}

// ---- SASL -------------------------------------------------------------------

std::optional<std::string> connection::sasl_step(std::string_view token, std::string& error) {
    auto step = sasl_->step(token);
    if (step.state == security::sasl_step::status::failure) {
        error = step.error;
        sasl_.reset();  // nothing more is taken on this connection
        b_.metrics().record_sasl(false);
        spdlog::warn(
            "client {} (client id '{}'): SASL {} authentication failed for user '{}': "
            "{}",
            peer_, last_client_id_.value_or(""), mechanism_, step.user, step.error);
        return std::nullopt;
    }
    if (step.state == security::sasl_step::status::success) {
        auth_ = auth_state::authenticated;
        principal_ = "User:" + step.user;
        sasl_.reset();
        b_.metrics().record_sasl(true);
        spdlog::debug("client {} authenticated as {} with SASL {}", peer_, principal_, mechanism_);
    }
    return std::move(step.response);
}

template <class Req>
std::optional<std::pair<protocol::request_header, Req>> connection::decode_inline(
    const std::vector<uint8_t>& frame, const api_handler& h) {
    auto peek = protocol::peek_request_header(frame);
    protocol::reader r(frame);
    std::pair<protocol::request_header, Req> out;
    try {
        out.first = protocol::read_request_header(r, peek.api_version >= h.flexible_from);
        out.second = protocol::decode<Req>(r, peek.api_version);
    } catch (const protocol::decode_error& e) {
        reject(std::string(h.name) + " v" + std::to_string(peek.api_version),
               protocol::peek_client_id(frame), std::string("malformed request: ") + e.what());
        return std::nullopt;
    }
    last_client_id_ = out.first.client_id;
    return out;
}

template <class Resp>
void connection::answer_inline(const protocol::request_header& header, const api_handler& h,
                               const Resp& resp, bool close_after) {
    auto s = std::make_shared<slot>();
    s->correlation_id = header.correlation_id;
    s->api_key = h.key;
    s->flexible_header =
        protocol::response_header_flexible(h.key, header.api_version >= h.flexible_from);
    s->close_after = close_after;
    protocol::encode(s->body, resp, header.api_version);
    s->ready = true;
    enqueue(s);
    wake_writer();
}

void connection::sasl_handshake(const std::vector<uint8_t>& frame, const api_handler& h) {
    auto decoded = decode_inline<protocol::sasl_handshake_request>(frame, h);
    if (!decoded) return;
    auto& [header, req] = *decoded;
    bool close_after = false;
    protocol::sasl_handshake_response resp;
    const auto& enabled = b_.settings().sasl_mechanisms;
    resp.mechanisms = enabled;
    bool offered = std::find(enabled.begin(), enabled.end(), req.mechanism) != enabled.end();
    if (auth_ != auth_state::handshake) {
        resp.error_code = protocol::code(protocol::error_code::illegal_sasl_state);
        close_after = true;
    } else if (!offered || !b_.settings().sasl_users) {
        resp.error_code = protocol::code(protocol::error_code::unsupported_sasl_mechanism);
        close_after = true;
        spdlog::warn(
            "client {} (client id '{}'): SASL mechanism '{}' is not enabled on listener "
            "{} (enabled: {})",
            peer_, last_client_id_.value_or(""), req.mechanism.substr(0, 64), via_->name,
            fmt::join(enabled, ","));
    } else {
        sasl_ = security::make_sasl_server(req.mechanism, *b_.settings().sasl_users);
        mechanism_ = req.mechanism;
        auth_ = header.api_version == 0 ? auth_state::raw_tokens : auth_state::framed;
    }
    answer_inline(header, h, resp, close_after);
}

void connection::sasl_authenticate(const std::vector<uint8_t>& frame, const api_handler& h) {
    auto decoded = decode_inline<protocol::sasl_authenticate_request>(frame, h);
    if (!decoded) return;
    auto& [header, req] = *decoded;
    bool close_after = false;
    protocol::sasl_authenticate_response resp;
    if (auth_ != auth_state::framed || !sasl_) {
        resp.error_code = protocol::code(protocol::error_code::illegal_sasl_state);
        resp.error_message = "SaslAuthenticate before a SaslHandshake v1";
        close_after = true;
    } else {
        std::string error;
        std::string_view token(reinterpret_cast<const char*>(req.auth_bytes.data()),
                               req.auth_bytes.size());
        auto answer = sasl_step(token, error);
        if (!answer) {
            resp.error_code = protocol::code(protocol::error_code::sasl_authentication_failed);
            resp.error_message = error;
            close_after = true;
        } else {
            resp.auth_bytes.assign(answer->begin(), answer->end());
        }
    }
    answer_inline(header, h, resp, close_after);
}

void connection::sasl_raw_token(const std::vector<uint8_t>& frame) {
    if (!sasl_) return;  // failed already; the connection is closing
    std::string error;
    std::string_view token(reinterpret_cast<const char*>(frame.data()), frame.size());
    auto answer = sasl_step(token, error);
    if (!answer) {
        // The raw framing has no way to carry an error: close, as Kafka does.
        close("");
        return;
    }
    auto s = std::make_shared<slot>();
    s->raw = true;
    s->body.raw(answer->data(), answer->size());
    s->ready = true;
    enqueue(s);
    wake_writer();
}

}  // namespace sluice::broker
