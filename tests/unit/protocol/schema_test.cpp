// Cross-checks every message definition against the official Kafka JSON schemas
// in SLUICE_SHARED_DIR/kafka-protocol/message: api key, version ranges, flexible
// versions, and for every version in our range the exact list of non-tagged
// fields (name, type, nullability, nested structs) and the set of tagged fields.
// Also checks the C++ default values against the schemas' "default"s.

#include "message_list.h"
#include "protocol/describe.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

using namespace sluice::protocol;
using namespace sluice::protocol::test;
using json = nlohmann::json;

namespace {

const std::string schema_dir = std::string(SLUICE_SHARED_DIR) + "/kafka-protocol/message/";

bool schemas_available() { return std::filesystem::exists(schema_dir + "ProduceRequest.json"); }

// Removes // comments (outside string literals) so nlohmann::json can parse.
std::string strip_comments(const std::string& in) {
    std::string out;
    out.reserve(in.size());
    bool in_string = false;
    for (size_t i = 0; i < in.size(); ++i) {
        char c = in[i];
        if (in_string) {
            out += c;
            if (c == '\\' && i + 1 < in.size()) {
                out += in[++i];
            } else if (c == '"') {
                in_string = false;
            }
        } else if (c == '"') {
            in_string = true;
            out += c;
        } else if (c == '/' && i + 1 < in.size() && in[i + 1] == '/') {
            while (i < in.size() && in[i] != '\n') ++i;
            out += '\n';
        } else {
            out += c;
        }
    }
    return out;
}

json load_schema(const std::string& name) {
    std::ifstream f(schema_dir + name + ".json");
    REQUIRE(f.good());
    std::stringstream ss;
    ss << f.rdbuf();
    return json::parse(strip_comments(ss.str()));
}

// "N+", "N-M", "N", "none" (or absent) -> version_range
version_range parse_versions(const json& j, const char* key) {
    if (!j.contains(key)) return never;
    std::string s = j.at(key).get<std::string>();
    if (s == "none") return never;
    if (s.back() == '+') return since(int16_t(std::stoi(s.substr(0, s.size() - 1))));
    auto dash = s.find('-');
    if (dash != std::string::npos)
        return between(int16_t(std::stoi(s.substr(0, dash))),
                       int16_t(std::stoi(s.substr(dash + 1))));
    auto n = int16_t(std::stoi(s));
    return between(n, n);
}

bool is_struct_type(const std::string& t) {
    std::string base = t.rfind("[]", 0) == 0 ? t.substr(2) : t;
    return !base.empty() && std::isupper(static_cast<unsigned char>(base[0]));
}

std::string normalized_type(const std::string& t) {
    if (!is_struct_type(t)) return t;
    return t.rfind("[]", 0) == 0 ? "[]struct" : "struct";
}

struct checker {
    std::map<std::string, json> common;  // commonStructs by name
    std::vector<std::string> errors;

    const json& children_of(const json& f) {
        if (f.contains("fields")) return f.at("fields");
        std::string t = f.at("type").get<std::string>();
        std::string base = t.rfind("[]", 0) == 0 ? t.substr(2) : t;
        auto it = common.find(base);
        if (it == common.end()) {
            static const json empty = json::array();
            errors.push_back("struct type " + base + " has no fields and no commonStruct");
            return empty;
        }
        return it->second.at("fields");
    }

    static bool json_tagged(const json& f) { return f.contains("tag"); }

    void compare_field(const field_desc& d, const json& f, int16_t v, const std::string& where) {
        std::string path = where + "." + d.name;
        std::string jt = f.at("type").get<std::string>();
        if (d.type != normalized_type(jt))
            errors.push_back(path + " v" + std::to_string(v) + ": type " + d.type + ", schema " +
                             jt);
        bool jn = parse_versions(f, "nullableVersions").contains(v);
        if (d.nullable.contains(v) != jn)
            errors.push_back(path + " v" + std::to_string(v) + ": nullable " +
                             std::to_string(d.nullable.contains(v)) + ", schema " +
                             std::to_string(jn));
        if (is_struct_type(jt)) compare(d.children, children_of(f), v, path);
    }

