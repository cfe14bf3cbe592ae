#pragma once
// The declarations table: every configuration key Sluice knows, broker-level and
// topic-level, with its Kafka type, default, bounds, allowed values, aliases,
// broker synonyms and a one-line meaning. It is the single source of truth:
// parsing, validation, DescribeConfigs answers, all_keys() and the Markdown
// reference are all generated from it. Adding a key is one entry in
// declarations.cpp (see config/README.md).
//
// Thread safety: the table is built once (function-local static) and never
// changes; every function here may be called from any thread.

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::config {

// Thrown when configuration cannot be accepted. what() is a complete sentence
// for the operator: where the value came from (file:line, environment variable,
// --set), the key, the offending value and what was expected.
class config_error : public std::runtime_error {
public:
    config_error(std::string key, const std::string& message)
        : std::runtime_error(message), key_(std::move(key)) {}
    // The key the error is about; empty when no key is involved (unreadable file).
    const std::string& key() const noexcept { return key_; }

private:
    std::string key_;
};

// Kafka's DescribeConfigs ConfigType ids (v3+), also used as the value types of
// the declarations. "Enum" keys are STRING with allowed values, as in Kafka.
enum class config_type : int8_t {
    boolean = 1,
    string = 2,
    int32 = 3,    // INT
    int16 = 4,    // SHORT
    int64 = 5,    // LONG
    float64 = 6,  // DOUBLE
    list = 7,
    class_name = 8,
    password = 9,
};

// Kafka's DescribeConfigs ConfigSource ids.
enum class config_source : int8_t {
    unknown = 0,
    dynamic_topic = 1,           // TOPIC_CONFIG: a per-topic override
    dynamic_broker = 2,          // DYNAMIC_BROKER_CONFIG (not used by Sluice yet)
    dynamic_default_broker = 3,  // DYNAMIC_DEFAULT_BROKER_CONFIG (not used yet)
    static_broker = 4,           // STATIC_BROKER_CONFIG: file, environment or --set
    default_config = 5,          // DEFAULT_CONFIG: the built-in default
};

std::string_view to_string(config_type t);    // "BOOLEAN", "STRING", "INT", ...
std::string_view to_string(config_source s);  // "DYNAMIC_TOPIC_CONFIG", ...

enum class key_scope : uint8_t { broker, topic };
enum class importance : uint8_t { high, medium, low };
std::string_view to_string(importance i);  // "high", "medium", "low"

// A broker key that supplies a topic key's default, with the factor that turns
// its unit into the topic key's (log.retention.hours -> retention.ms: 3600000).
struct synonym_decl {
    std::string_view name;
    int64_t multiplier = 1;
};

// Extra format check for values that need more than type, range and allowed
// values (listeners, quorum voters, ...). Gets the trimmed value; on failure
// returns false and sets `why` to a short reason ("\"x\" has no port").
using format_check = bool (*)(std::string_view value, std::string& why);

struct key_decl {
    std::string_view name;
    key_scope scope = key_scope::broker;
    config_type type = config_type::string;
    std::optional<std::string_view> default_value;  // nullopt: no default (null)
    importance level = importance::medium;
    std::string_view doc;  // one line, Sluice's own words

    bool comma_separated = false;  // a STRING key that holds a comma-separated list
    bool non_empty = false;        // list keys: at least one item
    std::optional<double> min;     // numeric keys: inclusive bounds
    std::optional<double> max;
    std::vector<std::string_view> allowed;  // enum keys / list items: allowed values
    std::vector<std::string_view> aliases;  // other accepted spellings (broker.id)
    // Topic keys: broker keys giving the default, highest precedence first.
    std::vector<synonym_decl> broker_synonyms;
    format_check check = nullptr;
    std::string_view check_expectation;  // "what was expected" text for `check`
    // Set where Sluice's default differs from Kafka's; Kafka's default as text.
    std::optional<std::string_view> kafka_default;
    bool sluice_only = false;  // not a Kafka key

    bool is_list() const { return type == config_type::list || comma_separated; }
    bool sensitive() const { return type == config_type::password; }
    bool is_integer() const {
        return type == config_type::int16 || type == config_type::int32 ||
               type == config_type::int64;
    }
};

// Every declaration, broker keys first, in the order of the reference.
const std::vector<key_decl>& declarations();
std::vector<const key_decl*> broker_keys();
std::vector<const key_decl*> topic_keys();
// Every distinct key name (broker keys, then topic keys not also broker keys).
// Aliases are not included; they are listed beside their key in the reference.
std::vector<std::string> all_keys();

// Lookup by name; broker lookup also accepts aliases. nullptr when unknown.
const key_decl* find_broker_key(std::string_view name);
const key_decl* find_topic_key(std::string_view name);

// The environment variable that sets a broker key: SLUICE_ + upper-cased name
// with '.' replaced by '_' (log.dirs -> SLUICE_LOG_DIRS).
std::string environment_variable_for(std::string_view key);

// The configuration reference as Markdown: an introduction, then one table
// (key, type, default, meaning) for broker keys and one for topic keys.
std::string config_reference_markdown();

// Validation of one value against its declaration.
struct checked_value {
    std::optional<std::string> canonical;  // set when valid: the normalised text
    std::string error;                     // set when invalid: the full message
};
// Checks `raw` (already a single string; lists comma-separated) for `decl`.
// The canonical form trims whitespace, lower-cases booleans and joins list items
// with ','. The error reads `key: "raw" <problem> (expected <expectation>)`.
checked_value check_value(const key_decl& decl, std::string_view raw);
// What a valid value looks like, e.g. "an integer >= 1", "one of a, b".
std::string expectation(const key_decl& decl);

}  // namespace sluice::config
