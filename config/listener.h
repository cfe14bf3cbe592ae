#pragma once
// Network address values: listeners (NAME://host:port), plain endpoints
// (host:port, admin.listeners), controller quorum voters (id@host:port) and the
// listener-name-to-security-protocol map (NAME:PROTOCOL).
//
// Hosts are kept as written: an empty host means every interface (when binding)
// and is left for the broker to resolve; IPv6 literals must be bracketed in the
// text ([::1]:9092) and are stored without brackets. Names are upper-cased, as
// Kafka normalises listener names.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::config {

struct listener {
    std::string name;               // upper-case, e.g. "PLAINTEXT", "CONTROLLER"
    std::string host;               // empty: every interface; IPv6 without brackets
    uint16_t port = 0;              // 0: any free port (tests)
    std::string security_protocol;  // filled by load_broker_config from the map
    bool operator==(const listener&) const = default;
};

struct endpoint {
    std::string host;
    uint16_t port = 0;
    bool operator==(const endpoint&) const = default;
};

struct quorum_voter {
    int32_t id = 0;
    std::string host;
    uint16_t port = 0;
    bool operator==(const quorum_voter&) const = default;
};

// The security protocols a listener may use.
inline constexpr std::string_view security_protocols[] = {"PLAINTEXT", "SSL", "SASL_PLAINTEXT",
                                                          "SASL_SSL"};

// Parsers throwing config_error whose message names `key`, the value and the
// expected form. Empty text gives an empty list.
std::vector<listener> parse_listeners(std::string_view value, std::string_view key = "listeners");
std::vector<endpoint> parse_endpoints(std::string_view value,
                                      std::string_view key = "admin.listeners");
std::vector<quorum_voter> parse_quorum_voters(std::string_view value,
                                              std::string_view key = "controller.quorum.voters");
std::map<std::string, std::string> parse_security_protocol_map(
    std::string_view value, std::string_view key = "listener.security.protocol.map");

// Non-throwing forms: return false and set `why` to a short reason.
bool try_parse_listeners(std::string_view value, std::vector<listener>& out, std::string& why);
bool try_parse_endpoints(std::string_view value, std::vector<endpoint>& out, std::string& why);
bool try_parse_quorum_voters(std::string_view value, std::vector<quorum_voter>& out,
                             std::string& why);
bool try_parse_security_protocol_map(std::string_view value,
                                     std::map<std::string, std::string>& out, std::string& why);

// "host:port", bracketing IPv6 hosts: "[::1]:9092", ":9092" for an empty host.
std::string format_host_port(std::string_view host, uint16_t port);
// "NAME://host:port".
std::string to_string(const listener& l);

}  // namespace sluice::config
