#pragma once
// Log level names accepted at run time (IncrementalAlterConfigs BROKER_LOGGER and
// the admin server's /loglevel): spdlog's names as in the log.level key (trace,
// debug, info, warn, error, critical, off) and Kafka's log4j names (TRACE, DEBUG,
// INFO, WARN, ERROR, FATAL, OFF), case-insensitively.

#include <spdlog/spdlog.h>

#include <cctype>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::broker {

inline std::optional<spdlog::level::level_enum> parse_log_level(std::string_view text) {
    std::string v(text);
    for (auto& c : v) c = char(std::tolower(static_cast<unsigned char>(c)));
    if (v == "trace") return spdlog::level::trace;
    if (v == "debug") return spdlog::level::debug;
    if (v == "info") return spdlog::level::info;
    if (v == "warn" || v == "warning") return spdlog::level::warn;
    if (v == "error" || v == "err") return spdlog::level::err;
    if (v == "critical" || v == "fatal") return spdlog::level::critical;
    if (v == "off") return spdlog::level::off;
    return std::nullopt;
}

// The name log.level would use for `level`.
inline std::string_view log_level_name(spdlog::level::level_enum level) {
    switch (level) {
        case spdlog::level::trace:
            return "trace";
        case spdlog::level::debug:
            return "debug";
        case spdlog::level::info:
            return "info";
        case spdlog::level::warn:
            return "warn";
        case spdlog::level::err:
            return "error";
        case spdlog::level::critical:
            return "critical";
        default:
            return "off";
    }
}

inline constexpr const char* log_level_names =
    "trace, debug, info, warn, error, critical, off (or Kafka's TRACE, DEBUG, INFO, WARN, "
    "ERROR, FATAL, OFF)";

}  // namespace sluice::broker
