#include "engine/fhir/validator_walker.h"

#include <algorithm>

#include "engine/fhir/json_parser.h"
#include "engine/fhir/validator_xhtml.h"

namespace ferry::engine::fhir::validation {

namespace {

// A member name as it may appear in an expression: element-like names as written, anything
// else (which could be data put in the wrong place) replaced so that no value leaks out.
bool isPrintableName(std::string_view name) {
  if (name.empty() || name.size() > 64) {
    return false;
  }
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-';
    if (!ok) {
      return false;
    }
  }
  return true;
}

const JsonValue* memberNamed(const JsonValue& object, std::string_view prefix,
                             std::string_view name) {
  for (const JsonMember& member : object.members()) {
    std::string_view key = member.first;
    if (key.size() == prefix.size() + name.size() && key.substr(0, prefix.size()) == prefix &&
        key.substr(prefix.size()) == name) {
      return &member.second;
    }
  }
  return nullptr;
}

const char* jsonKindText(JsonKindNeeded needed) {
  switch (needed) {
    case JsonKindNeeded::Number:
      return "must be a JSON number";
    case JsonKindNeeded::Boolean:
      return "must be a JSON boolean (true or false)";
    case JsonKindNeeded::String:
      break;
  }
  return "must be a JSON string";
}

}  // namespace

Walker::Walker(const Model& model, std::string_view source, bool json_checked,
               std::vector<Issue>& issues)
    : model_(model),
      definitions_(model.definitions()),
      source_(source),
      json_checked_(json_checked),
      issues_(issues) {
  path_.reserve(32);
}

void Walker::validateRoot(const JsonValue& root, std::string_view expected_type) {
  if (!root.isObject()) {
    report(IssueSeverity::Error, "structure", "a FHIR resource must be a JSON object", &root);
    return;
  }
  const JsonValue* type = root.find("resourceType");
  if (type != nullptr && type->isString() && !expected_type.empty() &&
      type->text() != expected_type) {
    report(IssueSeverity::Error, "invalid",
           "expected a resource of type " + std::string(expected_type), type);
  }
  // Expressions start with the resource type ("Patient.name[0]"); an unknown type starts none.
  bool known = type != nullptr && type->isString() && model_.resourceNode(type->text()) != nullptr;
  if (known) {
    path_.push_back({type->text(), -1, {}});
  }
  validateResource(root, ResourceRole::Independent, -1);
  if (known) {
    path_.pop_back();
  }
}

void Walker::validateResource(const JsonValue& resource, ResourceRole role, std::int32_t index) {
  const JsonValue* type = resource.find("resourceType");
  if (type == nullptr) {
    report(IssueSeverity::Error, "structure", "resourceType is missing: not a FHIR resource",
           &resource);
    return;
  }
  if (!type->isString()) {
    report(IssueSeverity::Error, "structure", "resourceType must be a JSON string", type,
           "resourceType");
    return;
  }
  const Node* node = model_.resourceNode(type->text());
  if (node == nullptr) {
    const StructureDefinition* structure = definitions_.structure(type->text());
    bool abstract = structure != nullptr && structure->kind == StructureKind::Resource;
    report(IssueSeverity::Error, "structure",
           abstract ? "resourceType names an abstract resource type"
                    : "resourceType is not a known FHIR R4 resource type",
           type, "resourceType");
    return;
  }

  // A resource contained in a contained resource is refused (dom-2) and then checked on its
  // own, so that its references do not count for the outer container.
  bool contained = role == ResourceRole::Contained && contained_depth_ == 0;
  if (contained) {
    Scope& scope = scopes_[depth_ - 1];
    int previous = scope.current;
    scope.current = index;
    ++contained_depth_;
    checkContainedRules(resource);
    walkObject(resource, *node, true);
    --contained_depth_;
    scopes_[depth_ - 1].current = previous;
  } else {
    int saved_contained_depth = contained_depth_;
    contained_depth_ = 0;
    beginScope(resource);
    walkObject(resource, *node, true);
    endScope();
    contained_depth_ = saved_contained_depth;
  }
  if (type->text() == "Bundle") {
    checkBundle(resource);
  }
}

