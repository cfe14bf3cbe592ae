#pragma once
// One client connection. Everything here runs on the connection's strand.
//
// The read loop takes frames as they arrive (pipelining), checks the size limit
// before allocating, routes by API key/version, and starts one handler
// coroutine per request; the write loop sends responses strictly in request
// order. Malformed input (bad length, unknown API, unsupported version,
// undecodable request) logs one line and closes this connection only.
//
// SASL listeners: until the client has authenticated, only ApiVersions,
// SaslHandshake and SaslAuthenticate are taken, and they are handled inline in
// the read loop (not as handler coroutines), because after SaslHandshake v0 the
// next frames are bare SASL tokens without a request header. After a v1
// handshake the tokens come in SaslAuthenticate requests. A failed
// authentication gets its answer (framed) and then the connection is closed.

#include "broker/asio.h"
#include "broker/event.h"
#include "broker/handler.h"

#include <deque>
#include <memory>
#include <optional>
#include <string>

namespace sluice::broker {

class broker;
struct listener;
namespace security {
class sasl_server;
}

class connection : public std::enable_shared_from_this<connection> {
public:
    connection(broker& b, tcp::socket socket, const listener* via, const tcp::endpoint& peer);
    ~connection();
    void start();

private:
    struct slot {
        int32_t correlation_id = 0;
        int16_t api_key = 0;
        bool flexible_header = false;
        bool ready = false;
        bool respond = true;
        bool close_after = false;
        bool raw = false;  // a bare SASL token frame: no response header
        protocol::writer body;
    };

    struct tls_stream;  // Asio's SSL stream over socket_ (connection.cpp)

    static awaitable<void> tls_handshake(std::shared_ptr<connection> self);
    void start_loops();
    static awaitable<void> read_loop(std::shared_ptr<connection> self);
    static awaitable<void> write_loop(std::shared_ptr<connection> self);
    static awaitable<void> run_request(std::shared_ptr<connection> self,
                                       std::shared_ptr<request_context> ctx,
                                       std::shared_ptr<slot> s, const api_handler* h);
    awaitable<void> read_frames();
    awaitable<void> write_frames();
    awaitable<void> write_response(slot& s);
    awaitable<void> write_tls(const std::vector<uint8_t>& head, const protocol::writer& body);
    void dispatch(std::shared_ptr<std::vector<uint8_t>> frame);
    void answer_unsupported_api_versions(const protocol::request_header& h);
    void close(const std::string& why);
    // Logs one warning naming the client's address, client id and API, counts it
    // as a connection problem and closes this connection.
    void reject(const std::string& api, const std::optional<std::string>& client_id,
                const std::string& why);
    void wake_writer();
    // Queues a response slot (counted in broker::requests_in_flight until written).
    void enqueue(std::shared_ptr<slot> s);
    // SASL before authentication; each returns after queuing its answer (or
    // closing the connection).
    void sasl_handshake(const std::vector<uint8_t>& frame, const api_handler& h);
    void sasl_authenticate(const std::vector<uint8_t>& frame, const api_handler& h);
    void sasl_raw_token(const std::vector<uint8_t>& frame);
    // Feeds one token to the mechanism: the token to answer with, or nullopt on
    // failure (logged; `error` set). Marks the connection authenticated on success.
    std::optional<std::string> sasl_step(std::string_view token, std::string& error);
    // A request taken inline (before authentication): its header and body, or
    // nullopt after rejecting a malformed one.
    template <class Req>
    std::optional<std::pair<protocol::request_header, Req>> decode_inline(
        const std::vector<uint8_t>& frame, const api_handler& h);
    // Queues the (ready) answer to a request taken inline.
    template <class Resp>
    void answer_inline(const protocol::request_header& header, const api_handler& h,
                       const Resp& resp, bool close_after);

    enum class auth_state { open, handshake, raw_tokens, framed, authenticated };

    broker& b_;
    tcp::socket socket_;
    std::string peer_;
    const listener* via_;
    std::unique_ptr<tls_stream> tls_;  // SSL and SASL_SSL listeners
    auth_state auth_ = auth_state::open;
    std::string mechanism_;
    std::unique_ptr<security::sasl_server> sasl_;
    std::string principal_ = "User:ANONYMOUS";
    std::optional<std::string> last_client_id_;  // of the last request with a header read
    std::deque<std::shared_ptr<slot>> pending_;
    std::shared_ptr<event> writer_wake_;
    std::shared_ptr<event> reader_wake_;
    bool closed_ = false;
    bool reading_stopped_ = false;  // shutdown: no new requests taken
};

}  // namespace sluice::broker
