#include "mappings/strip/fhir_strip.h"

#include <set>
#include <utility>

namespace ferry::mappings::strip {

namespace {

using engine::ErrorCode;
using engine::Result;
using engine::Status;
using engine::fhir::Definitions;
using engine::fhir::ElementDefinition;
using engine::fhir::JsonElements;
using engine::fhir::JsonMember;
using engine::fhir::JsonMembers;
using engine::fhir::JsonValue;
using engine::fhir::StructureDefinition;
using RuleNode = FhirStripProfile::RuleNode;

constexpr std::size_t kMaxQuoted = 120;

Status malformed(std::string_view text, std::string_view rule) {
  std::string quoted(text.substr(0, kMaxQuoted));
  if (text.size() > kMaxQuoted) {
    quoted += "...";
  }
  return Status(ErrorCode::ConfigError,
                "FHIR strip path '" + quoted + "' is malformed: " + std::string(rule));
}

bool isNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

bool isExtensionName(std::string_view name) {
  return name == "extension" || name == "modifierExtension";
}

std::string stepKey(const FhirStripStep& step) {
  if (step.choice) {
    return step.name + "[x]";
  }
  if (!step.url.empty()) {
    return step.name + "(url=" + step.url + ")";
  }
  return step.name;
}

// Where child() looks up the members of a JSON object: an element and the structure it is in.
struct Scope {
  const StructureDefinition* owner = nullptr;
  const ElementDefinition* parent = nullptr;
};

Scope resourceScope(const StructureDefinition& structure) {
  return {&structure, &structure.elements.front()};
}

const ElementDefinition* findChoice(const Scope& scope, std::string_view name) {
  const std::string wanted = scope.parent->path + "." + std::string(name) + "[x]";
  for (const ElementDefinition& element : scope.owner->elements) {
    if (element.path == wanted && element.choice) {
      return &element;
    }
  }
  return nullptr;
}

enum class Decision { Keep, Remove, Descend };

Decision decide(StripMode mode, const RuleNode* rule) {
  if (mode == StripMode::Allow) {
    return rule == nullptr ? Decision::Remove : (rule->whole ? Decision::Keep : Decision::Descend);
  }
  return rule == nullptr ? Decision::Keep : (rule->whole ? Decision::Remove : Decision::Descend);
}

const RuleNode* findRule(const RuleNode& node, std::string_view key) {
  auto found = node.children.find(key);
  return found == node.children.end() ? nullptr : &found->second;
}

bool isEmptyContainer(const JsonValue& value) {
  return (value.isObject() && value.members().empty()) ||
         (value.isArray() && value.elements().empty());
}

// Resolves one path against the definitions and returns its last element (nullptr for a path
// that names a whole resource type). Problems go to `problems`.
const ElementDefinition* resolvePath(const Definitions& definitions, const FhirStripPath& path,
                                     std::size_t entry, std::vector<FhirProfileProblem>& problems) {
  auto problem = [&](std::string message) {
    problems.push_back({entry, "FHIR strip path '" + path.text + "': " + std::move(message)});
    return nullptr;
  };
  const StructureDefinition* structure = definitions.structure(path.resource_type);
  if (structure == nullptr || !definitions.isResourceType(path.resource_type)) {
    return problem("'" + path.resource_type + "' is not a FHIR R4 resource type");
  }
  if (!path.steps.empty() &&
      (path.steps.front().name == "id" || path.steps.front().name == "resourceType")) {
    return problem(path.resource_type + "." + path.steps.front().name +
                   " is always kept (references and Bundle entries point at it)");
  }
  Scope scope = resourceScope(*structure);
  const ElementDefinition* element = nullptr;
  std::string at = path.resource_type;
  for (std::size_t i = 0; i < path.steps.size(); ++i) {
    const FhirStripStep& step = path.steps[i];
    if (scope.owner == nullptr) {
      return problem("nothing may follow " + at +
                     ": a nested resource is filtered by the "
                     "entries of its own type (write e.g. Patient.name)");
    }
    if (step.choice) {
      element = findChoice(scope, step.name);
      if (element == nullptr) {
        return problem(at + "." + step.name + "[x] is not a choice element");
      }
      if (i + 1 < path.steps.size()) {
        return problem(
            "nothing may follow a choice element written [x]; name one type "
            "instead (valueQuantity)");
      }
      break;
    }
    auto match = definitions.child(*scope.owner, *scope.parent, step.name);
    if (!match) {
      return problem(at + " has no element '" + step.name + "'");
    }
    element = match->element;
    if (!step.url.empty()) {
      if (!isExtensionName(step.name)) {
        return problem("(url=...) filters only extension and modifierExtension");
      }
      if (i + 1 < path.steps.size()) {
        return problem("an extension is kept or removed whole; nothing may follow (url=...)");
      }
    }
    at += "." + step.name;
    scope = {match->members_owner, match->members_parent};
  }
  return element;
}

void addPath(RuleNode& root, const FhirStripPath& path) {
  RuleNode* node = &root;
  for (const FhirStripStep& step : path.steps) {
    node = &node->children[stepKey(step)];
  }
  node->whole = true;
}

// Allow-lists: every required element of a kept object must be kept whole.
void checkRequired(const Definitions& definitions, const RuleNode& node, const Scope& scope,
                   const std::string& label, std::vector<FhirProfileProblem>& problems) {
  if (node.whole || scope.owner == nullptr) {
    return;
  }
  for (std::uint32_t index : scope.parent->children) {
    const ElementDefinition& element = scope.owner->elements[index];
    const std::string key = element.choice ? element.name + "[x]" : element.name;
    const RuleNode* rule = findRule(node, key);
    if (element.min >= 1 && (rule == nullptr || !rule->whole)) {
      problems.push_back({FhirProfileProblem::kWholeProfile,
                          "the allow-list keeps " + label + " but not its required element " +
                              element.path + " (the base specification requires it: list " + label +
                              "." + key + " whole)"});
    }
  }
  for (const auto& [key, rule] : node.children) {
    if (rule.whole || key.find('(') != std::string::npos || key.find('[') != std::string::npos) {
      continue;
    }
    auto match = definitions.child(*scope.owner, *scope.parent, key);
    if (match) {
      checkRequired(definitions, rule, {match->members_owner, match->members_parent},
                    label + "." + key, problems);
    }
  }
}

// The working state of one apply() call.
class Stripper {
 public:
  Stripper(StripMode mode, const Definitions& definitions,
           const std::map<std::string, RuleNode, std::less<>>& by_type, ActionList& actions)
      : mode_(mode), definitions_(definitions), by_type_(by_type), actions_(actions) {}

