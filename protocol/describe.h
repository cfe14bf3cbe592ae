#pragma once
// Describes a message's declared fields as data, for the schema cross-check test
// and for tooling. Type names follow Kafka's schema vocabulary ("int32",
// "string", "[]int32", ...); nested structs are "struct" / "[]struct" with
// their own fields as children.

#include "protocol/codec.h"

#include <string>
#include <vector>

namespace sluice::protocol {

struct field_desc {
    std::string name;
    std::string type;
    version_range present;
    version_range nullable;
    int32_t tag = -1;
    version_range tagged;
    std::vector<field_desc> children;
};

template <class S>
std::vector<field_desc> describe();

namespace detail {

template <class T>
std::string type_name(std::vector<field_desc>& children) {
    if constexpr (std::is_same_v<T, bool>) return "bool";
    else if constexpr (std::is_same_v<T, int8_t>) return "int8";
    else if constexpr (std::is_same_v<T, int16_t>) return "int16";
    else if constexpr (std::is_same_v<T, uint16_t>) return "uint16";
    else if constexpr (std::is_same_v<T, int32_t>) return "int32";
    else if constexpr (std::is_same_v<T, int64_t>) return "int64";
    else if constexpr (std::is_same_v<T, double>) return "float64";
    else if constexpr (std::is_same_v<T, uuid>) return "uuid";
    else if constexpr (std::is_same_v<T, std::string>) return "string";
    else if constexpr (std::is_same_v<T, bytes>) return "bytes";
    else if constexpr (std::is_same_v<T, records>) return "records";
    else if constexpr (is_optional<T>::value) return type_name<typename is_optional<T>::inner>(children);
    else if constexpr (is_vector<T>::value) return "[]" + type_name<typename is_vector<T>::elem>(children);
    else {
        children = describe<T>();
        return "struct";
    }
}

struct describe_visitor {
    std::vector<field_desc>* out;
    template <class T>
    void operator()(const char* name, const T&, const field_spec& f) {
        field_desc d;
        d.name = name;
        d.type = type_name<T>(d.children);
        d.present = f.present;
        d.nullable = f.nullable;
        d.tag = f.tag;
        d.tagged = f.tagged;
        out->push_back(std::move(d));
    }
};

}  // namespace detail

template <class S>
std::vector<field_desc> describe() {
    std::vector<field_desc> out;
    S s{};
    detail::describe_visitor v{&out};
    S::fields(s, v);
    return out;
}

}  // namespace sluice::protocol
