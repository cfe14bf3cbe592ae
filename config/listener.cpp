#include "config/listener.h"

#include "config/declarations.h"

#include <algorithm>
#include <cctype>
#include <set>

namespace sluice::config {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

// Comma-separated items, trimmed. Empty text gives no items; an empty item
// between commas is returned as "" so callers can reject it.
std::vector<std::string_view> split_items(std::string_view value) {
    std::vector<std::string_view> out;
    value = trim(value);
    if (value.empty()) return out;
    size_t start = 0;
    while (true) {
        size_t comma = value.find(',', start);
        out.push_back(trim(value.substr(start, comma == value.npos ? value.npos : comma - start)));
        if (comma == value.npos) break;
        start = comma + 1;
    }
    return out;
}

std::string in_quotes(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::string upper(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

bool is_name_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
}
bool is_hostname_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
}
bool is_ipv6_char(char c) {
    // hex digits, ':' and '.' (embedded IPv4), '%' plus a zone name (fe80::1%eth0)
    return std::isalnum(static_cast<unsigned char>(c)) || c == ':' || c == '.' || c == '%' ||
           c == '_' || c == '-';
}

// Parses "host:port" / "[v6]:port" / ":port". `item` is the whole item for messages.
bool parse_host_port(std::string_view text, std::string_view item, bool allow_empty_host,
                     std::string& host, uint16_t& port, std::string& why) {
    std::string_view port_text;
    if (!text.empty() && text.front() == '[') {
        size_t close = text.find(']');
        if (close == text.npos) {
            why = in_quotes(item) + " has an unclosed '['";
            return false;
        }
        auto h = text.substr(1, close - 1);
        if (h.empty() || h.find(':') == h.npos || !std::all_of(h.begin(), h.end(), is_ipv6_char)) {
            why = in_quotes(item) + " has an invalid IPv6 address in brackets";
            return false;
        }
        auto rest = text.substr(close + 1);
        if (rest.empty() || rest.front() != ':') {
            why = in_quotes(item) + " has no port";
            return false;
        }
        host = std::string(h);
        port_text = rest.substr(1);
    } else {
        size_t colon = text.rfind(':');
        if (colon == text.npos) {
            why = in_quotes(item) + " has no port";
            return false;
        }
        auto h = text.substr(0, colon);
        if (h.find(':') != h.npos) {
            why = in_quotes(item) + " has an IPv6 address without brackets (write [::1]:9092)";
            return false;
        }
        if (!std::all_of(h.begin(), h.end(), is_hostname_char)) {
            why = in_quotes(item) + " has an invalid host name";
            return false;
        }
        host = std::string(h);
        port_text = text.substr(colon + 1);
    }
    if (host.empty() && !allow_empty_host) {
        why = in_quotes(item) + " has no host";
        return false;
    }
    if (port_text.empty()) {
        why = in_quotes(item) + " has no port";
        return false;
    }
    if (port_text.size() > 5 || !std::all_of(port_text.begin(), port_text.end(),
                                             [](char c) { return c >= '0' && c <= '9'; })) {
        why = in_quotes(item) + " has an invalid port";
        return false;
    }
    unsigned long p = std::stoul(std::string(port_text));
    if (p > 65535) {
        why = in_quotes(item) + " has a port outside 0-65535";
        return false;
    }
    port = static_cast<uint16_t>(p);
    return true;
}

[[noreturn]] void throw_parse_error(std::string_view key, std::string_view value,
                                    const std::string& why) {
    std::string expected;
    if (const key_decl* d = find_broker_key(key)) expected = expectation(*d);
    std::string msg = std::string(key) + ": " + in_quotes(value) + " is not valid: " + why;
    if (!expected.empty()) msg += " (expected " + expected + ")";
    throw config_error(std::string(key), msg);
}

}  // namespace

bool try_parse_listeners(std::string_view value, std::vector<listener>& out, std::string& why) {
    out.clear();
    std::set<std::string> names;
    std::set<std::pair<std::string, uint16_t>> addresses;
    for (auto item : split_items(value)) {
        if (item.empty()) {
            why = "there is an empty entry";
            return false;
        }
        size_t sep = item.find("://");
        if (sep == item.npos) {
            why = in_quotes(item) + " is not of the form NAME://host:port";
            return false;
        }
        auto name = item.substr(0, sep);
        if (name.empty() || !std::all_of(name.begin(), name.end(), is_name_char)) {
            why = in_quotes(item) + " has an invalid listener name";
            return false;
        }
        listener l;
        l.name = upper(name);
        if (!parse_host_port(item.substr(sep + 3), item, true, l.host, l.port, why)) return false;
        if (!names.insert(l.name).second) {
            why = "listener name " + in_quotes(l.name) + " appears twice";
            return false;
        }
        if (l.port != 0 && !addresses.emplace(l.host, l.port).second) {
            why = in_quotes(format_host_port(l.host, l.port)) + " is used by two listeners";
            return false;
        }
        out.push_back(std::move(l));
    }
    return true;
}