  // Filters one resource. `remove` is set when the whole resource must go.
  Status resource(JsonValue& value, bool& remove) {
    remove = false;
    const JsonValue* type_value = value.find("resourceType");
    if (type_value == nullptr || !type_value->isString()) {
      return Status(ErrorCode::InvalidMessage, "a resource has no resourceType");
    }
    const std::string type(type_value->text());
    const StructureDefinition* structure = definitions_.structure(type);
    if (structure == nullptr || !definitions_.isResourceType(type)) {
      return Status(ErrorCode::InvalidMessage, "unknown resource type '" + type + "'");
    }
    auto found = by_type_.find(type);
    const RuleNode* rule = found == by_type_.end() ? nullptr : &found->second;
    Status status;
    switch (decide(mode_, rule)) {
      case Decision::Remove:
        remove = true;
        actions_.add("removed", type);
        return Status::ok();
      case Decision::Keep: {
        bool unused = false;
        status = nested(value, unused, true);
        break;
      }
      case Decision::Descend: {
        bool unused = false;
        status = object(value, *rule, resourceScope(*structure), type, true, unused);
        break;
      }
    }
    if (!status.isOk()) {
      return status;
    }
    return fixContained(value, *structure, type);
  }

 private:
  // Filters the members of `value` (an object described by `scope`) by `node`. Sets
  // `remove_container` when a nested resource in a "resource" member was removed, so that
  // the Bundle entry or parameter holding it goes too.
  Status object(JsonValue& value, const RuleNode& node, const Scope& scope,
                const std::string& label, bool resource_root, bool& remove_container) {
    JsonMembers& members = value.members();
    JsonMembers kept;
    kept.reserve(members.size());
    for (JsonMember& member : members) {
      const std::string& name = member.first;
      if (name == "resourceType" || (resource_root && name == "id")) {
        kept.push_back(std::move(member));
        continue;
      }
      const std::string_view base =
          name.front() == '_' ? std::string_view(name).substr(1) : std::string_view(name);
      auto match = definitions_.child(*scope.owner, *scope.parent, base);
      const RuleNode* rule = findRule(node, base);
      if (rule == nullptr && match && match->element->choice) {
        rule = findRule(node, match->element->name + "[x]");
      }
      const std::string element_label = label + "." + std::string(base);

      if (isExtensionName(base) && member.second.isArray()) {
        extensions(member.second, node, base, label);
        if (!member.second.elements().empty()) {
          kept.push_back(std::move(member));
        }
        continue;
      }

      Decision decision = decide(mode_, rule);
      if (decision == Decision::Descend && (!match || match->members_owner == nullptr)) {
        // Unknown members and nested-resource slots have no members to pick from: a partial
        // rule there keeps nothing on an allow-list and removes nothing on a deny-list.
        decision = mode_ == StripMode::Allow ? Decision::Remove : Decision::Keep;
      }
      bool remove = false;
      Status status;
      switch (decision) {
        case Decision::Remove:
          actions_.add("removed", element_label);
          continue;
        case Decision::Keep:
          status = nested(member.second, remove, false);
          break;
        case Decision::Descend:
          status = descend(member.second, *rule, {match->members_owner, match->members_parent},
                           element_label, remove);
          break;
      }
      if (!status.isOk()) {
        return status;
      }
      if (remove || isEmptyContainer(member.second)) {
        if (base == "resource" && remove) {
          remove_container = true;
        }
        if (match && match->element->min >= 1 && name.front() != '_' && !remove_container) {
          return Status(ErrorCode::InvalidMessage,
                        "stripping would leave " + element_label +
                            " empty, which the base specification requires");
        }
        continue;
      }
      kept.push_back(std::move(member));
    }
    members = std::move(kept);
    return Status::ok();
  }