void Walker::walkObject(const JsonValue& object, const Node& node, bool resource_root) {
  std::bitset<256> present;
  // Choice elements seen so far (value[x] given twice with different types is an error).
  const Slot* choices[8] = {};
  std::size_t choice_count = 0;

  for (const JsonMember& member : object.members()) {
    std::string_view key = member.first;
    const JsonValue& value = member.second;
    if (resource_root && key == "resourceType") {
      continue;
    }
    bool sibling = key.size() > 1 && key[0] == '_';
    const Slot* slot = node.find(sibling ? key.substr(1) : key);
    if (slot == nullptr) {
      unknownMember(key, value, resource_root);
      continue;
    }
    if (slot->required_bit != kNoBit) {
      present.set(slot->required_bit);
    }
    if (slot->choice) {
      bool clash = false;
      for (std::size_t i = 0; i < choice_count; ++i) {
        clash = clash ||
                (choices[i]->element == slot->element && choices[i]->type_code != slot->type_code);
      }
      if (clash) {
        report(IssueSeverity::Error, "structure",
               "only one type may be given for a choice element ([x])", &value, slot->base_name);
      } else if (choice_count < std::size(choices)) {
        choices[choice_count++] = slot;
      }
    }
    PathGuard guard(path_, slot->base_name, slot->choice ? slot->type_code : std::string_view());
    if (sibling) {
      walkSibling(object, *slot, value);
    } else {
      walkMember(object, *slot, value);
    }
  }
  checkRequired(object, node, present);
}

void Walker::checkRequired(const JsonValue& object, const Node& node,
                           const std::bitset<256>& present) {
  for (std::size_t bit = 0; bit < node.required.size(); ++bit) {
    if (present.test(bit)) {
      continue;
    }
    const ElementDefinition& element = *node.required[bit];
    report(IssueSeverity::Error, "required",
           "minimum " + std::to_string(element.min) + " required, found 0", &object, element.name);
  }
}

void Walker::unknownMember(std::string_view key, const JsonValue& value, bool resource_root) {
  const char* rule = "not a known element here";
  if (key == "resourceType" && !resource_root) {
    rule = "resourceType is only allowed at the root of a resource";
  } else if (key == "fhir_comments" || key == "_fhir_comments") {
    rule = "fhir_comments is not allowed in FHIR R4 JSON";
  }
  std::string diagnostics = rule;
  if (!isPrintableName(key)) {
    report(IssueSeverity::Error, "structure", diagnostics + " (member name not shown)", &value,
           "(unknown member)");
    return;
  }
  report(IssueSeverity::Error, "structure", std::move(diagnostics), &value, key);
}

void Walker::walkMember(const JsonValue& parent, const Slot& slot, const JsonValue& value) {
  if (value.isNull()) {
    if (!json_checked_) {
      report(IssueSeverity::Error, "structure", "null is not a valid value here", &value);
    }
    return;
  }
  if (!slot.repeats) {
    if (value.isArray()) {
      report(IssueSeverity::Error, "structure",
             "must be a single value, not an array (at most 1 allowed)", &value);
      return;
    }
    walkItem(parent, slot, value, -1);
    return;
  }
  if (!value.isArray()) {
    // FHIR JSON writes a repeating element as an array even when it holds one item.
    report(IssueSeverity::Error, "structure", "must be a JSON array (the element repeats)", &value);
    walkItem(parent, slot, value, -1);
    return;
  }
  const JsonElements& items = value.elements();
  if (items.empty() && !json_checked_) {
    report(IssueSeverity::Error, "structure", "an array may not be empty", &value);
  }
  std::uint32_t max = slot.element->max;
  if (max != kUnbounded && items.size() > max) {
    report(IssueSeverity::Error, "structure",
           "maximum " + std::to_string(max) + " allowed, found " + std::to_string(items.size()),
           &value);
  }
  for (std::size_t i = 0; i < items.size(); ++i) {
    path_.back().index = static_cast<std::int32_t>(i);
    walkItem(parent, slot, items[i], static_cast<std::int32_t>(i));
  }
  path_.back().index = -1;
}

