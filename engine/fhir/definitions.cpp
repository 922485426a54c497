#include "engine/fhir/definitions.h"

#include <algorithm>
#include <bit>
#include <cctype>
#include <cstring>
#include <deque>
#include <utility>

#include "engine/fhir/definitions_format.h"

namespace ferry::engine::fhir {

// Lookup tables over the maps of one Definitions object. Keys are views into strings owned by
// that object (map nodes never move) or by `choice_names`.
struct Definitions::Index {
  // One scope per element that has members of its own (a root, a BackboneElement or Element
  // with children). Elements typed with a data type or carrying a content_reference share the
  // scope of the element that defines their members.
  struct Scope {
    const StructureDefinition* owner = nullptr;
    const ElementDefinition* parent = nullptr;
  };

  struct Member {
    std::uint32_t scope = kNoScope;  // kNoScope marks an empty slot
    std::uint32_t members_scope = kNoScope;
    std::string_view name;
    const StructureDefinition* owner = nullptr;
    const ElementDefinition* element = nullptr;
    std::string_view type_code;
  };

  // (scope, JSON name) -> member, open addressing with linear probing. child() runs for every
  // member of every resource validated, so this avoids std::unordered_map's division and
  // node chasing; the table is built once and never changes.
  class MemberTable {
   public:
    void build(std::vector<Member> members);
    const Member* find(std::uint32_t scope, std::string_view name) const;

   private:
    std::vector<Member> slots_;
    std::size_t mask_ = 0;
  };