  // A partly kept element: an object, or an array of them.
  Status descend(JsonValue& value, const RuleNode& rule, const Scope& scope,
                 const std::string& label, bool& remove) {
    if (value.isObject()) {
      bool remove_container = false;
      Status status = object(value, rule, scope, label, false, remove_container);
      remove = remove_container;
      return status;
    }
    if (value.isArray()) {
      JsonElements& elements = value.elements();
      JsonElements kept;
      kept.reserve(elements.size());
      for (JsonValue& element : elements) {
        bool drop = false;
        Status status = descend(element, rule, scope, label, drop);
        if (!status.isOk()) {
          return status;
        }
        if (!drop && !isEmptyContainer(element)) {
          kept.push_back(std::move(element));
        }
      }
      elements = std::move(kept);
      return Status::ok();
    }
    // A primitive under a partial rule ("Patient.birthDate.extension"): its value is not
    // listed itself.
    remove = mode_ == StripMode::Allow;
    if (remove) {
      actions_.add("removed", label);
    }
    return Status::ok();
  }

  // Kept as a whole: only resources nested inside need their own type's rules.
  Status nested(JsonValue& value, bool& remove, bool resource_root) {
    remove = false;
    if (value.isObject()) {
      if (!resource_root && value.find("resourceType") != nullptr) {
        return resource(value, remove);
      }
      JsonMembers& members = value.members();
      for (std::size_t i = 0; i < members.size();) {
        bool drop = false;
        Status status = nested(members[i].second, drop, false);
        if (!status.isOk()) {
          return status;
        }
        if (drop) {
          remove = remove || members[i].first == "resource";
          members.erase(members.begin() + static_cast<std::ptrdiff_t>(i));
        } else {
          ++i;
        }
      }
      remove = remove || members.empty();
      return Status::ok();
    }
    if (value.isArray()) {
      JsonElements& elements = value.elements();
      for (std::size_t i = 0; i < elements.size();) {
        bool drop = false;
        Status status = nested(elements[i], drop, false);
        if (!status.isOk()) {
          return status;
        }
        if (drop) {
          elements.erase(elements.begin() + static_cast<std::ptrdiff_t>(i));
        } else {
          ++i;
        }
      }
      remove = elements.empty();
    }
    return Status::ok();
  }

