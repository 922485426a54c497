#include "engine/fhir/validator_model.h"

#include <cctype>
#include <mutex>
#include <tuple>

namespace ferry::engine::fhir::validation {

namespace {

// Builds an open-addressing table (entry = index + 1) over `hashes`.
std::vector<std::uint16_t> buildOpenTable(const std::vector<std::uint32_t>& hashes) {
  std::size_t size = 8;
  while (size < hashes.size() * 2) {
    size *= 2;
  }
  std::vector<std::uint16_t> table(size, 0);
  std::size_t mask = size - 1;
  for (std::size_t i = 0; i < hashes.size(); ++i) {
    std::size_t index = hashes[i] & mask;
    while (table[index] != 0) {
      index = (index + 1) & mask;
    }
    table[index] = static_cast<std::uint16_t>(i + 1);
  }
  return table;
}

// Byte comparison without a library call: names are short and usually differ early.
bool sameName(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i]) {
      return false;
    }
  }
  return true;
}

// Looks `name` up in a table built by buildOpenTable; `names(i)` gives entry i's name.
template <typename NameOf>
std::size_t findInTable(const std::vector<std::uint16_t>& table,
                        const std::vector<std::uint32_t>& hashes, std::string_view name,
                        NameOf names) {
  if (table.empty()) {
    return 0;
  }
  std::uint32_t hash = hashName(name);
  std::size_t mask = table.size() - 1;
  for (std::size_t index = hash & mask;; index = (index + 1) & mask) {
    std::uint16_t entry = table[index];
    if (entry == 0) {
      return 0;
    }
    if (hashes[entry - 1u] == hash && sameName(names(entry - 1u), name)) {
      return entry;
    }
  }
}

NodeRole roleOfType(std::string_view type_name) {
  if (type_name == "Extension") {
    return NodeRole::Extension;
  }
  if (type_name == "Period") {
    return NodeRole::Period;
  }
  if (type_name == "Reference") {
    return NodeRole::Reference;
  }
  if (type_name == "Coding") {
    return NodeRole::Coding;
  }
  if (type_name == "CodeableConcept") {
    return NodeRole::CodeableConcept;
  }
  return NodeRole::Plain;
}

// The element a contentReference ("#Questionnaire.item", possibly prefixed by the structure's
// canonical URL) points to, with the structure that holds it.
std::pair<const StructureDefinition*, const ElementDefinition*> resolveContentReference(
    const Definitions& definitions, const StructureDefinition& owner, std::string_view reference) {
  std::size_t hash = reference.find('#');
  std::string_view path = hash == std::string_view::npos ? reference : reference.substr(hash + 1);
  std::string_view structure_name = path.substr(0, path.find('.'));
  const StructureDefinition* structure =
      structure_name == owner.name ? &owner : definitions.structure(structure_name);
  if (structure == nullptr) {
    return {nullptr, nullptr};
  }
  for (const ElementDefinition& element : structure->elements) {
    if (element.path == path) {
      return {structure, &element};
    }
  }
  return {nullptr, nullptr};
}

}  // namespace

std::uint32_t hashName(std::string_view name) {
  std::uint32_t hash = 2166136261u;
  for (char c : name) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 16777619u;
  }
  return hash;
}

const Slot* Node::find(std::string_view json_name) const {
  std::size_t entry =
      findInTable(table, hashes, json_name, [this](std::size_t i) { return slots[i].json_name; });
  return entry == 0 ? nullptr : &slots[entry - 1];
}

void Node::buildTable() {
  hashes.clear();
  for (const Slot& slot : slots) {
    hashes.push_back(hashName(slot.json_name));
  }
  table = buildOpenTable(hashes);
}

std::shared_ptr<const Model> Model::modelFor(std::shared_ptr<const Definitions> definitions) {
  // One model per live Definitions object. The model holds its Definitions, so while a cache
  // entry is alive its key cannot be reused by another object.
  static std::mutex mutex;
  static std::map<const Definitions*, std::weak_ptr<const Model>> cache;
  std::lock_guard<std::mutex> lock(mutex);
  auto& entry = cache[definitions.get()];
  if (auto model = entry.lock()) {
    return model;
  }
  for (auto it = cache.begin(); it != cache.end();) {
    it = it->second.expired() && it->first != definitions.get() ? cache.erase(it) : std::next(it);
  }
  auto model = std::make_shared<const Model>(std::move(definitions));
  entry = model;
  return model;
}

Model::Model(std::shared_ptr<const Definitions> definitions)
    : definitions_(std::move(definitions)) {
  element_node_ = nodeForType("Element");
  for (const auto& [name, structure] : definitions_->structures_) {
    if (structure.kind == StructureKind::Resource && !structure.is_abstract &&
        !structure.elements.empty()) {
      Node* node = nodeFor(structure, structure.elements.front());
      resource_list_.emplace_back(structure.name, node);
      resource_hashes_.push_back(hashName(structure.name));
    }
  }
  resource_table_ = buildOpenTable(resource_hashes_);
  // Filling a node creates the nodes of its children; go on until no node is left unfilled.
  while (!pending_.empty()) {
    auto [node, owner, element] = pending_.back();
    pending_.pop_back();
    fill(*node, *owner, *element);
  }
}

const Node* Model::resourceNode(std::string_view type) const {
  std::size_t entry = findInTable(resource_table_, resource_hashes_, type,
                                  [this](std::size_t i) { return resource_list_[i].first; });
  return entry == 0 ? nullptr : resource_list_[entry - 1].second;
}

