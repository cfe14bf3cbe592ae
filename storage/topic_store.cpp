#include "storage/topic_store.h"

#include "storage/durable_file.h"

#include <charconv>
#include <climits>

namespace sluice::storage {

namespace fs = std::filesystem;

namespace {

constexpr const char* header_line = "sluice-topics 1";

bool plain(unsigned char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
}

std::string escape(std::string_view s) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    out.reserve(s.size());
    for (unsigned char c : s) {
        if (plain(c)) {
            out += char(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

struct parser {
    const fs::path& file;
    size_t line_no = 0;

    [[noreturn]] void fail(const std::string& why) const {
        throw topic_store_error("corrupt topic store " + file.string() + " line " +
                                std::to_string(line_no) + ": " + why);
    }

    std::string unescape(std::string_view s) const {
        std::string out;
        for (size_t i = 0; i < s.size(); ++i) {
            if (s[i] != '%') {
                if (!plain(static_cast<unsigned char>(s[i]))) fail("unescaped character");
                out += s[i];
                continue;
            }
            if (i + 2 >= s.size()) fail("truncated %-escape");
            int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
            if (hi < 0 || lo < 0) fail("bad %-escape");
            out += char(hi << 4 | lo);
            i += 2;
        }
        return out;
    }

    protocol::uuid parse_uuid(std::string_view s) const {
        if (s.size() != 32) fail("topic id is not 32 hex digits");
        protocol::uuid id;
        for (size_t i = 0; i < 16; ++i) {
            int hi = hex_value(s[2 * i]), lo = hex_value(s[2 * i + 1]);
            if (hi < 0 || lo < 0) fail("topic id is not 32 hex digits");
            id.bytes[i] = uint8_t(hi << 4 | lo);
        }
        return id;
    }

    int64_t parse_int(std::string_view s, const char* what) const {
        int64_t v = 0;
        auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
        if (ec != std::errc() || p != s.data() + s.size()) fail(std::string("bad ") + what);
        return v;
    }
};

std::vector<std::string_view> split(std::string_view line) {
    std::vector<std::string_view> out;
    size_t start = 0;
    while (start <= line.size()) {
        size_t sp = line.find(' ', start);
        if (sp == std::string_view::npos) sp = line.size();
        out.push_back(line.substr(start, sp - start));
        start = sp + 1;
    }
    return out;
}

std::string uuid_hex(const protocol::uuid& id) {
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (auto b : id.bytes) {
        out += hex[b >> 4];
        out += hex[b & 15];
    }
    return out;
}

}  // namespace

file_topic_store::file_topic_store(fs::path log_dir)
    : path_(std::move(log_dir) / topic_store_file) {}

void file_topic_store::load_locked() {
    std::map<std::string, topic_metadata> topics;
    auto text = read_file_if_exists(path_);
    if (!text) {
        topics_ = std::move(topics);
        return;
    }
    parser p{path_};
    std::string_view rest = *text;
    bool saw_end = false;
    size_t topic_lines = 0;
    while (!rest.empty()) {
        ++p.line_no;
        size_t nl = rest.find('\n');
        if (nl == std::string_view::npos) p.fail("last line is not terminated (torn write?)");
        auto line = rest.substr(0, nl);
        rest.remove_prefix(nl + 1);
        if (saw_end) p.fail("data after the end line");
        if (p.line_no == 1) {
            if (line != header_line) p.fail("expected \"" + std::string(header_line) + "\"");
            continue;
        }
        auto f = split(line);
        if (f[0] == "end") {
            if (f.size() != 2 || p.parse_int(f[1], "topic count") != int64_t(topic_lines))
                p.fail("end line does not match the number of topics");
            saw_end = true;
            continue;
        }
        if (f[0] != "topic" || f.size() < 4)
            p.fail("expected \"topic <name> <id> <partitions> ...\"");
        topic_metadata t;
        t.name = p.unescape(f[1]);
        if (t.name.empty()) p.fail("empty topic name");
        t.id = p.parse_uuid(f[2]);
        auto parts = p.parse_int(f[3], "partition count");
        if (parts < 0 || parts > INT32_MAX) p.fail("bad partition count");
        t.partitions = int32_t(parts);
        for (size_t i = 4; i < f.size(); ++i) {
            auto eq = f[i].find('=');
            if (eq == std::string_view::npos) p.fail("config without '='");
            t.configs[p.unescape(f[i].substr(0, eq))] = p.unescape(f[i].substr(eq + 1));
        }
        if (topics.count(t.name)) p.fail("topic " + t.name + " appears twice");
        ++topic_lines;
        topics[t.name] = std::move(t);
    }
    if (p.line_no == 0) p.fail("empty file");
    if (!saw_end) p.fail("no end line (torn write?)");
    topics_ = std::move(topics);
}

void file_topic_store::save_locked() {
    std::string text = std::string(header_line) + "\n";
    for (auto& [name, t] : *topics_) {
        text +=
            "topic " + escape(t.name) + " " + uuid_hex(t.id) + " " + std::to_string(t.partitions);
        for (auto& [k, v] : t.configs) text += " " + escape(k) + "=" + escape(v);
        text += "\n";
    }
    text += "end " + std::to_string(topics_->size()) + "\n";
    write_file_durably(path_, text);
}

std::vector<topic_metadata> file_topic_store::load() {
    std::lock_guard lock(mu_);
    load_locked();
    std::vector<topic_metadata> out;
    for (auto& [name, t] : *topics_) out.push_back(t);
    return out;
}

void file_topic_store::put(const topic_metadata& t) {
    if (t.name.empty()) throw std::invalid_argument("topic_store: empty topic name");
    std::lock_guard lock(mu_);
    if (!topics_) load_locked();
    auto next = *topics_;
    next[t.name] = t;
    std::swap(next, *topics_);
    try {
        save_locked();
    } catch (...) {
        std::swap(next, *topics_);  // memory stays equal to disk
        throw;
    }
}

void file_topic_store::remove(const std::string& name) {
    std::lock_guard lock(mu_);
    if (!topics_) load_locked();
    if (!topics_->count(name)) return;
    auto next = *topics_;
    next.erase(name);
    std::swap(next, *topics_);
    try {
        save_locked();
    } catch (...) {
        std::swap(next, *topics_);
        throw;
    }
}

}  // namespace sluice::storage