  void extensions(JsonValue& array, const RuleNode& node, std::string_view name,
                  const std::string& label) {
    const RuleNode* all = findRule(node, name);
    JsonElements& elements = array.elements();
    JsonElements kept;
    kept.reserve(elements.size());
    const std::string prefix = std::string(name) + "(url=";
    for (JsonValue& extension : elements) {
      const JsonValue* url = extension.isObject() ? extension.find("url") : nullptr;
      const RuleNode* by_url = nullptr;
      std::string key;
      if (url != nullptr && url->isString()) {
        key = prefix + std::string(url->text()) + ")";
        by_url = findRule(node, key);
      }
      const bool listed = by_url != nullptr || (all != nullptr && all->whole);
      const bool keep = mode_ == StripMode::Allow ? listed : !listed;
      if (keep) {
        kept.push_back(std::move(extension));
      } else {
        // The url quoted is the profile's own (config), never one read from the payload.
        actions_.add("removed", label + "." + (by_url != nullptr ? key : std::string(name)));
      }
    }
    elements = std::move(kept);
  }

  // References into contained resources that are gone are removed; contained resources that
  // nothing references any more are removed (repeated, since they may reference each other).
  Status fixContained(JsonValue& resource, const StructureDefinition& structure,
                      const std::string& type) {
    for (int round = 0; round < 64; ++round) {
      std::set<std::string> ids;
      JsonValue* contained = resource.find("contained");
      if (contained != nullptr && contained->isArray()) {
        for (const JsonValue& item : contained->elements()) {
          const JsonValue* id = item.isObject() ? item.find("id") : nullptr;
          if (id != nullptr && id->isString()) {
            ids.emplace(id->text());
          }
        }
      }
      std::set<std::string> referenced;
      Status status = references(resource, resourceScope(structure), type, ids, referenced);
      if (!status.isOk() || contained == nullptr || !contained->isArray()) {
        return status;
      }
      JsonElements& items = contained->elements();
      const std::size_t before = items.size();
      for (std::size_t i = 0; i < items.size();) {
        const JsonValue* id = items[i].isObject() ? items[i].find("id") : nullptr;
        if (id == nullptr || !id->isString() || referenced.count(std::string(id->text())) == 0) {
          actions_.add("removed", type + ".contained", " (no longer referenced)");
          items.erase(items.begin() + static_cast<std::ptrdiff_t>(i));
        } else {
          ++i;
        }
      }
      if (items.empty()) {
        resource.remove("contained");
      }
      if (items.size() == before) {
        return Status::ok();
      }
    }
    return Status::ok();
  }

  // Walks `value` (described by `scope`) for Reference elements with a local "#id" reference.
  Status references(JsonValue& value, const Scope& scope, const std::string& label,
                    const std::set<std::string>& ids, std::set<std::string>& referenced) {
    JsonMembers& members = value.members();
    for (std::size_t i = 0; i < members.size();) {
      JsonMember& member = members[i];
      const std::string& name = member.first;
      if (name.empty() || name.front() == '_' || name == "resourceType") {
        ++i;
        continue;
      }
      auto match = definitions_.child(*scope.owner, *scope.parent, name);
      if (!match) {
        ++i;
        continue;
      }
      const std::string element_label = label + "." + name;
      Status status;
      if (match->type_code == "Reference") {
        forEachObject(member.second, [&](JsonValue& reference) {
          localReference(reference, element_label, ids, referenced);
        });
        removeEmptyItems(member.second);
      } else if (match->type_code == "canonical" || match->type_code == "uri") {
        // A canonical "#id" points at a contained resource too (a questionnaire's value set).
        localCanonical(member.second, element_label, ids, referenced);
      } else if (name == "contained") {
        forEachObject(member.second, [&](JsonValue& item) {
          const JsonValue* type = item.find("resourceType");
          const StructureDefinition* structure =
              type != nullptr ? definitions_.structure(type->text()) : nullptr;
          if (structure != nullptr && status.isOk()) {
            status =
                references(item, resourceScope(*structure), label + ".contained", ids, referenced);
          }
        });
      } else if (match->members_owner != nullptr &&
                 (member.second.isObject() || member.second.isArray())) {
        const Scope inner{match->members_owner, match->members_parent};
        forEachObject(member.second, [&](JsonValue& item) {
          if (status.isOk()) {
            status = references(item, inner, element_label, ids, referenced);
          }
        });
        removeEmptyItems(member.second);
      }
      if (!status.isOk()) {
        return status;
      }
      if (isEmptyContainer(member.second)) {
        if (match->element->min >= 1) {
          return Status(ErrorCode::InvalidMessage,
                        "removing a contained resource would leave " + element_label +
                            " empty, which the base specification requires");
        }
        members.erase(members.begin() + static_cast<std::ptrdiff_t>(i));
        continue;
      }
      ++i;
    }
    return Status::ok();
  }

