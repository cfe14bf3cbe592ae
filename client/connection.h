#pragma once
// One blocking TCP connection to one Kafka broker (POSIX sockets, poll() deadlines).
//
// A connection is opened with a connect timeout, then negotiates API versions with
// ApiVersions: for each API the client sends the highest version that both the
// broker advertises and protocol/messages declare. Requests are framed as
//   int32 size | request header (v1, or v2 for flexible versions) | body
// and responses read as int32 size | response header (v0, or v1 for flexible
// versions except ApiVersions) | body. One request is in flight at a time.
//
// Every failure throws client_error (or its subclasses) with a message that names
// the broker address and, where there is one, the API.

#include "client/errors.h"
#include "protocol/codec.h"
#include "protocol/messages/all.h"

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace sluice::client {

using protocol::bytes;

struct address {
    std::string host;
    int port = 0;
    std::string str() const;
    bool operator==(const address&) const = default;
};

struct connection_options {
    std::string client_id = "sluice";
    int connect_timeout_ms = 5000;
    int request_timeout_ms = 30000;
    // Highest version to use per API key, below what both sides support (to work
    // around a broker's bug in one version, or to test older versions).
    std::map<int16_t, int16_t> max_versions;
};

// The broker's advertised range for one API key.
struct api_range {
    int16_t min = 0;
    int16_t max = -1;
};

// The version to use given what the client implements (`ours`) and what the broker
// advertises (`theirs`): the highest version in both, or nullopt when they do not
// overlap (or the broker does not advertise the API at all).
std::optional<int16_t> pick_version(protocol::version_range ours, std::optional<api_range> theirs);

// A request frame: size prefix, header, body. Exposed for tests.
bytes frame_request(int16_t api_key, int16_t version, bool flexible, int32_t correlation_id,
                    const std::string& client_id, const bytes& body);

// The response message type for each request type.
template <class Req>
struct response_of;
#define SLUICE_CLIENT_RESPONSE(req, resp) \
    template <>                           \
    struct response_of<protocol::req> {   \
        using type = protocol::resp;      \
    };
SLUICE_CLIENT_RESPONSE(api_versions_request, api_versions_response)
SLUICE_CLIENT_RESPONSE(metadata_request, metadata_response)
SLUICE_CLIENT_RESPONSE(produce_request, produce_response)
SLUICE_CLIENT_RESPONSE(fetch_request, fetch_response)
SLUICE_CLIENT_RESPONSE(list_offsets_request, list_offsets_response)
SLUICE_CLIENT_RESPONSE(create_topics_request, create_topics_response)
SLUICE_CLIENT_RESPONSE(delete_topics_request, delete_topics_response)
SLUICE_CLIENT_RESPONSE(create_partitions_request, create_partitions_response)
SLUICE_CLIENT_RESPONSE(describe_configs_request, describe_configs_response)
SLUICE_CLIENT_RESPONSE(describe_cluster_request, describe_cluster_response)
SLUICE_CLIENT_RESPONSE(list_groups_request, list_groups_response)
SLUICE_CLIENT_RESPONSE(describe_groups_request, describe_groups_response)
SLUICE_CLIENT_RESPONSE(offset_fetch_request, offset_fetch_response)
SLUICE_CLIENT_RESPONSE(find_coordinator_request, find_coordinator_response)
#undef SLUICE_CLIENT_RESPONSE

// Human name of an API key for messages ("Produce", "Metadata", ...).
std::string api_name(int16_t api_key);

class connection {
public:
    // Connects and negotiates versions; throws client_error on failure.
    connection(address addr, connection_options opts = {});
    ~connection();
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;

    const address& peer() const { return addr_; }
    bool broken() const { return fd_ < 0; }

    // The negotiated version for an API, or nullopt when there is none.
    std::optional<int16_t> version_for(int16_t api_key, protocol::version_range ours) const;
    template <class Req>
    std::optional<int16_t> version_for() const {
        return version_for(Req::api_key, Req::valid);
    }
    const std::map<int16_t, api_range>& broker_versions() const { return versions_; }

    // Sends `req` at the negotiated version (or `version` when given) and decodes
    // the response. Records fields in the response view `frame`, which the caller
    // keeps alive for as long as it reads them.
    template <class Req>
    typename response_of<Req>::type call(const Req& req, bytes& frame,
                                         std::optional<int16_t> version = std::nullopt) {
        using Resp = typename response_of<Req>::type;
        int16_t v = version ? *version : require_version<Req>();
        bytes body = protocol::encode_to_bytes(req, v);
        frame = roundtrip(Req::api_key, v, protocol::is_flexible<Req>(v), body, true);
        return decode_body<Resp>(Req::api_key, v, frame);
    }
    template <class Req>
    typename response_of<Req>::type call(const Req& req,
                                         std::optional<int16_t> version = std::nullopt) {
        bytes frame;
        return call(req, frame, version);
    }
    // For Produce with acks=0: the broker sends no response.
    template <class Req>
    void send_only(const Req& req, std::optional<int16_t> version = std::nullopt) {
        int16_t v = version ? *version : require_version<Req>();
        bytes body = protocol::encode_to_bytes(req, v);
        roundtrip(Req::api_key, v, protocol::is_flexible<Req>(v), body, false);
    }

private:
    template <class Req>
    int16_t require_version() const {
        auto v = version_for<Req>();
        if (!v)
            throw client_error("broker " + addr_.str() + " supports no version of " +
                               api_name(Req::api_key) + " that this client implements");
        return *v;
    }
    template <class Resp>
    Resp decode_body(int16_t api_key, int16_t version, const bytes& frame) {
        try {
            protocol::reader r(frame);
            skip_response_header(r, api_key, protocol::is_flexible<Resp>(version));
            return protocol::decode<Resp>(r, version);
        } catch (const protocol::decode_error& e) {
            close();
            throw client_error("malformed " + api_name(api_key) + " v" + std::to_string(version) +
                               " response from " + addr_.str() + ": " + e.what());
        }
    }
    void skip_response_header(protocol::reader& r, int16_t api_key, bool flexible);
    // Sends one framed request; when expect_response, reads the response frame
    // (without its size prefix) and checks the correlation id.
    bytes roundtrip(int16_t api_key, int16_t version, bool flexible, const bytes& body,
                    bool expect_response);
    void negotiate();
    void open();
    void close();
    void write_all(const uint8_t* p, size_t n, std::chrono::steady_clock::time_point deadline,
                   const std::string& what);
    void read_all(uint8_t* p, size_t n, std::chrono::steady_clock::time_point deadline,
                  const std::string& what);

    address addr_;
    connection_options opts_;
    int fd_ = -1;
    int32_t next_correlation_id_ = 1;
    int32_t expected_correlation_id_ = 0;
    std::map<int16_t, api_range> versions_;
};

}  // namespace sluice::client
