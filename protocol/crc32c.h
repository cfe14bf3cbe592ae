#pragma once
// CRC32C (Castagnoli), as used by RecordBatch v2. Uses the SSE4.2 crc32
// instruction when the CPU has it (checked once at run time), else a
// slicing table.

#include <cstddef>
#include <cstdint>

namespace sluice::protocol {

// Extends `crc` (0 to start) over data. crc32c(0, "123456789", 9) == 0xE3069283.
uint32_t crc32c(uint32_t crc, const void* data, size_t size);

// The portable implementation, exposed so tests can compare both paths.
uint32_t crc32c_portable(uint32_t crc, const void* data, size_t size);
bool crc32c_hardware_available();

}  // namespace sluice::protocol