    void compare(const std::vector<field_desc>& ours, const json& fields, int16_t v,
                 const std::string& where) {
        std::vector<const field_desc*> our_plain;
        std::map<int32_t, const field_desc*> our_tagged;
        for (auto& d : ours) {
            if (d.tag >= 0) {
                if (d.tagged.contains(v) && d.present.contains(v)) our_tagged[d.tag] = &d;
            } else if (d.present.contains(v)) {
                our_plain.push_back(&d);
            }
        }
        std::vector<const json*> json_plain;
        std::map<int32_t, const json*> json_tags;
        for (auto& f : fields) {
            if (!parse_versions(f, "versions").contains(v)) continue;
            if (json_tagged(f)) {
                if (parse_versions(f, "taggedVersions").contains(v))
                    json_tags[f.at("tag").get<int32_t>()] = &f;
            } else {
                json_plain.push_back(&f);
            }
        }
        std::string at = where + " v" + std::to_string(v);
        size_t n = std::max(our_plain.size(), json_plain.size());
        for (size_t i = 0; i < n; ++i) {
            if (i >= our_plain.size()) {
                errors.push_back(at + ": missing field " +
                                 json_plain[i]->at("name").get<std::string>());
                continue;
            }
            if (i >= json_plain.size()) {
                errors.push_back(at + ": extra field " + our_plain[i]->name);
                continue;
            }
            std::string jname = json_plain[i]->at("name").get<std::string>();
            if (our_plain[i]->name != jname) {
                errors.push_back(at + ": field #" + std::to_string(i) + " is " +
                                 our_plain[i]->name + ", schema has " + jname);
                return;  // the rest is shifted; one message is enough
            }
            compare_field(*our_plain[i], *json_plain[i], v, where);
        }
        for (auto& [tag, f] : json_tags) {
            auto it = our_tagged.find(tag);
            std::string jname = f->at("name").get<std::string>();
            if (it == our_tagged.end()) {
                errors.push_back(at + ": missing tagged field " + jname + " (tag " +
                                 std::to_string(tag) + ")");
                continue;
            }
            if (it->second->name != jname)
                errors.push_back(at + ": tag " + std::to_string(tag) + " is " + it->second->name +
                                 ", schema has " + jname);
            compare_field(*it->second, *f, v, where);
        }
        for (auto& [tag, d] : our_tagged)
            if (!json_tags.count(tag))
                errors.push_back(at + ": extra tagged field " + d->name + " (tag " +
                                 std::to_string(tag) + ")");
    }