void Walker::walkItem(const JsonValue& parent, const Slot& slot, const JsonValue& value,
                      std::int32_t index) {
  switch (slot.kind) {
    case SlotKind::Primitive: {
      if (value.isNull()) {
        // A null in a primitive array only keeps positions aligned with the "_name" array.
        const JsonValue* sibling = memberNamed(parent, "_", slot.json_name);
        bool aligned = index >= 0 && sibling != nullptr && sibling->isArray() &&
                       static_cast<std::size_t>(index) < sibling->elements().size() &&
                       !sibling->elements()[static_cast<std::size_t>(index)].isNull();
        if (!aligned) {
          report(IssueSeverity::Error, "structure",
                 "null is only allowed where the matching '_' array has an extension", &value);
        }
        return;
      }
      checkPrimitive(slot, value);
      return;
    }
    case SlotKind::Complex:
      if (!checkObjectShape(value)) {
        return;
      }
      if (slot.node != nullptr) {
        walkObject(value, *slot.node, false);
      }
      afterComplex(slot, value);
      return;
    case SlotKind::Resource:
      if (!value.isObject()) {
        report(IssueSeverity::Error, "structure", "a resource must be a JSON object", &value);
        return;
      }
      validateResource(value, slot.contained ? ResourceRole::Contained : ResourceRole::Independent,
                       index);
      return;
  }
}

// A complex value must be a non-empty object with more than an id (ele-1).
bool Walker::checkObjectShape(const JsonValue& value) {
  if (!value.isObject()) {
    report(IssueSeverity::Error, "structure", "must be a JSON object", &value);
    return false;
  }
  const auto& members = value.members();
  if (members.empty()) {
    if (!json_checked_) {
      report(IssueSeverity::Error, "structure", "an object may not be empty", &value);
    }
    return false;
  }
  if (members.size() == 1 && members.front().first == "id") {
    report(IssueSeverity::Error, "invariant",
           "ele-1: an element must have a value or children other than id", &value);
  }
  return true;
}

void Walker::walkSibling(const JsonValue& parent, const Slot& slot, const JsonValue& value) {
  if (value.isNull()) {
    if (!json_checked_) {
      report(IssueSeverity::Error, "structure", "null is not a valid value here", &value);
    }
    return;
  }
  if (slot.kind != SlotKind::Primitive || slot.element->system_type) {
    // Element.id, Extension.url and Resource.id are plain values that take no extensions.
    report(IssueSeverity::Error, "structure",
           "a '_' member is only allowed for primitive elements that take extensions", &value);
    return;
  }
  if (!slot.repeats) {
    if (!value.isObject()) {
      report(IssueSeverity::Error, "structure",
             "a primitive's '_' member must be a JSON object (id and extension)", &value);
      return;
    }
    walkElementObject(value);
    return;
  }
  if (!value.isArray()) {
    report(IssueSeverity::Error, "structure",
           "a repeating primitive's '_' member must be an array of objects or nulls", &value);
    return;
  }
  const JsonElements& items = value.elements();
  const JsonValue* values = memberNamed(parent, "", slot.json_name);
  if (values != nullptr && values->isArray() && values->elements().size() != items.size()) {
    report(IssueSeverity::Error, "structure",
           "the '_' array must have as many items as the primitive array it extends", &value);
  }
  for (std::size_t i = 0; i < items.size(); ++i) {
    path_.back().index = static_cast<std::int32_t>(i);
    const JsonValue& item = items[i];
    if (item.isNull()) {
      bool has_value = values != nullptr && values->isArray() && i < values->elements().size() &&
                       !values->elements()[i].isNull();
      if (!has_value) {
        report(IssueSeverity::Error, "structure",
               "null in both the primitive array and its '_' array at the same position", &item);
      }
    } else if (!item.isObject()) {
      report(IssueSeverity::Error, "structure",
             "a '_' array may hold only objects (id and extension) or null", &item);
    } else {
      walkElementObject(item);
    }
  }
  path_.back().index = -1;
}

void Walker::walkElementObject(const JsonValue& value) {
  if (!checkObjectShape(value)) {
    return;
  }
  if (const Node* node = model_.elementNode()) {
    walkObject(value, *node, false);
  }
}