  void localCanonical(JsonValue& value, const std::string& label, const std::set<std::string>& ids,
                      std::set<std::string>& referenced) {
    auto dangling = [&](const JsonValue& item) {
      if (!item.isString() || item.text().size() < 2 || item.text().front() != '#') {
        return false;
      }
      const std::string id(item.text().substr(1));
      if (ids.count(id) != 0) {
        referenced.insert(id);
        return false;
      }
      return true;
    };
    if (value.isArray()) {
      JsonElements& items = value.elements();
      for (std::size_t i = 0; i < items.size();) {
        if (dangling(items[i])) {
          actions_.add("removed", label, " (its contained resource was removed)");
          items.erase(items.begin() + static_cast<std::ptrdiff_t>(i));
        } else {
          ++i;
        }
      }
    } else if (dangling(value)) {
      actions_.add("removed", label, " (its contained resource was removed)");
      value = JsonValue::makeArray();  // empty: the caller removes the member
    }
  }

  void localReference(JsonValue& reference, const std::string& label,
                      const std::set<std::string>& ids, std::set<std::string>& referenced) {
    const JsonValue* target = reference.find("reference");
    if (target == nullptr || !target->isString() || target->text().empty() ||
        target->text().front() != '#') {
      return;
    }
    const std::string id(target->text().substr(1));
    if (id.empty()) {
      return;  // "#" points at the container itself
    }
    if (ids.count(id) != 0) {
      referenced.insert(id);
      return;
    }
    reference.remove("reference");
    reference.remove("_reference");
    actions_.add("removed", label + ".reference", " (its contained resource was removed)");
  }

  template <typename Function>
  static void forEachObject(JsonValue& value, Function&& function) {
    if (value.isObject()) {
      function(value);
    } else if (value.isArray()) {
      for (JsonValue& item : value.elements()) {
        if (item.isObject()) {
          function(item);
        }
      }
    }
  }

  static void removeEmptyItems(JsonValue& value) {
    if (!value.isArray()) {
      return;
    }
    JsonElements& items = value.elements();
    for (std::size_t i = 0; i < items.size();) {
      if (isEmptyContainer(items[i])) {
        items.erase(items.begin() + static_cast<std::ptrdiff_t>(i));
      } else {
        ++i;
      }
    }
  }