Node* Model::nodeFor(const StructureDefinition& owner, const ElementDefinition& element) {
  Key key(&owner, &element);
  auto it = by_element_.find(key);
  if (it != by_element_.end()) {
    return it->second;
  }
  Node& node = nodes_.emplace_back();
  node.name = element.path;
  bool root = &element == &owner.elements.front();
  if (root) {
    node.role = owner.kind == StructureKind::Resource ? NodeRole::Resource : roleOfType(owner.name);
  }
  by_element_.emplace(key, &node);
  pending_.emplace_back(&node, &owner, &element);
  return &node;
}

Node* Model::nodeForType(std::string_view type_code) {
  const StructureDefinition* structure = definitions_->typeStructure(type_code);
  if (structure == nullptr) {
    structure = definitions_->structure(type_code);
  }
  if (structure == nullptr || structure->elements.empty()) {
    return nullptr;
  }
  return nodeFor(*structure, structure->elements.front());
}

std::vector<const ElementDefinition*> Model::childrenOf(const StructureDefinition& owner,
                                                        const ElementDefinition& element) const {
  std::vector<const ElementDefinition*> children;
  for (std::uint32_t index : element.children) {
    if (index < owner.elements.size()) {
      children.push_back(&owner.elements[index]);
    }
  }
  if (!children.empty()) {
    return children;
  }
  // Definitions without child indexes: direct children are the paths one segment deeper.
  std::string_view parent = element.path;
  for (const ElementDefinition& candidate : owner.elements) {
    std::string_view path = candidate.path;
    if (path.size() > parent.size() + 1 && path.substr(0, parent.size()) == parent &&
        path[parent.size()] == '.' && path.find('.', parent.size() + 1) == std::string_view::npos) {
      children.push_back(&candidate);
    }
  }
  return children;
}

void Model::fill(Node& node, const StructureDefinition& owner, const ElementDefinition& element) {
  for (const ElementDefinition* child : childrenOf(owner, element)) {
    addSlots(node, owner, *child);
  }
  node.buildTable();
}

void Model::addSlots(Node& node, const StructureDefinition& owner, const ElementDefinition& child) {
  std::uint8_t bit = kNoBit;
  if (child.min > 0 && node.required.size() < kNoBit) {
    bit = static_cast<std::uint8_t>(node.required.size());
    node.required.push_back(&child);
  }
  auto base = [&](Slot& slot) {
    slot.base_name = child.name;
    slot.element = &child;
    slot.repeats = child.max > 1;
    slot.required_bit = bit;
    if (child.binding == BindingStrength::Required && !child.value_set.empty()) {
      slot.required_codes = definitions_->valueSet(child.value_set);
    }
  };

  if (!child.content_reference.empty()) {
    auto [structure, target] =
        resolveContentReference(*definitions_, owner, child.content_reference);
    Slot& slot = node.slots.emplace_back();
    base(slot);
    slot.json_name = child.name;
    slot.kind = SlotKind::Complex;
    slot.node = target != nullptr ? nodeFor(*structure, *target) : nullptr;
    return;
  }
  if (child.choice) {
    for (const TypeRef& type : child.types) {
      Slot& slot = node.slots.emplace_back();
      base(slot);
      std::string name = child.name + type.code;
      name[child.name.size()] =
          static_cast<char>(std::toupper(static_cast<unsigned char>(name[child.name.size()])));
      slot.json_name = keep(std::move(name));
      slot.choice = true;
      slot.type = &type;
      classify(slot, owner, child, type.code);
    }
    return;
  }
  if (child.types.empty()) {
    return;
  }
  Slot& slot = node.slots.emplace_back();
  base(slot);
  slot.json_name = child.name;
  slot.type = &child.types.front();
  classify(slot, owner, child, child.types.front().code);
}

void Model::classify(Slot& slot, const StructureDefinition& owner, const ElementDefinition& child,
                     std::string_view type_code) {
  slot.type_code = type_code;
  slot.primitive = primitiveKindOf(type_code);
  if (slot.primitive != PrimitiveKind::NotPrimitive) {
    slot.kind = SlotKind::Primitive;
    // Resource.id is declared as a plain string, but it is an id (R4 resource.html#id), and
    // Extension.url a uri; the HL7 validator checks both that way.
    if (owner.kind == StructureKind::Resource && child.name == "id" &&
        child.path.size() == owner.name.size() + 3) {
      slot.primitive = PrimitiveKind::Id;
    } else if (owner.name == "Extension" && child.name == "url") {
      slot.primitive = PrimitiveKind::Uri;
    }
    slot.reference_text = owner.name == "Reference" && child.name == "reference";
    return;
  }
  if (type_code == "Resource" || definitions_->isResourceType(type_code)) {
    slot.kind = SlotKind::Resource;
    slot.contained = owner.kind == StructureKind::Resource && child.name == "contained" &&
                     child.path.size() == owner.name.size() + 10;
    return;
  }
  slot.kind = SlotKind::Complex;
  if (type_code == "BackboneElement" || type_code == "Element") {
    slot.node = nodeFor(owner, child);
  } else {
    slot.node = nodeForType(type_code);
  }
}

std::string_view Model::keep(std::string text) { return names_.emplace_back(std::move(text)); }

}  // namespace ferry::engine::fhir::validation