void Walker::checkPrimitive(const Slot& slot, const JsonValue& value) {
  JsonKindNeeded needed = jsonKindFor(slot.primitive);
  bool kind_ok = needed == JsonKindNeeded::Number    ? value.isNumber()
                 : needed == JsonKindNeeded::Boolean ? value.isBool()
                                                     : value.isString();
  if (!kind_ok) {
    report(IssueSeverity::Error, "structure",
           std::string(jsonKindText(needed)) + " (" +
               std::string(primitiveKindName(slot.primitive)) + ")",
           &value);
    return;
  }
  if (needed == JsonKindNeeded::Boolean) {
    return;
  }
  std::string_view text = value.text();
  if (text.empty() && value.isString()) {
    if (!json_checked_) {
      report(IssueSeverity::Error, "structure", "a string may not be empty", &value);
    }
    return;
  }

  switch (slot.primitive) {
    case PrimitiveKind::String:
    case PrimitiveKind::Markdown: {
      bool is_error = false;
      if (const char* rule = checkStringText(text, &is_error)) {
        report(is_error ? IssueSeverity::Error : IssueSeverity::Warning,
               is_error ? "too-long" : "invalid", rule, &value);
      }
      break;
    }
    case PrimitiveKind::Xhtml:
      if (const char* rule = checkNarrativeXhtml(text)) {
        report(IssueSeverity::Error, "value", rule, &value);
      }
      break;
    case PrimitiveKind::Decimal:
      // The parser already held numbers to the JSON grammar, which is R4's decimal grammar;
      // trees built by code are checked here.
      if (!json_checked_ && !isValidDecimal(text)) {
        report(IssueSeverity::Error, "value", "not a valid decimal", &value);
      }
      break;
    default:
      if (const char* rule = checkPrimitiveText(slot.primitive, text)) {
        report(IssueSeverity::Error, "value", rule, &value);
        return;
      }
      break;
  }

  if (slot.required_codes != nullptr && slot.primitive == PrimitiveKind::Code) {
    checkCodeBinding(*slot.required_codes, text, value);
  }
  if (slot.reference_text || slot.primitive == PrimitiveKind::Uri ||
      slot.primitive == PrimitiveKind::Url || slot.primitive == PrimitiveKind::Canonical) {
    noteUriText(text);
  }
}

void Walker::report(IssueSeverity severity, std::string_view code, std::string diagnostics,
                    const JsonValue* at, std::string_view extra, std::int32_t extra_index) {
  if (issues_.size() >= kMaxIssues) {
    if (dropped_issues_++ == 0) {
      Issue last;
      last.severity = IssueSeverity::Error;
      last.code = "too-costly";
      last.diagnostics = "more than " + std::to_string(kMaxIssues) +
                         " issues; the rest of the resource was not reported";
      issues_.push_back(std::move(last));
    }
    return;
  }
  Issue issue;
  issue.severity = severity;
  issue.code = std::string(code);
  issue.expression = expression(extra, extra_index);
  issue.diagnostics = std::move(diagnostics);
  if (at != nullptr && !source_.empty() && at->offset() < source_.size()) {
    if (!lines_) {
      lines_.emplace(source_);
    }
    auto [line, column] = lines_->locate(at->offset());
    issue.line = line;
    issue.column = column;
  }
  issues_.push_back(std::move(issue));
}

std::string Walker::expression(std::string_view extra, std::int32_t extra_index) const {
  std::string text;
  auto append = [&text](std::string_view name, std::int32_t index, std::string_view of_type) {
    if (!text.empty()) {
      text += '.';
    }
    text += name;
    if (index >= 0) {
      text += '[';
      text += std::to_string(index);
      text += ']';
    }
    if (!of_type.empty()) {
      text += ".ofType(";
      text += of_type;
      text += ')';
    }
  };
  for (const PathPart& part : path_) {
    append(part.name, part.index, part.of_type);
  }
  if (!extra.empty()) {
    append(extra, extra_index, {});
  }
  return text;
}

}  // namespace ferry::engine::fhir::validation
