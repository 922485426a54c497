#pragma once

// Turning the package's StructureDefinitions into the model of engine/fhir/definitions.h.

#include <set>
#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "engine/fhir/definitions.h"

namespace ferry::defgen {

struct StructureSet {
  std::vector<engine::fhir::StructureDefinition> structures;
  std::string fhir_version;          // "4.0.1": definitions of other versions are skipped
  std::vector<std::string> skipped;  // "SubscriptionStatus (fhirVersion 4.3.0)"
  // Value sets (canonical URLs without "|version") that some element binds with strength
  // "required".
  std::set<std::string> required_value_sets;
};

// Adds the base types and resources among `resources` (StructureDefinitions of kind
// primitive-type, complex-type or resource that are not constraints, of FHIR 4.0.1) from
// their snapshots. Other resources are skipped. Throws std::runtime_error naming the element on
// input it does not understand.
void addStructures(const std::vector<const rapidjson::Value*>& resources, StructureSet& out);

// Checks what the loader relies on: snapshots carry inherited elements (every element of a
// structure's base appears in it; BackboneElements have id, extension, modifierExtension) and
// content references point to elements of the same structure. Throws on the first problem.
void checkStructures(const StructureSet& set);

}  // namespace ferry::defgen
