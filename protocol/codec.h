#pragma once
// The one generic codec for every Kafka message and version.
//
// A message is a plain struct that describes its fields once, in wire order:
//
//   struct heartbeat_request {
//       static constexpr int16_t api_key = 12;
//       static constexpr const char* schema_name = "HeartbeatRequest";
//       static constexpr version_range valid{0, 4};
//       static constexpr int16_t flexible_from = 4;
//       std::string group_id;
//       int32_t generation_id = 0;
//       ...
//       template <class S, class V> static void fields(S& s, V& v) {
//           v("GroupId", s.group_id, since(0));
//           v("GenerationId", s.generation_id, since(0));
//       }
//       bool operator==(const heartbeat_request&) const = default;
//   };
//
// `fields` is called with different visitors: the encoder, the decoder and the
// describer (used by the schema cross-check test). A field's spec says in which
// versions it exists, in which it may be null, and whether it is a tagged field.
// C++ member types decide the wire type:
//   int8_t int16_t int32_t int64_t uint16_t double bool   -> fixed-width
//   std::string / std::optional<std::string>               -> (nullable) string
//   bytes / std::optional<bytes>                           -> (nullable) bytes
//   uuid, records                                          -> uuid, records
//   std::vector<T> / std::optional<std::vector<T>>         -> (nullable) array
//   any struct with a static fields()                      -> nested struct
// In flexible versions strings, bytes and arrays use compact lengths and every
// struct ends with a tagged-field section; unknown tags are skipped on decode.

#include "protocol/wire.h"

#include <limits>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

namespace sluice::protocol {

using bytes = std::vector<uint8_t>;

struct version_range {
    int16_t min = 0;
    int16_t max = std::numeric_limits<int16_t>::max();
    constexpr bool contains(int16_t v) const { return v >= min && v <= max; }
    constexpr bool empty() const { return min > max; }
    bool operator==(const version_range&) const = default;
};
constexpr version_range since(int16_t v) { return {v, std::numeric_limits<int16_t>::max()}; }
constexpr version_range between(int16_t a, int16_t b) { return {a, b}; }
constexpr version_range never{1, 0};

struct field_spec {
    version_range present;
    version_range nullable = never;
    int32_t tag = -1;
    version_range tagged = never;

    constexpr field_spec(version_range v) : present(v) {}  // NOLINT: implicit on purpose
    constexpr field_spec nullable_in(version_range n) const {
        auto c = *this;
        c.nullable = n;
        return c;
    }
    constexpr field_spec tagged_as(int32_t id, version_range tv) const {
        auto c = *this;
        c.tag = id;
        c.tagged = tv;
        return c;
    }
};

// Record data as carried in Produce and Fetch: raw RecordBatch bytes. When
// decoded it views the request buffer (valid while that buffer lives); when
// encoded it may own bytes and/or splice file slices (sendfile).
struct records {
    bool is_null = false;
    bytes owned;
    byte_view view;
    std::vector<file_slice> files;

    byte_view data() const { return owned.empty() ? view : byte_view(owned); }
    size_t size() const {
        size_t n = data().size();
        for (auto& f : files) n += f.size;
        return n;
    }
    bool operator==(const records& o) const {
        auto a = data(), b = o.data();
        return is_null == o.is_null && files.empty() && o.files.empty() &&
               std::equal(a.begin(), a.end(), b.begin(), b.end());
    }
};

namespace detail {

template <class T>
struct is_vector : std::false_type {};
template <class T>
struct is_vector<std::vector<T>> : std::true_type {
    using elem = T;
};
template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {
    using inner = T;
};

template <class T>
constexpr bool is_struct_v = !std::is_arithmetic_v<T> && !std::is_same_v<T, std::string> &&
                             !std::is_same_v<T, bytes> && !std::is_same_v<T, uuid> &&
                             !std::is_same_v<T, records> && !is_vector<T>::value &&
                             !is_optional<T>::value;

inline void write_length(writer& w, int64_t n, bool flexible, bool wide) {
    // wide: int32 length (bytes, arrays); otherwise int16 (strings)
    if (flexible)
        w.uvarint(static_cast<uint32_t>(n + 1));
    else if (wide)
        w.i32(static_cast<int32_t>(n));
    else
        w.i16(static_cast<int16_t>(n));
}

inline int64_t read_length(reader& r, bool flexible, bool wide) {
    int64_t n = flexible ? r.compact_length() : (wide ? r.i32() : r.i16());
    if (n < -1) throw decode_error("negative length " + std::to_string(n));
    if (n > 0 && size_t(n) > r.remaining())
        throw decode_error("length " + std::to_string(n) + " exceeds remaining " +
                           std::to_string(r.remaining()));
    return n;
}

struct context {
    int16_t version;
    bool flexible;
};

// ---------- encoding ----------
template <class T>
void encode_value(writer& w, const T& v, const context& c, bool nullable);

template <class S>
void encode_struct(writer& w, const S& s, const context& c);

struct tagged_entry {
    int32_t tag;
    bytes data;
};

struct encode_visitor {
    writer& w;
    const context& c;
    std::vector<const void*>* defaults;  // tagged-field defaults, in visit order
    std::vector<tagged_entry>* tagged;
    size_t tagged_index = 0;

