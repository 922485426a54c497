#pragma once

// Reading the FHIR input of the FHIR -> HL7 v2 mapping: the resources of a Bundle (or one lone
// resource), references between them, and which elements a rule used, for the coverage report.
//
// Thread-safety: one ResourceIndex and one Coverage per mapping call; not shared.

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "engine/fhir/json_value.h"

namespace ferry::mappings::fhirv2 {

// The member `name` of `object`, or nullptr (also when `object` is nullptr or not an object).
const engine::fhir::JsonValue* member(const engine::fhir::JsonValue* object, std::string_view name);
// The text of a string or number member; empty when absent.
std::string textOf(const engine::fhir::JsonValue* object, std::string_view name);
// The elements of an array member; empty when absent. A single value counts as one element.
std::vector<const engine::fhir::JsonValue*> elementsOf(const engine::fhir::JsonValue* object,
                                                       std::string_view name);
// "Patient" for a resource; empty otherwise.
std::string resourceTypeOf(const engine::fhir::JsonValue* resource);

// The resources of the input and the references between them. `root` (a Bundle or a single
// resource) must outlive the index: it hands out pointers into it.
class ResourceIndex {
 public:
  explicit ResourceIndex(const engine::fhir::JsonValue& root);

  const engine::fhir::JsonValue& root() const { return root_; }
  bool isBundle() const { return bundle_; }
  // Top-level resources (Bundle entries, or the root itself), in input order.
  const std::vector<const engine::fhir::JsonValue*>& resources() const { return resources_; }
  std::vector<const engine::fhir::JsonValue*> ofType(std::string_view type) const;
  // Contained resources of `resource` ("contained" member), in order.
  std::vector<const engine::fhir::JsonValue*> contained(
      const engine::fhir::JsonValue* resource) const;

  // The resource a Reference element points to: "urn:uuid:..." and absolute URLs by entry
  // fullUrl, "Type/id" by type and id (also matching a fullUrl ending in it), "#id" among the
  // contained resources of `from` (the resource holding the reference, or its container).
  // nullptr when the reference does not lead into the input.
  const engine::fhir::JsonValue* resolve(const engine::fhir::JsonValue* reference,
                                         const engine::fhir::JsonValue* from) const;
  // True when the Reference `reference` (held by `from`) resolves to `target`.
  bool refersTo(const engine::fhir::JsonValue* reference, const engine::fhir::JsonValue* from,
                const engine::fhir::JsonValue* target) const;
  // The top-level resource holding a contained one (itself for a top-level resource).
  const engine::fhir::JsonValue* containerOf(const engine::fhir::JsonValue* resource) const;

 private:
  void addResource(const engine::fhir::JsonValue* resource, const std::string& full_url);

  const engine::fhir::JsonValue& root_;
  bool bundle_ = false;
  std::vector<const engine::fhir::JsonValue*> resources_;
  std::unordered_map<std::string, const engine::fhir::JsonValue*> by_url_;
  std::unordered_map<std::string, const engine::fhir::JsonValue*> by_type_id_;
  std::unordered_map<const engine::fhir::JsonValue*, const engine::fhir::JsonValue*> container_;
};

// Which input elements the mapping used. A used element counts with everything under it. The
// report lists the largest wholly unused parts by element path without indexes
// ("Patient.photo", "Patient.name.period", "Observation.component"), an extension with its URL
// ("Patient.extension(http://hl7.org/fhir/StructureDefinition/patient-disability)"), each
// once, never values.
class Coverage {
 public:
  // Marks `value` (and all below it) as used; nullptr is ignored.
  void use(const engine::fhir::JsonValue* value);
  bool used(const engine::fhir::JsonValue* value) const;
  // True when `value` or anything under it was used.
  bool touched(const engine::fhir::JsonValue* value) const;

  // Appends to `out` (skipping paths already there) the unused parts of `value`, named
  // `path` ("Patient").
  void collect(const engine::fhir::JsonValue& value, const std::string& path,
               std::vector<std::string>& out) const;

 private:
  std::unordered_set<const engine::fhir::JsonValue*> used_;
};

}  // namespace ferry::mappings::fhirv2