  StripMode mode_;
  const Definitions& definitions_;
  const std::map<std::string, RuleNode, std::less<>>& by_type_;
  ActionList& actions_;
};

}  // namespace

Result<FhirStripPath> parseFhirStripPath(std::string_view text) {
  FhirStripPath path;
  path.text = std::string(text);
  std::size_t pos = 0;
  auto readName = [&]() {
    const std::size_t start = pos;
    while (pos < text.size() && isNameChar(text[pos])) {
      ++pos;
    }
    return std::string(text.substr(start, pos - start));
  };

  path.resource_type = readName();
  if (path.resource_type.empty() || path.resource_type.front() < 'A' ||
      path.resource_type.front() > 'Z') {
    return malformed(text, "expected a resource type (Patient, Observation ...) first");
  }
  while (pos < text.size()) {
    if (text[pos] != '.') {
      return malformed(text, "expected '.' between elements");
    }
    ++pos;
    FhirStripStep step;
    step.name = readName();
    if (step.name.empty() || step.name.front() == '_') {
      return malformed(text, "expected an element name after '.'");
    }
    if (text.substr(pos, 3) == "[x]") {
      step.choice = true;
      pos += 3;
    } else if (text.substr(pos, 5) == "(url=") {
      const std::size_t close = text.find(')', pos + 5);
      if (close == std::string_view::npos || close == pos + 5) {
        return malformed(text, "expected (url=<extension url>)");
      }
      step.url = std::string(text.substr(pos + 5, close - pos - 5));
      pos = close + 1;
    }
    path.steps.push_back(std::move(step));
  }
  return path;
}

std::string checkFhirStripPath(const Definitions& definitions, const FhirStripPath& path) {
  std::string problem;
  resolveFhirStripPath(definitions, path, problem);
  return problem;
}

const ElementDefinition* resolveFhirStripPath(const Definitions& definitions,
                                              const FhirStripPath& path, std::string& problem) {
  std::vector<FhirProfileProblem> problems;
  const ElementDefinition* element = resolvePath(definitions, path, 0, problems);
  problem = problems.empty() ? std::string() : problems.front().message;
  return problems.empty() ? element : nullptr;
}

std::optional<FhirStripProfile> FhirStripProfile::create(
    StripMode mode, std::vector<FhirStripPath> paths,
    std::shared_ptr<const engine::fhir::Definitions> definitions,
    std::vector<FhirProfileProblem>& problems) {
  const std::size_t problems_before = problems.size();
  FhirStripProfile profile;
  profile.mode_ = mode;
  profile.definitions_ = definitions;
  for (std::size_t i = 0; i < paths.size(); ++i) {
    const FhirStripPath& path = paths[i];
    const std::size_t before = problems.size();
    const ElementDefinition* last = resolvePath(*definitions, path, i, problems);
    if (problems.size() != before) {
      continue;
    }
    if (mode == StripMode::Deny && last != nullptr && last->min >= 1) {
      problems.push_back({i, "FHIR strip path '" + path.text + "' removes " + last->path +
                                 ", which the base specification requires"});
      continue;
    }
    addPath(profile.by_type_[path.resource_type], path);
  }
  if (mode == StripMode::Allow) {
    // An entry that keeps its resource keeps its fullUrl: the resource's identity in the
    // Bundle, which references inside it resolve against.
    if (auto bundle = profile.by_type_.find("Bundle"); bundle != profile.by_type_.end()) {
      if (auto entry = bundle->second.children.find("entry");
          entry != bundle->second.children.end() && !entry->second.whole) {
        entry->second.children["fullUrl"].whole = true;
      }
    }
    for (const auto& [type, node] : profile.by_type_) {
      const StructureDefinition* structure = definitions->structure(type);
      if (structure != nullptr) {
        checkRequired(*definitions, node, resourceScope(*structure), type, problems);
      }
    }
  }
  if (problems.size() != problems_before) {
    return std::nullopt;
  }
  return profile;
}

Status FhirStripProfile::apply(JsonValue& resource, ActionList& actions) const {
  if (!resource.isObject()) {
    return Status(ErrorCode::InvalidMessage, "the payload is not a FHIR resource");
  }
  Stripper stripper(mode_, *definitions_, by_type_, actions);
  bool remove = false;
  Status status = stripper.resource(resource, remove);
  if (!status.isOk()) {
    return status;
  }
  if (remove) {
    const JsonValue* type = resource.find("resourceType");
    return Status(ErrorCode::InvalidMessage,
                  "the strip profile " +
                      std::string(mode_ == StripMode::Allow ? "keeps nothing of" : "removes") +
                      " resource type '" +
                      (type != nullptr ? std::string(type->text()) : std::string()) +
                      "', so nothing is left to send");
  }
  return Status::ok();
}

}  // namespace ferry::mappings::strip
