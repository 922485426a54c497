#pragma once

// Minimum necessary for FHIR R4 JSON: a strip profile keeps only the listed elements of each
// resource (allow-list) or removes the listed ones (deny-list). Entries are element paths that
// start with a resource type:
//   "Patient"                          the whole resource type
//   "Patient.identifier"               an element (every array item)
//   "Patient.name.family"              an element inside a data type or backbone element
//   "Observation.value[x]"             a choice element, whatever its type (valueQuantity ...)
//   "Observation.valueQuantity"        one type of a choice element only
//   "Patient.extension(url=http://x)"  the extensions with that url (kept or removed whole)
//   "Bundle.entry.resource"            the slot of a nested resource (also ".contained",
//                                      "Parameters.parameter.resource")
// A nested resource (Bundle entry, contained, parameter) is filtered by the entries of its own
// type ("Patient.name" applies to Patients wherever they are); the container's entry only
// decides whether the slot is kept. Allow-list: a nested resource whose type the list does not
// name is removed, and a Bundle entry or parameter whose resource is removed goes with it.
// Deny-list: a type named alone ("Patient") removes such resources; a top-level resource of
// that type cannot be stripped to nothing and is refused.
//
// Always kept: "resourceType", and the resource "id" (references and Bundle fullUrls point at
// it); on an allow-list that keeps part of Bundle.entry, Bundle.entry.fullUrl too. "meta" is an
// element like any other: an allow-list keeps it only when listed. A primitive element's "_name"
// sibling (its id and extensions) follows the element.
//
// The output stays valid FHIR:
//   - create() refuses an allow-list that does not keep every element the base specification
//     requires (min >= 1) of each resource type it names whole, and of every element it keeps
//     partly; and a deny-list that names a required element. The error names the element.
//   - Objects and arrays left empty are removed (FHIR forbids them); an element the base spec
//     requires that ends up empty at run time makes apply() fail for that message (the
//     delivery worker parks it), naming the element.
//   - References into contained resources that were removed are removed; contained resources
//     no longer referenced from their container are removed (dom-3).
//
// Thread-safety: immutable after create(); apply() may run on several threads at once.

#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/fhir/definitions.h"
#include "engine/fhir/json_value.h"
#include "engine/status.h"
#include "mappings/strip/action_list.h"
#include "mappings/strip/strip_mode.h"

namespace ferry::mappings::strip {

struct FhirStripStep {
  std::string name;     // JSON name, or the element name of a choice ("value")
  bool choice = false;  // written "name[x]"
  std::string url;      // for "extension(url=...)"; empty otherwise
};

struct FhirStripPath {
  std::string text;  // as configured, for error messages
  std::string resource_type;
  std::vector<FhirStripStep> steps;
};

// Parses one entry (syntax only; create() checks it against the definitions). Errors
// (ConfigError) quote the entry.
engine::Result<FhirStripPath> parseFhirStripPath(std::string_view text);

// Checks one parsed path against the definitions (elements exist, [x] only on choice elements,
// url filters only on extensions). Returns the problem, or an empty string.
std::string checkFhirStripPath(const engine::fhir::Definitions& definitions,
                               const FhirStripPath& path);
// The element a path names (nullptr for a whole resource type, or when `problem` is set).
const engine::fhir::ElementDefinition* resolveFhirStripPath(
    const engine::fhir::Definitions& definitions, const FhirStripPath& path, std::string& problem);

// A problem found by create(): `entry` indexes the paths given, or is kWholeProfile.
struct FhirProfileProblem {
  static constexpr std::size_t kWholeProfile = static_cast<std::size_t>(-1);
  std::size_t entry = kWholeProfile;
  std::string message;
};

class FhirStripProfile {
 public:
  // Checks the paths against `definitions` (see above). Returns nullopt when `problems` got
  // anything.
  static std::optional<FhirStripProfile> create(
      StripMode mode, std::vector<FhirStripPath> paths,
      std::shared_ptr<const engine::fhir::Definitions> definitions,
      std::vector<FhirProfileProblem>& problems);

  StripMode mode() const { return mode_; }

  // Strips `resource` (the root of a FHIR JSON document) in place. Fails (InvalidMessage) when
  // the root is not a resource, when an allow-list names nothing of its type or a deny-list
  // removes its type, and when a required element ends up empty; the context names the
  // resource type and element, never a value.
  engine::Status apply(engine::fhir::JsonValue& resource, ActionList& actions) const;

  // A trie of the paths: children by step key ("identifier", "value[x]", "valueQuantity",
  // "extension(url=http://x)").
  struct RuleNode {
    bool whole = false;
    std::map<std::string, RuleNode, std::less<>> children;
  };

 private:
  StripMode mode_ = StripMode::Allow;
  std::shared_ptr<const engine::fhir::Definitions> definitions_;
  std::map<std::string, RuleNode, std::less<>> by_type_;
};

}  // namespace ferry::mappings::strip