    template <class T>
    void operator()(const char*, const T& value, const field_spec& f) {
        if (f.tag >= 0) {
            const T* def = static_cast<const T*>((*defaults)[tagged_index++]);
            if (!c.flexible || !f.tagged.contains(c.version) || !f.present.contains(c.version))
                return;
            if (value == *def) return;
            writer tw;
            encode_value(tw, value, c, f.nullable.contains(c.version));
            tagged->push_back({f.tag, std::move(tw.buffer())});
            return;
        }
        if (!f.present.contains(c.version)) return;
        encode_value(w, value, c, f.nullable.contains(c.version));
    }
};

struct default_collector {
    std::vector<const void*>* out;
    template <class T>
    void operator()(const char*, const T& value, const field_spec& f) {
        if (f.tag >= 0) out->push_back(&value);
    }
};

template <class S>
const std::vector<const void*>& tagged_defaults() {
    static const S def{};
    static const std::vector<const void*> ptrs = [] {
        std::vector<const void*> p;
        default_collector dc{&p};
        S::fields(def, dc);
        return p;
    }();
    return ptrs;
}

template <class S>
void encode_struct(writer& w, const S& s, const context& c) {
    std::vector<tagged_entry> tagged;
    encode_visitor ev{w, c, const_cast<std::vector<const void*>*>(&tagged_defaults<S>()), &tagged};
    S::fields(s, ev);
    if (c.flexible) {
        w.uvarint(static_cast<uint32_t>(tagged.size()));
        for (auto& t : tagged) {
            w.uvarint(static_cast<uint32_t>(t.tag));
            w.uvarint(static_cast<uint32_t>(t.data.size()));
            w.raw(t.data.data(), t.data.size());
        }
    }
}

template <class T>
void encode_value(writer& w, const T& v, const context& c, bool nullable) {
    if constexpr (std::is_same_v<T, bool>) {
        w.i8(v ? 1 : 0);
    } else if constexpr (std::is_same_v<T, int8_t>) {
        w.i8(v);
    } else if constexpr (std::is_same_v<T, int16_t>) {
        w.i16(v);
    } else if constexpr (std::is_same_v<T, uint16_t>) {
        w.u16(v);
    } else if constexpr (std::is_same_v<T, int32_t>) {
        w.i32(v);
    } else if constexpr (std::is_same_v<T, int64_t>) {
        w.i64(v);
    } else if constexpr (std::is_same_v<T, double>) {
        w.f64(v);
    } else if constexpr (std::is_same_v<T, uuid>) {
        w.raw(v.bytes.data(), 16);
    } else if constexpr (std::is_same_v<T, std::string>) {
        write_length(w, int64_t(v.size()), c.flexible, false);
        w.raw(v.data(), v.size());
    } else if constexpr (std::is_same_v<T, bytes>) {
        write_length(w, int64_t(v.size()), c.flexible, true);
        w.raw(v.data(), v.size());
    } else if constexpr (std::is_same_v<T, records>) {
        if (v.is_null && nullable) {
            write_length(w, -1, c.flexible, true);
            return;
        }
        write_length(w, int64_t(v.size()), c.flexible, true);
        auto d = v.data();
        w.raw(d.data(), d.size());
        for (auto& f : v.files) w.file(f);
    } else if constexpr (is_optional<T>::value) {
        if (!v.has_value()) {
            using inner = typename is_optional<T>::inner;
            bool wide = !std::is_same_v<inner, std::string>;
            if (nullable)
                write_length(w, -1, c.flexible, wide);
            else
                encode_value(w, inner{}, c, false);
            return;
        }
        encode_value(w, *v, c, nullable);
    } else if constexpr (is_vector<T>::value) {
        write_length(w, int64_t(v.size()), c.flexible, true);
        for (auto& e : v) encode_value(w, e, c, false);
    } else {
        static_assert(is_struct_v<T>, "unsupported field type");
        encode_struct(w, v, c);
    }
}

// ---------- decoding ----------
template <class T>
void decode_value(reader& r, T& v, const context& c, bool nullable);

template <class S>
void decode_struct(reader& r, S& s, const context& c);

struct decode_visitor {
    reader& r;
    const context& c;
    template <class T>
    void operator()(const char*, T& value, const field_spec& f) {
        if (f.tag >= 0) return;  // read in the tagged section
        if (!f.present.contains(c.version)) return;
        decode_value(r, value, c, f.nullable.contains(c.version));
    }
};

struct tagged_decode_visitor {
    reader& r;
    const context& c;
    int32_t want;
    bool found = false;
    template <class T>
    void operator()(const char*, T& value, const field_spec& f) {
        if (found || f.tag != want || !f.tagged.contains(c.version)) return;
        found = true;
        decode_value(r, value, c, f.nullable.contains(c.version));
    }
};

template <class S>
void decode_struct(reader& r, S& s, const context& c) {
    decode_visitor dv{r, c};
    S::fields(s, dv);
    if (!c.flexible) return;
    uint32_t n = r.uvarint();
    for (uint32_t i = 0; i < n; ++i) {
        uint32_t tag = r.uvarint();
        uint32_t size = r.uvarint();
        reader sub(r.take(size));
        tagged_decode_visitor tv{sub, c, static_cast<int32_t>(tag)};
        S::fields(s, tv);
    }
}

template <class T>
void decode_value(reader& r, T& v, const context& c, bool nullable) {
    if constexpr (std::is_same_v<T, bool>) {
        v = r.i8() != 0;
    } else if constexpr (std::is_same_v<T, int8_t>) {
        v = r.i8();
    } else if constexpr (std::is_same_v<T, int16_t>) {
        v = r.i16();
    } else if constexpr (std::is_same_v<T, uint16_t>) {
        v = r.u16();
    } else if constexpr (std::is_same_v<T, int32_t>) {
        v = r.i32();
    } else if constexpr (std::is_same_v<T, int64_t>) {
        v = r.i64();
    } else if constexpr (std::is_same_v<T, double>) {
        v = r.f64();
    } else if constexpr (std::is_same_v<T, uuid>) {
        auto b = r.take(16);
        std::copy(b.begin(), b.end(), v.bytes.begin());
    } else if constexpr (std::is_same_v<T, std::string>) {
        int64_t n = read_length(r, c.flexible, false);
        if (n < 0) throw decode_error("null value for a non-nullable string");
        auto b = r.take(size_t(n));
        v.assign(reinterpret_cast<const char*>(b.data()), b.size());
    } else if constexpr (std::is_same_v<T, bytes>) {
        int64_t n = read_length(r, c.flexible, true);
        if (n < 0) throw decode_error("null value for non-nullable bytes");
        auto b = r.take(size_t(n));
        v.assign(b.begin(), b.end());
    } else if constexpr (std::is_same_v<T, records>) {
        int64_t n = read_length(r, c.flexible, true);
        v.is_null = n < 0;
        v.view = n > 0 ? r.take(size_t(n)) : byte_view{};
    } else if constexpr (is_optional<T>::value) {
        using inner = typename is_optional<T>::inner;
        bool wide = !std::is_same_v<inner, std::string>;
        // Peek the length to detect null without consuming it twice.
        reader peek = r;
        int64_t n = read_length(peek, c.flexible, wide);
        if (n < 0) {
            r = peek;
            v.reset();
            return;
        }
        v.emplace();
        decode_value(r, *v, c, nullable);
    } else if constexpr (is_vector<T>::value) {
        int64_t n = read_length(r, c.flexible, true);
        if (n < 0) throw decode_error("null value for a non-nullable array");
        v.clear();
        // n <= remaining bytes was checked, but an element may take far more memory
        // than wire bytes: cap the up-front reservation so a hostile count cannot
        // allocate gigabytes.
        v.reserve(std::min<size_t>(size_t(n), 1024));
        for (int64_t i = 0; i < n; ++i) {
            v.emplace_back();
            decode_value(r, v.back(), c, false);
        }
    } else {
        static_assert(is_struct_v<T>, "unsupported field type");
        decode_struct(r, v, c);
    }
}

}  // namespace detail

template <class M>
constexpr bool is_flexible(int16_t version) {
    return version >= M::flexible_from;
}

// Encode the body of message M at `version` (no header, no length prefix).
template <class M>
void encode(writer& w, const M& m, int16_t version) {
    detail::context c{version, is_flexible<M>(version)};
    detail::encode_struct(w, m, c);
}

template <class M>
bytes encode_to_bytes(const M& m, int16_t version) {
    writer w;
    encode(w, m, version);
    return std::move(w.buffer());
}

// Decode the body of message M at `version`. Throws decode_error.
template <class M>
M decode(reader& r, int16_t version) {
    M m{};
    detail::context c{version, is_flexible<M>(version)};
    detail::decode_struct(r, m, c);
    return m;
}

template <class M>
M decode(byte_view data, int16_t version) {
    reader r(data);
    return decode<M>(r, version);
}

}  // namespace sluice::protocol