    // Every declared field must exist in at least one version of our range.
    void check_used(const std::vector<field_desc>& ours, version_range valid,
                    const std::string& where) {
        for (auto& d : ours) {
            bool used = false;
            for (int v = valid.min; v <= valid.max; ++v)
                if (d.present.contains(int16_t(v))) used = true;
            if (!used)
                errors.push_back(where + "." + d.name + " is declared but absent in our range");
            check_used(d.children, valid, where + "." + d.name);
        }
    }
};

// ---- defaults ----

// Renders a default-constructed field the way the schemas write "default".
struct default_renderer {
    std::vector<std::pair<std::string, std::string>>* out;  // name -> rendered, or "" if n/a
    template <class T>
    static std::string render(const T& value) {
        if constexpr (std::is_same_v<T, bool>) {
            return value ? "true" : "false";
        } else if constexpr (std::is_integral_v<T>) {
            return std::to_string(int64_t(value));
        } else if constexpr (std::is_same_v<T, std::string>) {
            return "\"" + value + "\"";
        } else if constexpr (sluice::protocol::detail::is_optional<T>::value) {
            if (!value) return "null";
            return render(*value);
        } else if constexpr (sluice::protocol::detail::is_vector<T>::value) {
            return value.empty() ? "[]" : "[...]";
        } else {
            return "";
        }
    }
    template <class T>
    void operator()(const char* name, const T& value, const field_spec&) {
        out->emplace_back(name, render(value));
    }
};

std::string render_json_default(const json& f) {
    const json& d = f.at("default");
    std::string t = f.at("type").get<std::string>();
    if (d.is_number_integer()) return std::to_string(d.get<int64_t>());
    std::string s = d.get<std::string>();
    if (s == "null") return "null";
    if (t == "bool") return s;
    if (t == "string") return "\"" + s + "\"";
    if (t.rfind("int", 0) == 0 || t == "uint16") return std::to_string(std::stoll(s, nullptr, 0));
    return s;
}

template <class S>
void check_defaults(checker& c, const json& fields, version_range valid, const std::string& where);

template <class T>
struct element {
    using type = T;
};
template <class T>
struct element<std::optional<T>> : element<T> {};
template <class T>
struct element<std::vector<T>> : element<T> {};

struct default_recurser {
    checker* c;
    const json* fields;
    version_range valid;
    std::string where;
    template <class T>
    void operator()(const char* name, const T&, const field_spec&) {
        using E = typename element<T>::type;
        if constexpr (sluice::protocol::detail::is_struct_v<E> && !std::is_arithmetic_v<E>) {
            for (auto& f : *fields)
                if (f.at("name") == name)
                    check_defaults<E>(*c, c->children_of(f), valid, where + "." + name);
        }
    }
};

template <class S>
void check_defaults(checker& c, const json& fields, version_range valid, const std::string& where) {
    S s{};
    std::vector<std::pair<std::string, std::string>> ours;
    default_renderer r{&ours};
    S::fields(s, r);
    for (auto& [name, rendered] : ours) {
        for (auto& f : fields) {
            if (f.at("name") != name || !f.contains("default")) continue;
            std::string want = render_json_default(f);
            if (rendered != want)
                c.errors.push_back(where + "." + name + ": default " + rendered + ", schema " +
                                   want);
        }
    }
    default_recurser rec{&c, &fields, valid, where};
    S::fields(s, rec);
}

template <class M>
void check_message(std::vector<std::string>& all_errors) {
    json j = load_schema(M::schema_name);
    checker c;
    for (auto& s : j.value("commonStructs", json::array()))
        c.common[s.at("name").get<std::string>()] = s;
    std::string name = M::schema_name;

    if (j.at("apiKey").get<int16_t>() != M::api_key)
        c.errors.push_back(name + ": apiKey " + std::to_string(j.at("apiKey").get<int>()) +
                           ", ours " + std::to_string(M::api_key));
    bool is_request = name.size() > 7 && name.substr(name.size() - 7) == "Request";
    if (j.at("type").get<std::string>() != (is_request ? "request" : "response"))
        c.errors.push_back(name + ": schema type is " + j.at("type").get<std::string>());
    auto valid = parse_versions(j, "validVersions");
    if (M::valid.empty() || !valid.contains(M::valid.min) || !valid.contains(M::valid.max))
        c.errors.push_back(name + ": our range " + std::to_string(M::valid.min) + "-" +
                           std::to_string(M::valid.max) + " is not inside validVersions " +
                           j.at("validVersions").get<std::string>());
    auto flex = parse_versions(j, "flexibleVersions");
    if (flex.empty()) {
        if (M::flexible_from <= M::valid.max)
            c.errors.push_back(name + ": schema is never flexible, flexible_from = " +
                               std::to_string(M::flexible_from));
    } else if (flex.min != M::flexible_from) {
        c.errors.push_back(name + ": flexible_from " + std::to_string(M::flexible_from) +
                           ", schema " + j.at("flexibleVersions").get<std::string>());
    }

    auto ours = describe<M>();
    for (int v = M::valid.min; v <= M::valid.max; ++v)
        c.compare(ours, j.at("fields"), int16_t(v), name);
    c.check_used(ours, M::valid, name);
    check_defaults<M>(c, j.at("fields"), M::valid, name);

    all_errors.insert(all_errors.end(), c.errors.begin(), c.errors.end());
}

}  // namespace

namespace {
// A field nullable in some version of our range must have a C++ type that can
// hold null (std::optional or records), and an optional must be nullable somewhere.
struct nullable_type_visitor {
    version_range valid;
    std::string where;
    std::vector<std::string>* errors;
    template <class T>
    void operator()(const char* name, const T&, const field_spec& f) {
        bool nullable = false;
        for (int v = valid.min; v <= valid.max; ++v)
            if (f.nullable.contains(int16_t(v)) && f.present.contains(int16_t(v))) nullable = true;
        constexpr bool can_null =
            sluice::protocol::detail::is_optional<T>::value || std::is_same_v<T, records>;
        if (nullable != can_null)
            errors->push_back(where + "." + name +
                              (nullable ? ": nullable but the C++ type cannot be null"
                                        : ": std::optional but never nullable"));
        using E = typename element<T>::type;
        if constexpr (sluice::protocol::detail::is_struct_v<E> && !std::is_arithmetic_v<E>) {
            E e{};
            nullable_type_visitor inner{valid, where + "." + name, errors};
            E::fields(e, inner);
        }
    }
};
}  // namespace

