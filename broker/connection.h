#pragma once
// One client connection. Everything here runs on the connection's strand.
//
// The read loop takes frames as they arrive (pipelining), checks the size limit
// before allocating, routes by API key/version, and starts one handler
// coroutine per request; the write loop sends responses strictly in request
// order. Malformed input (bad length, unknown API, unsupported version,
// undecodable request) logs one line and closes this connection only.

#include "broker/asio.h"
#include "broker/event.h"
#include "broker/handler.h"

#include <deque>
#include <memory>

namespace sluice::broker {

class broker;

class connection : public std::enable_shared_from_this<connection> {
public:
    connection(broker& b, tcp::socket socket);
    void start();

private:
    struct slot {
        int32_t correlation_id = 0;
        int16_t api_key = 0;
        bool flexible_header = false;
        bool ready = false;
        bool respond = true;
        bool close_after = false;
        protocol::writer body;
    };

    static awaitable<void> read_loop(std::shared_ptr<connection> self);
    static awaitable<void> write_loop(std::shared_ptr<connection> self);
    static awaitable<void> run_request(std::shared_ptr<connection> self,
                                       std::shared_ptr<request_context> ctx,
                                       std::shared_ptr<slot> s, const api_handler* h);
    awaitable<void> read_frames();
    awaitable<void> write_frames();
    awaitable<void> write_response(slot& s);
    void dispatch(std::shared_ptr<std::vector<uint8_t>> frame);
    void answer_unsupported_api_versions(const protocol::request_header& h);
    void close(const std::string& why);
    // Logs one warning naming the client's address, client id and API, counts it
    // as a connection problem and closes this connection.
    void reject(const std::string& api, const std::optional<std::string>& client_id,
                const std::string& why);
    void wake_writer();

    broker& b_;
    tcp::socket socket_;
    std::string peer_;
    std::optional<std::string> last_client_id_;  // of the last request with a header read
    std::deque<std::shared_ptr<slot>> pending_;
    std::shared_ptr<event> writer_wake_;
    std::shared_ptr<event> reader_wake_;
    bool closed_ = false;
};

}  // namespace sluice::broker
