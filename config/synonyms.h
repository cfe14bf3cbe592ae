#pragma once
// Internal to config/: resolving a chain of broker synonyms (log.retention.ms,
// log.retention.minutes, log.retention.hours) to one value in the topic key's
// unit. Shared by the broker loader (derived fields) and topic configs.

#include "config/broker_config.h"
#include "config/declarations.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sluice::config::detail {

struct resolved_synonym {
    std::string value;  // converted to the topic key's unit
    const synonym_decl* from = nullptr;
    const effective_value* source = nullptr;
};

// The first synonym in `chain` that has a value, converted by its multiplier
// (a negative value scaled from hours or minutes becomes -1, as in Kafka).
std::optional<resolved_synonym> resolve_synonyms(
    const std::map<std::string, effective_value>& values, const std::vector<synonym_decl>& chain);

}  // namespace sluice::config::detail
