#include <string_view>

#include "engine/fhir/definitions.h"

// The compact definitions file, linked in by the source engine/CMakeLists.txt generates from
// engine/fhir/definitions_blob.cpp.in (an .incbin of scripts/fhir_defgen's output).
extern "C" const char ferry_fhir_definitions_begin[];
extern "C" const char ferry_fhir_definitions_end[];

namespace ferry::engine::fhir {

Result<std::shared_ptr<const Definitions>> Definitions::builtIn() {
  // A function-local static is initialised once even when several threads arrive together.
  static const Result<std::shared_ptr<const Definitions>> loaded = loadCompact(std::string_view(
      ferry_fhir_definitions_begin,
      static_cast<std::size_t>(ferry_fhir_definitions_end - ferry_fhir_definitions_begin)));
  return loaded;
}

}  // namespace ferry::engine::fhir
