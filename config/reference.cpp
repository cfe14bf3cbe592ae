// The Markdown configuration reference, generated from the declarations table.

#include "config/declarations.h"

namespace sluice::config {

namespace {

std::string escape(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (c == '|')
            out += "\\|";
        else if (c == '\n')
            out += ' ';
        else
            out += c;
    }
    return out;
}

std::string type_name(const key_decl& d) {
    if (d.is_list()) return "list";
    if (!d.allowed.empty()) return "enum";
    switch (d.type) {
        case config_type::boolean:
            return "bool";
        case config_type::int16:
            return "short";
        case config_type::int32:
            return "int";
        case config_type::int64:
            return "long";
        case config_type::float64:
            return "double";
        case config_type::password:
            return "password";
        case config_type::class_name:
            return "class";
        default:
            return "string";
    }
}

std::string default_text(const key_decl& d) {
    if (!d.default_value) return "(none)";
    if (d.default_value->empty()) return "(empty)";
    return "`" + escape(*d.default_value) + "`";
}

std::string code_list(const std::vector<std::string_view>& names) {
    std::string out;
    for (size_t i = 0; i < names.size(); ++i) {
        if (i) out += ", ";
        out += "`" + std::string(names[i]) + "`";
    }
    return out;
}

std::string meaning(const key_decl& d) {
    std::string m = escape(d.doc);
    bool plain = d.type == config_type::boolean || d.type == config_type::password ||
                 (d.type == config_type::string && !d.is_list() && d.allowed.empty() && !d.check);
    std::string valid = expectation(d);
    if (!plain && valid != "an integer" && valid != "a number")
        m += " Valid: " + escape(valid) + ".";
    if (!d.aliases.empty()) m += " Alias: " + code_list(d.aliases) + ".";
    if (!d.broker_synonyms.empty()) {
        std::vector<std::string_view> names;
        for (const auto& s : d.broker_synonyms) names.push_back(s.name);
        m += " Broker default: " + code_list(names) + ".";
    }
    if (d.kafka_default) m += " Kafka's default: " + escape(*d.kafka_default) + ".";
    if (d.sluice_only) m += " Sluice only.";
    return m;
}

void table(std::string& out, const std::vector<const key_decl*>& keys) {
    out += "| Key | Type | Default | Meaning |\n";
    out += "|---|---|---|---|\n";
    for (const key_decl* d : keys) {
        out += "| `" + std::string(d->name) + "` | " + type_name(*d) + " | " + default_text(*d) +
               " | " + meaning(*d) + " |\n";
    }
}

}  // namespace

std::string config_reference_markdown() {
    std::string out;
    out += "# Sluice configuration reference\n\n";
    out += "Generated from `config/declarations.cpp`; do not edit by hand.\n\n";
    out +=
        "Keys carry Kafka's names. The broker reads, each overriding the one before: the "
        "built-in defaults below, a YAML file (flat `log.dirs: /var/lib/sluice` or nested "
        "`log: {dirs: /var/lib/sluice}`), `SLUICE_<KEY>` environment variables (the key "
        "upper-cased with `.` replaced by `_`, e.g. `SLUICE_LOG_DIRS`), and "
        "`--set key=value` flags. An unknown key or an invalid value stops the broker "
        "with a message naming the key, the value and what was expected. Lists are "
        "comma-separated (a YAML list is also accepted). Where Sluice's default differs "
        "from Kafka's, Kafka's is noted.\n\n";
    out += "## Broker configuration\n\n";
    table(out, broker_keys());
    out += "\n## Topic configuration\n\n";
    out +=
        "Set per topic when it is created or later with AlterConfigs / "
        "IncrementalAlterConfigs. A topic that does not set a key takes the first "
        "broker key listed under \"Broker default\" that has a value, converted to the "
        "topic key's unit.\n\n";
    table(out, topic_keys());
    return out;
}

}  // namespace sluice::config
