#pragma once

// The definitions compiled into what the validator's hot path needs: for every place a JSON
// object can occur (a resource root, a data type, a backbone element), a table from JSON member
// name to the element it names, with choice types expanded ("valueQuantity"), the value's kind,
// the children node to descend into, cardinality, and the required value set resolved. Built
// once per Definitions object and shared by every Validator made from it.
//
// Thread-safety: immutable after construction; modelFor() may be called from any thread.

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "engine/fhir/definitions.h"
#include "engine/fhir/primitive_formats.h"

namespace ferry::engine::fhir::validation {

inline constexpr std::uint8_t kNoBit = 0xff;

enum class SlotKind : std::uint8_t { Primitive, Complex, Resource };

// Objects that carry one of the hand-coded rules.
enum class NodeRole : std::uint8_t {
  Plain,
  Resource,
  Extension,        // ext-1
  Period,           // per-1
  Reference,        // reference format, targets, contained ids
  Coding,           // required bindings by system and code
  CodeableConcept,  // required bindings over the codings
};

struct Node;

// One JSON member name an object may have.
struct Slot {
  std::string_view json_name;  // "valueQuantity", "given"
  std::string_view base_name;  // "value", "given": the FHIRPath name
  std::string_view type_code;  // "Quantity", "string"; empty for content references
  const ElementDefinition* element = nullptr;
  const TypeRef* type = nullptr;  // target types for Reference; nullptr for content references
  const Node* node = nullptr;     // children of a Complex slot; nullptr if the type is unknown
  const ValueSetCodes* required_codes = nullptr;  // set when bound Required and known here
  PrimitiveKind primitive = PrimitiveKind::NotPrimitive;
  SlotKind kind = SlotKind::Complex;
  bool choice = false;                 // one type of a [x] element
  bool repeats = false;                // max > 1: JSON arrays
  bool contained = false;              // DomainResource.contained
  bool reference_text = false;         // Reference.reference
  std::uint8_t required_bit = kNoBit;  // index in Node::required when min > 0
};

struct Node {
  std::string_view name;  // "HumanName", "Patient.contact"
  NodeRole role = NodeRole::Plain;
  std::vector<Slot> slots;
  // Required elements (min > 0), by Slot::required_bit; all slots of a choice share a bit.
  std::vector<const ElementDefinition*> required;

  const Slot* find(std::string_view json_name) const;

  // Open-addressing table of slot index + 1 (0 = empty), size a power of two, with the hash
  // of each slot's name so that most misses cost no string comparison.
  std::vector<std::uint16_t> table;
  std::vector<std::uint32_t> hashes;
  void buildTable();
};

// FNV-1a over the bytes of a name: member and type names are short.
std::uint32_t hashName(std::string_view name);

class Model {
 public:
  // The model for `definitions`, built on first use and shared while any validator holds it.
  static std::shared_ptr<const Model> modelFor(std::shared_ptr<const Definitions> definitions);

  explicit Model(std::shared_ptr<const Definitions> definitions);
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

  const Definitions& definitions() const { return *definitions_; }
  // The root node of a concrete resource type; nullptr when unknown or abstract.
  const Node* resourceNode(std::string_view type) const;
  // True for concrete resource types; the same answer as Definitions::isResourceType, faster.
  bool isResourceType(std::string_view type) const { return resourceNode(type) != nullptr; }
  // id and extension: what a primitive's "_name" object may hold.
  const Node* elementNode() const { return element_node_; }

 private:
  using Key = std::pair<const StructureDefinition*, const ElementDefinition*>;

  Node* nodeFor(const StructureDefinition& owner, const ElementDefinition& element);
  Node* nodeForType(std::string_view type_code);
  void fill(Node& node, const StructureDefinition& owner, const ElementDefinition& element);
  void addSlots(Node& node, const StructureDefinition& owner, const ElementDefinition& child);
  void classify(Slot& slot, const StructureDefinition& owner, const ElementDefinition& child,
                std::string_view type_code);
  std::vector<const ElementDefinition*> childrenOf(const StructureDefinition& owner,
                                                   const ElementDefinition& element) const;
  std::string_view keep(std::string text);

  std::shared_ptr<const Definitions> definitions_;
  std::deque<Node> nodes_;
  std::map<Key, Node*> by_element_;
  // Concrete resource types by name: open addressing over resource_list_, as in Node.
  std::vector<std::pair<std::string_view, const Node*>> resource_list_;
  std::vector<std::uint32_t> resource_hashes_;
  std::vector<std::uint16_t> resource_table_;
  std::vector<std::tuple<Node*, const StructureDefinition*, const ElementDefinition*>> pending_;
  std::deque<std::string> names_;  // choice member names ("valueQuantity")
  const Node* element_node_ = nullptr;
};

}  // namespace ferry::engine::fhir::validation
