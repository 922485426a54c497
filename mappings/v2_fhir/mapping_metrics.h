#pragma once

// Counters per mapping name, for the metrics endpoint (the engine reads mappingCounters()).
// "unmapped_fields" adds up, message by message, the paths listed as unmapped in the coverage
// report, so a rising count shows a sender using fields no mapping covers.
//
// Thread-safety: every function may be called from any thread.

#include <cstdint>
#include <map>
#include <string>

namespace ferry::mappings::v2fhir {

struct MappingCounters {
  std::uint64_t messages = 0;  // mapped successfully
  std::uint64_t failures = 0;  // could not be mapped (unsupported type, unparsable)
  std::uint64_t unmapped_fields = 0;
  std::uint64_t unconverted_fields = 0;
};

void recordMapping(const std::string& mapping, bool ok, std::uint64_t unmapped,
                   std::uint64_t unconverted);
std::map<std::string, MappingCounters> mappingCounters();

}  // namespace ferry::mappings::v2fhir
