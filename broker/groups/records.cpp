#include "broker/groups/records.h"

namespace sluice::broker::groups {

using protocol::bytes;
using protocol::reader;
using protocol::writer;

int32_t java_string_hash(const std::string& s) {
    uint32_t h = 0;
    auto add = [&](uint32_t unit) { h = 31 * h + unit; };
    size_t i = 0;
    while (i < s.size()) {
        auto c = uint8_t(s[i]);
        uint32_t cp;
        size_t len;
        if (c < 0x80) {
            cp = c, len = 1;
        } else if ((c >> 5) == 6) {
            cp = c & 0x1f, len = 2;
        } else if ((c >> 4) == 14) {
            cp = c & 0x0f, len = 3;
        } else if ((c >> 3) == 30) {
            cp = c & 0x07, len = 4;
        } else {
            cp = 0xfffd, len = 1;  // invalid byte: Java decodes it as U+FFFD
        }
        if (i + len > s.size()) {
            cp = 0xfffd;
            len = s.size() - i;
        } else {
            for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (uint8_t(s[i + k]) & 0x3f);
        }
        i += len;
        if (cp >= 0x10000) {
            cp -= 0x10000;
            add(0xd800 + (cp >> 10));
            add(0xdc00 + (cp & 0x3ff));
        } else {
            add(cp);
        }
    }
    return int32_t(h);
}

int32_t partition_for_group(const std::string& group_id, int32_t partitions) {
    if (partitions <= 0) return 0;
    return (java_string_hash(group_id) & 0x7fffffff) % partitions;
}

namespace {

void str(writer& w, const std::string& s) {
    w.i16(int16_t(s.size()));
    w.raw(s.data(), s.size());
}
void nstr(writer& w, const std::optional<std::string>& s) {
    if (!s)
        w.i16(-1);
    else
        str(w, *s);
}
void blob(writer& w, const bytes& b) {
    w.i32(int32_t(b.size()));
    w.raw(b.data(), b.size());
}
std::optional<std::string> read_nstr(reader& r) {
    int16_t n = r.i16();
    if (n < 0) return std::nullopt;
    auto b = r.take(size_t(n));
    return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}
std::string read_str(reader& r) {
    auto s = read_nstr(r);
    if (!s) throw protocol::decode_error("null string");
    return *s;
}
bytes read_bytes(reader& r) {
    int32_t n = r.i32();
    if (n < 0) return {};
    auto b = r.take(size_t(n));
    return bytes(b.begin(), b.end());
}

}  // namespace

bytes encode_offset_key(const offset_key& k) {
    writer w;
    w.i16(1);
    str(w, k.group);
    str(w, k.topic);
    w.i32(k.partition);
    return std::move(w.buffer());
}

bytes encode_group_key(const group_key& k) {
    writer w;
    w.i16(2);
    str(w, k.group);
    return std::move(w.buffer());
}

bytes encode_offset_value(const offset_value& v) {
    writer w;
    w.i16(3);
    w.i64(v.offset);
    w.i32(v.leader_epoch);
    str(w, v.metadata);
    w.i64(v.commit_timestamp);
    return std::move(w.buffer());
}

bytes encode_group_value(const group_value& v) {
    writer w;
    w.i16(3);
    str(w, v.protocol_type);
    w.i32(v.generation);
    nstr(w, v.protocol);
    nstr(w, v.leader);
    w.i64(v.current_state_timestamp);
    w.i32(int32_t(v.members.size()));
    for (auto& m : v.members) {
        str(w, m.member_id);
        nstr(w, m.group_instance_id);
        str(w, m.client_id);
        str(w, m.client_host);
        w.i32(m.rebalance_timeout);
        w.i32(m.session_timeout);
        blob(w, m.subscription);
        blob(w, m.assignment);
    }
    return std::move(w.buffer());
}

std::optional<record_key> decode_key(protocol::byte_view b) {
    reader r(b);
    int16_t version = r.i16();
    if (version == 0 || version == 1) {
        offset_key k;
        k.group = read_str(r);
        k.topic = read_str(r);
        k.partition = r.i32();
        return k;
    }
    if (version == 2) return group_key{read_str(r)};
    return std::nullopt;
}

offset_value decode_offset_value(protocol::byte_view b) {
    reader r(b);
    int16_t version = r.i16();
    offset_value v;
    v.offset = r.i64();
    if (version >= 3) v.leader_epoch = r.i32();
    v.metadata = read_nstr(r).value_or("");
    v.commit_timestamp = r.i64();
    if (version == 1) v.expire_timestamp = r.i64();
    return v;
}

group_value decode_group_value(protocol::byte_view b) {
    reader r(b);
    int16_t version = r.i16();
    group_value v;
    v.protocol_type = read_str(r);
    v.generation = r.i32();
    v.protocol = read_nstr(r);
    v.leader = read_nstr(r);
    if (version >= 2) v.current_state_timestamp = r.i64();
    int32_t n = r.i32();
    for (int32_t i = 0; i < n; ++i) {
        auto& m = v.members.emplace_back();
        m.member_id = read_str(r);
        if (version >= 3) m.group_instance_id = read_nstr(r);
        m.client_id = read_str(r);
        m.client_host = read_str(r);
        if (version >= 1) m.rebalance_timeout = r.i32();
        m.session_timeout = r.i32();
        if (version == 0) m.rebalance_timeout = m.session_timeout;
        m.subscription = read_bytes(r);
        m.assignment = read_bytes(r);
    }
    return v;
}

group_value snapshot(const group& g) {
    group_value v;
    v.protocol_type = g.protocol_type();
    v.generation = g.generation();
    v.protocol = g.protocol_name();
    if (!g.leader().empty()) v.leader = g.leader();
    v.current_state_timestamp = g.state_timestamp();
    for (auto& [id, m] : g.members()) {
        auto& mv = v.members.emplace_back();
        mv.member_id = id;
        mv.group_instance_id = m.instance_id;
        mv.client_id = m.client_id;
        mv.client_host = m.client_host;
        mv.rebalance_timeout = m.rebalance_timeout_ms;
        mv.session_timeout = m.session_timeout_ms;
        const protocol::bytes* md = g.protocol_name() ? m.metadata_for(*g.protocol_name()) : nullptr;
        if (md) mv.subscription = *md;
        mv.assignment = m.assignment;
    }
    return v;
}

}  // namespace sluice::broker::groups
