#include "mappings/v2_fhir/mapping_metrics.h"

#include <mutex>

namespace ferry::mappings::v2fhir {
namespace {

struct Registry {
  std::mutex mutex;
  std::map<std::string, MappingCounters> counters;
};

Registry& registry() {
  static Registry instance;
  return instance;
}

}  // namespace

void recordMapping(const std::string& mapping, bool ok, std::uint64_t unmapped,
                   std::uint64_t unconverted) {
  std::lock_guard lock(registry().mutex);
  MappingCounters& counters = registry().counters[mapping];
  if (ok) {
    ++counters.messages;
  } else {
    ++counters.failures;
  }
  counters.unmapped_fields += unmapped;
  counters.unconverted_fields += unconverted;
}

std::map<std::string, MappingCounters> mappingCounters() {
  std::lock_guard lock(registry().mutex);
  return registry().counters;
}

}  // namespace ferry::mappings::v2fhir