  std::unordered_map<std::string_view, const StructureDefinition*> structures;
  std::unordered_map<std::string_view, const ValueSetCodes*> value_sets;
  std::vector<Scope> scopes;
  MemberTable members;
  // "valueQuantity" and the other JSON names of choice elements (a deque never moves them).
  std::deque<std::string> choice_names;
};

namespace {

// A fast hash of (scope, name) from the name's length and its first and last eight bytes:
// member names within one scope differ there, and equal hashes are compared in full anyway.
std::uint64_t memberHash(std::uint32_t scope, std::string_view name) {
  std::uint64_t head = 0;
  std::uint64_t tail = 0;
  std::memcpy(&head, name.data(), std::min<std::size_t>(name.size(), 8));
  if (name.size() > 8) {
    std::memcpy(&tail, name.data() + name.size() - std::min<std::size_t>(name.size() - 8, 8),
                std::min<std::size_t>(name.size() - 8, 8));
  }
  std::uint64_t h = (static_cast<std::uint64_t>(scope) << 32 | name.size()) * 0x9e3779b97f4a7c15ull;
  h ^= head * 0xc2b2ae3d27d4eb4full;
  h ^= std::rotl(tail * 0x165667b19e3779f9ull, 31);
  h ^= h >> 29;
  h *= 0xbf58476d1ce4e5b9ull;
  return h ^ (h >> 32);
}

}  // namespace

void Definitions::Index::MemberTable::build(std::vector<Member> members) {
  std::size_t size = 16;
  while (size < members.size() * 2) {
    size *= 2;
  }
  slots_.assign(size, Member{});
  mask_ = size - 1;
  for (auto& member : members) {
    std::size_t slot = memberHash(member.scope, member.name) & mask_;
    while (slots_[slot].scope != kNoScope) {
      slot = (slot + 1) & mask_;
    }
    slots_[slot] = member;
  }
}

const Definitions::Index::Member* Definitions::Index::MemberTable::find(
    std::uint32_t scope, std::string_view name) const {
  if (slots_.empty()) {
    return nullptr;
  }
  std::size_t slot = memberHash(scope, name) & mask_;
  while (slots_[slot].scope != kNoScope) {
    const Member& member = slots_[slot];
    if (member.scope == scope && member.name == name) {
      return &member;
    }
    slot = (slot + 1) & mask_;
  }
  return nullptr;
}

namespace {

Status badDefinitions(const std::string& where, const char* what) {
  return Status(ErrorCode::ParseError, "FHIR definitions: " + where + ": " + what);
}

std::string_view withoutVersion(std::string_view url) {
  auto bar = url.find('|');
  return bar == std::string_view::npos ? url : url.substr(0, bar);
}

// "#Questionnaire.item" (or "http://.../Questionnaire#Questionnaire.item") -> its path.
std::string_view contentReferencePath(std::string_view reference) {
  auto hash = reference.find('#');
  return hash == std::string_view::npos ? reference : reference.substr(hash + 1);
}

}  // namespace

bool ValueSetCodes::contains(std::string_view system, std::string_view code) const {
  for (const auto& [known_system, codes] : codes_by_system) {
    if (known_system == system) {
      return codes.count(std::string(code)) != 0;
    }
  }
  return false;
}

bool ValueSetCodes::containsCode(std::string_view code) const {
  std::string key(code);
  for (const auto& [system, codes] : codes_by_system) {
    if (codes.count(key) != 0) {
      return true;
    }
  }
  return false;
}

Definitions::Definitions() = default;
Definitions::~Definitions() = default;
Definitions::Definitions(Definitions&&) noexcept = default;
Definitions& Definitions::operator=(Definitions&&) noexcept = default;

Result<std::shared_ptr<const Definitions>> Definitions::loadCompact(std::string_view bytes) {
  auto definitions = std::make_shared<Definitions>();
  if (Status status = decodeCompact(bytes, *definitions); !status.isOk()) {
    return status;
  }
  if (Status status = definitions->buildIndex(); !status.isOk()) {
    return status;
  }
  return std::shared_ptr<const Definitions>(std::move(definitions));
}

const StructureDefinition* Definitions::structure(std::string_view name) const {
  if (!index_) {
    auto found = structures_.find(std::string(name));
    return found == structures_.end() ? nullptr : &found->second;
  }
  auto found = index_->structures.find(name);
  return found == index_->structures.end() ? nullptr : found->second;
}

bool Definitions::isResourceType(std::string_view name) const {
  const StructureDefinition* found = structure(name);
  return found != nullptr && found->kind == StructureKind::Resource && !found->is_abstract;
}

const ValueSetCodes* Definitions::valueSet(std::string_view url) const {
  url = withoutVersion(url);
  if (!index_) {
    auto found = value_sets_.find(std::string(url));
    return found == value_sets_.end() ? nullptr : &found->second;
  }
  auto found = index_->value_sets.find(url);
  return found == index_->value_sets.end() ? nullptr : found->second;
}

const StructureDefinition* Definitions::typeStructure(std::string_view type_code) const {
  return structure(type_code);
}

std::optional<Definitions::ChildMatch> Definitions::child(const StructureDefinition& structure,
                                                          const ElementDefinition& parent,
                                                          std::string_view json_name) const {
  // `structure` is implied by `parent`: its member_scope already names where members live.
  (void)structure;
  if (!index_ || parent.member_scope == kNoScope) {
    return std::nullopt;
  }
  const Index::Member* found = index_->members.find(parent.member_scope, json_name);
  if (found == nullptr) {
    return std::nullopt;
  }

  const Index::Member& member = *found;
  ChildMatch match;
  match.owner = member.owner;
  match.element = member.element;
  match.type_code = std::string(member.type_code);
  if (member.members_scope != kNoScope) {
    const Index::Scope& scope = index_->scopes[member.members_scope];
    match.members_owner = scope.owner;
    match.members_parent = scope.parent;
  }
  return match;
}

Status Definitions::buildIndex() {
  auto index = std::make_unique<Index>();

  // Names, and a scope for every element that has members of its own.
  for (auto& [name, structure] : structures_) {
    if (structure.elements.empty()) {
      return badDefinitions(name, "structure without elements");
    }
    index->structures.emplace(name, &structure);
    for (std::size_t i = 0; i < structure.elements.size(); ++i) {
      ElementDefinition& element = structure.elements[i];
      element.member_scope = kNoScope;
      for (auto child : element.children) {
        if (child >= structure.elements.size() || child <= i) {
          return badDefinitions(element.path, "child index out of range");
        }
      }
      if (i == 0 || !element.children.empty()) {
        element.member_scope = static_cast<std::uint32_t>(index->scopes.size());
        index->scopes.push_back({&structure, &element});
      }
    }
  }
  for (auto& [url, value_set] : value_sets_) {
    index->value_sets.emplace(url, &value_set);
  }

  auto rootScope = [&](std::string_view type_code) -> std::optional<std::uint32_t> {
    if (type_code == "Resource") {
      return kNoScope;  // the nested resource's own resourceType decides
    }
    auto found = index->structures.find(type_code);
    if (found == index->structures.end()) {
      return std::nullopt;
    }
    return found->second->elements.front().member_scope;
  };

  // Elements that borrow their members: content references and data-typed elements.
  for (auto& [name, structure] : structures_) {
    for (auto& element : structure.elements) {
      if (element.member_scope != kNoScope) {
        continue;
      }
      if (!element.content_reference.empty()) {
        std::string_view path = contentReferencePath(element.content_reference);
        const ElementDefinition* target = nullptr;
        for (const auto& candidate : structure.elements) {
          if (candidate.path == path) {
            target = &candidate;
            break;
          }
        }
        if (target == nullptr || target->member_scope == kNoScope) {
          return badDefinitions(element.path, "content reference to no element with children");
        }
        element.member_scope = target->member_scope;
      } else if (!element.choice && element.types.size() == 1) {
        auto scope = rootScope(element.types.front().code);
        if (!scope) {
          return badDefinitions(element.path, "unknown type");
        }
        element.member_scope = *scope;
      }
    }
  }

  // Members of every scope, choice elements once per allowed type.
  std::vector<Index::Member> members;
  std::unordered_set<std::string> seen;  // "scope/name", to refuse clashes
  auto add = [&](const Index::Member& member) {
    return seen.insert(std::to_string(member.scope) + "/" + std::string(member.name)).second;
  };
  for (std::uint32_t scope = 0; scope < index->scopes.size(); ++scope) {
    const auto [owner, parent] = index->scopes[scope];
    members.reserve(members.size() + parent->children.size());
    for (auto child : parent->children) {
      const ElementDefinition& element = owner->elements[child];
      if (!element.choice) {
        std::string_view type_code;
        if (element.types.size() == 1) {
          type_code = element.types.front().code;
        }
        Index::Member member{scope, element.member_scope, element.name, owner, &element, type_code};
        if (!add(member)) {
          return badDefinitions(element.path, "element name defined twice");
        }
        members.push_back(member);
        continue;
      }
      for (const auto& type : element.types) {
        auto members_scope = rootScope(type.code);
        if (!members_scope || type.code.empty()) {
          return badDefinitions(element.path, "unknown type in choice");
        }
        std::string& json_name = index->choice_names.emplace_back(element.name + type.code);
        json_name[element.name.size()] = static_cast<char>(
            std::toupper(static_cast<unsigned char>(json_name[element.name.size()])));
        Index::Member member{scope, *members_scope, json_name, owner, &element, type.code};
        if (!add(member)) {
          return badDefinitions(element.path, "choice name clashes with another element");
        }
        members.push_back(member);
      }
    }
  }
  index->members.build(std::move(members));

  index_ = std::move(index);
  return Status::ok();
}

}  // namespace ferry::engine::fhir
