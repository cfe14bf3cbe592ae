#pragma once
// Small helpers shared by the message definitions.

#include "protocol/codec.h"

#include <limits>

namespace sluice::protocol {

// flexible_from of an API that has no flexible version at all (schema
// "flexibleVersions": "none"): no version is >= it.
inline constexpr int16_t never_flexible = std::numeric_limits<int16_t>::max();

}  // namespace sluice::protocol