bool try_parse_endpoints(std::string_view value, std::vector<endpoint>& out, std::string& why) {
    out.clear();
    for (auto item : split_items(value)) {
        if (item.empty()) {
            why = "there is an empty entry";
            return false;
        }
        if (item.find("://") != item.npos) {
            why = in_quotes(item) + " should be host:port without a scheme";
            return false;
        }
        endpoint e;
        if (!parse_host_port(item, item, true, e.host, e.port, why)) return false;
        out.push_back(std::move(e));
    }
    return true;
}

bool try_parse_quorum_voters(std::string_view value, std::vector<quorum_voter>& out,
                             std::string& why) {
    out.clear();
    std::set<int32_t> ids;
    for (auto item : split_items(value)) {
        if (item.empty()) {
            why = "there is an empty entry";
            return false;
        }
        size_t at = item.find('@');
        if (at == item.npos) {
            why = in_quotes(item) + " is not of the form id@host:port";
            return false;
        }
        auto id = item.substr(0, at);
        if (id.empty() || id.size() > 9 ||
            !std::all_of(id.begin(), id.end(), [](char c) { return c >= '0' && c <= '9'; })) {
            why = in_quotes(item) + " has an invalid node id";
            return false;
        }
        quorum_voter v;
        v.id = std::stoi(std::string(id));
        if (!parse_host_port(item.substr(at + 1), item, false, v.host, v.port, why)) return false;
        if (!ids.insert(v.id).second) {
            why = "node id " + std::to_string(v.id) + " appears twice";
            return false;
        }
        out.push_back(std::move(v));
    }
    return true;
}

bool try_parse_security_protocol_map(std::string_view value,
                                     std::map<std::string, std::string>& out, std::string& why) {
    out.clear();
    for (auto item : split_items(value)) {
        if (item.empty()) {
            why = "there is an empty entry";
            return false;
        }
        size_t colon = item.find(':');
        if (colon == item.npos) {
            why = in_quotes(item) + " is not of the form NAME:PROTOCOL";
            return false;
        }
        auto name = trim(item.substr(0, colon));
        auto protocol = upper(trim(item.substr(colon + 1)));
        if (name.empty() || !std::all_of(name.begin(), name.end(), is_name_char)) {
            why = in_quotes(item) + " has an invalid listener name";
            return false;
        }
        if (std::find(std::begin(security_protocols), std::end(security_protocols), protocol) ==
            std::end(security_protocols)) {
            why = in_quotes(item) + " names an unknown security protocol";
            return false;
        }
        if (!out.emplace(upper(name), protocol).second) {
            why = "listener name " + in_quotes(upper(name)) + " appears twice";
            return false;
        }
    }
    return true;
}

std::vector<listener> parse_listeners(std::string_view value, std::string_view key) {
    std::vector<listener> out;
    std::string why;
    if (!try_parse_listeners(value, out, why)) throw_parse_error(key, value, why);
    return out;
}

std::vector<endpoint> parse_endpoints(std::string_view value, std::string_view key) {
    std::vector<endpoint> out;
    std::string why;
    if (!try_parse_endpoints(value, out, why)) throw_parse_error(key, value, why);
    return out;
}

std::vector<quorum_voter> parse_quorum_voters(std::string_view value, std::string_view key) {
    std::vector<quorum_voter> out;
    std::string why;
    if (!try_parse_quorum_voters(value, out, why)) throw_parse_error(key, value, why);
    return out;
}

std::map<std::string, std::string> parse_security_protocol_map(std::string_view value,
                                                               std::string_view key) {
    std::map<std::string, std::string> out;
    std::string why;
    if (!try_parse_security_protocol_map(value, out, why)) throw_parse_error(key, value, why);
    return out;
}

std::string format_host_port(std::string_view host, uint16_t port) {
    std::string out;
    if (host.find(':') != host.npos) {
        out = "[" + std::string(host) + "]";
    } else {
        out = std::string(host);
    }
    return out + ":" + std::to_string(port);
}

std::string to_string(const listener& l) {
    return l.name + "://" + format_host_port(l.host, l.port);
}

}  // namespace sluice::config
