#pragma once
// Generic helpers for the message round-trip tests:
//  - fill<M>(mode) builds an instance with a non-default value in every field
//    (two elements in every array, nested structs filled recursively); in
//    `nulls` mode every field that is nullable in some version is null instead;
//  - expected_after(m, v) is what decoding m's encoding at version v must give:
//    fields absent at v (or tagged fields at a non-flexible v) reset to their
//    defaults, nulls that v cannot carry turned into empty values;
//  - check_roundtrip(m, v) encodes, decodes, compares with expected_after,
//    re-encodes and compares the bytes.

#include "message_list.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

namespace sluice::protocol::test {

enum class fill_mode { full, nulls };

struct fill_state {
    fill_mode mode;
    uint32_t counter = 0;
    uint32_t next() { return ++counter; }
};

template <class T>
void fill_value(T& v, const field_spec& f, fill_state& st);

struct fill_visitor {
    fill_state& st;
    template <class T>
    void operator()(const char*, T& value, const field_spec& f) {
        fill_value(value, f, st);
    }
};

template <class T>
void fill_value(T& v, const field_spec& f, fill_state& st) {
    if constexpr (std::is_same_v<T, bool>) {
        v = !v;
    } else if constexpr (std::is_integral_v<T>) {
        v = static_cast<T>(v + 1 + st.next() % 50);  // never the default (v)
    } else if constexpr (std::is_same_v<T, double>) {
        v += 1.5;
    } else if constexpr (std::is_same_v<T, std::string>) {
        v = "s" + std::to_string(st.next());
    } else if constexpr (std::is_same_v<T, bytes>) {
        v = bytes{0xb0, uint8_t(st.next()), 0x00, 0xff};
    } else if constexpr (std::is_same_v<T, uuid>) {
        auto n = st.next();
        for (size_t i = 0; i < 16; ++i) v.bytes[i] = uint8_t(n * 17 + i);
    } else if constexpr (std::is_same_v<T, records>) {
        if (st.mode == fill_mode::nulls && !f.nullable.empty()) {
            v = records{};
            v.is_null = true;
        } else {
            v.owned = bytes{0x00, 0x01, uint8_t(st.next()), 0x7f, 0x80};
        }
    } else if constexpr (detail::is_optional<T>::value) {
        if (st.mode == fill_mode::nulls && !f.nullable.empty()) {
            v.reset();
        } else {
            if (!v) v.emplace();
            fill_value(*v, f, st);
        }
    } else if constexpr (detail::is_vector<T>::value) {
        v.resize(2);
        for (auto& e : v) fill_value(e, field_spec(since(0)), st);
    } else {
        fill_visitor fv{st};
        T::fields(v, fv);
    }
}

template <class M>
M fill(fill_mode mode = fill_mode::full) {
    M m{};
    fill_state st{mode};
    fill_visitor fv{st};
    M::fields(m, fv);
    return m;
}

// Checks that every top-level field of a filled message differs from its default.
struct differs_visitor {
    std::vector<const void*> defaults;
    size_t i = 0;
    std::vector<std::string> same;
    template <class T>
    void operator()(const char* name, const T& value, const field_spec&) {
        if (value == *static_cast<const T*>(defaults[i++])) same.push_back(name);
    }
};
struct pointer_collector {
    std::vector<const void*>* out;
    template <class T>
    void operator()(const char*, const T& value, const field_spec&) {
        out->push_back(&value);
    }
};
template <class S>
std::vector<std::string> fields_left_default(const S& s) {
    static const S def{};
    differs_visitor dv;
    pointer_collector pc{&dv.defaults};
    S::fields(def, pc);
    S::fields(s, dv);
    return dv.same;
}

// ---- expected value after a round trip at version v ----

template <class S>
void normalize_struct(S& s, int16_t v, bool flexible);

template <class T>
void normalize_value(T& value, bool nullable, int16_t v, bool flexible) {
    if constexpr (std::is_same_v<T, records>) {
        if (value.is_null && !nullable) value.is_null = false;
    } else if constexpr (detail::is_optional<T>::value) {
        if (!value && !nullable) value.emplace();
        if (value) normalize_value(*value, nullable, v, flexible);
    } else if constexpr (detail::is_vector<T>::value) {
        for (auto& e : value) normalize_value(e, false, v, flexible);
    } else if constexpr (detail::is_struct_v<T>) {
        normalize_struct(value, v, flexible);
    }
}

struct normalize_visitor {
    int16_t v;
    bool flexible;
    std::vector<const void*> defaults;
    size_t i = 0;
    template <class T>
    void operator()(const char*, T& value, const field_spec& f) {
        const T& def = *static_cast<const T*>(defaults[i++]);
        bool on_wire = f.present.contains(v) && (f.tag < 0 || (flexible && f.tagged.contains(v)));
        if (!on_wire) {
            value = def;
            return;
        }
        normalize_value(value, f.nullable.contains(v), v, flexible);
    }
};

template <class S>
void normalize_struct(S& s, int16_t v, bool flexible) {
    static const S def{};
    normalize_visitor nv{v, flexible, {}};
    pointer_collector pc{&nv.defaults};
    S::fields(def, pc);
    S::fields(s, nv);
}

template <class M>
M expected_after(const M& m, int16_t v) {
    M e = m;
    normalize_struct(e, v, is_flexible<M>(v));
    return e;
}

// Decodes exactly the whole buffer.
template <class M>
M decode_all(const bytes& b, int16_t v) {
    reader r(b);
    M m = decode<M>(r, v);
    if (!r.empty()) throw decode_error(std::to_string(r.remaining()) + " bytes left over");
    return m;
}

template <class M>
void check_roundtrip(const M& m, int16_t v) {
    INFO(M::schema_name << " v" << v);
    bytes b = encode_to_bytes(m, v);
    M d = decode_all<M>(b, v);
    CHECK(d == expected_after(m, v));
    bytes b2 = encode_to_bytes(d, v);
    CHECK(b2 == b);
    M d2 = decode_all<M>(b2, v);
    CHECK(d2 == d);
}

template <class M>
std::vector<int16_t> versions() {
    std::vector<int16_t> out;
    for (int v = M::valid.min; v <= M::valid.max; ++v) out.push_back(int16_t(v));
    return out;
}

// Encodes at v and decodes again (the buffer is kept alive for records views).
template <class M>
struct round_tripped {
    bytes wire;
    M value;
};
template <class M>
round_tripped<M> round_trip(const M& m, int16_t v) {
    round_tripped<M> r;
    r.wire = encode_to_bytes(m, v);
    r.value = decode_all<M>(r.wire, v);
    return r;
}

// The generic round trip for every message of a list, every version, both fill modes.
template <class M>
void generic_roundtrip() {
    M full = fill<M>(fill_mode::full);
    {
        INFO(M::schema_name << ": fields left at their default by fill()");
        auto same = fields_left_default(full);
        for (auto& n : same) FAIL_CHECK(n);
    }
    M nulls = fill<M>(fill_mode::nulls);
    for (int16_t v : versions<M>()) {
        check_roundtrip(full, v);
        check_roundtrip(nulls, v);
        check_roundtrip(M{}, v);
    }
}

}  // namespace sluice::protocol::test

namespace sluice::protocol::test {

// Runs f(v, decoded) for every version of M's range, decoding m's encoding at v.
template <class M, class F>
void each_version(const M& m, F&& f) {
    for (int16_t v : versions<M>()) {
        INFO(M::schema_name << " v" << v);
        auto rt = round_trip(m, v);
        f(v, rt.value);
    }
}

inline std::string as_string(const records& r) {
    auto d = r.data();
    return std::string(d.begin(), d.end());
}

}  // namespace sluice::protocol::test