TEST_CASE("nullable fields use nullable C++ types", "[schema]") {
    for_each_message<all_messages>([&]<class M>() {
        std::vector<std::string> errors;
        M m{};
        nullable_type_visitor v{M::valid, M::schema_name, &errors};
        M::fields(m, v);
        for (auto& e : errors) FAIL_CHECK(e);
    });
}

TEST_CASE("every message matches the official Kafka schema at every version", "[schema]") {
    if (!schemas_available()) {
        WARN("Kafka schemas not found in " << schema_dir << ": schema cross-check skipped");
        return;
    }
    size_t count = 0;
    for_each_message<all_messages>([&]<class M>() {
        std::vector<std::string> errors;
        check_message<M>(errors);
        INFO(M::schema_name);
        for (auto& e : errors) FAIL_CHECK(e);
        CHECK(errors.empty());
        ++count;
    });
    CHECK(count == std::tuple_size_v<all_messages>);
}

TEST_CASE("the message list holds a request and a response for every API", "[schema]") {
    std::map<int16_t, int> requests, responses;
    for_each_message<all_messages>([&]<class M>() {
        std::string name = M::schema_name;
        bool req = name.substr(name.size() - 7) == "Request";
        (req ? requests : responses)[M::api_key]++;
        // Request and response of one API share the version range and flexibility.
    });
    CHECK(requests.size() == 37);
    CHECK(requests == responses);
    for (auto& [key, n] : requests) {
        INFO("api key " << key);
        CHECK(n == 1);
    }
}

TEST_CASE("the comment stripper keeps // inside strings", "[schema]") {
    auto j = json::parse(strip_comments("// c\n{ \"a\": \"http://x\" } // tail\n"));
    CHECK(j.at("a") == "http://x");
    CHECK(parse_versions(json{{"v", "3-7"}}, "v") == between(3, 7));
    CHECK(parse_versions(json{{"v", "4+"}}, "v") == since(4));
    CHECK(parse_versions(json{{"v", "2"}}, "v") == between(2, 2));
    CHECK(parse_versions(json{{"v", "none"}}, "v").empty());
}

namespace {
struct fake_message {
    struct item {
        int32_t id = 0;
        template <class S, class V>
        static void fields(S& s, V& v) {
            v("Id", s.id, since(0));
        }
        bool operator==(const item&) const = default;
    };
    std::string name;                  // declared nullable but cannot hold null
    std::optional<std::string> label;  // optional but never nullable
    std::vector<item> items;
    int64_t tagged_value = 0;
    template <class S, class V>
    static void fields(S& s, V& v) {
        v("Name", s.name, field_spec(since(0)).nullable_in(since(1)));
        v("Label", s.label, since(0));
        v("Items", s.items, since(1));
        v("TaggedValue", s.tagged_value, field_spec(since(2)).tagged_as(1, since(2)));
    }
};
}  // namespace

TEST_CASE("the checkers themselves detect mismatches", "[schema]") {
    std::vector<std::string> errors;
    fake_message m;
    nullable_type_visitor nv{between(0, 2), "Fake", &errors};
    fake_message::fields(m, nv);
    CHECK(errors.size() == 2);

    auto fields = json::parse(R"([
        {"name": "Name", "type": "string", "versions": "0+", "nullableVersions": "2+"},
        {"name": "Label", "type": "string", "versions": "0+"},
        {"name": "Items", "type": "[]Item", "versions": "1+", "fields": [
            {"name": "Id", "type": "int64", "versions": "0+"}]},
        {"name": "TaggedValue", "type": "int64", "versions": "2+", "taggedVersions": "2+",
         "tag": 0}
    ])");
    auto ours = describe<fake_message>();
    checker c;
    c.compare(ours, fields, 0, "Fake");
    CHECK(c.errors.empty());  // v0: Name, Label only, both as declared
    c.compare(ours, fields, 1, "Fake");
    // v1: Name nullable mismatch, Items.Id int32 vs int64
    CHECK(c.errors.size() == 2);
    c.errors.clear();
    c.compare(ours, fields, 2, "Fake");
    // v2: Items.Id type again, tag 0 missing, tag 1 extra
    CHECK(c.errors.size() == 3);
}
