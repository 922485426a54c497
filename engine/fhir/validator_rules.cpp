// The hand-coded rules of the validator: references (format, target types, ref-1), contained
// resources (dom-2 to dom-5), required bindings on Coding and CodeableConcept, extensions (ext-1),
// periods (per-1) and Quantity profiles (sqty-1, mqty-1); Bundles are in validator_bundle.cpp.
// Each follows the R4 invariant it names; FHIRPath itself is not evaluated.

#include <algorithm>
#include <optional>

#include "engine/fhir/validator_json_util.h"
#include "engine/fhir/validator_walker.h"

namespace ferry::engine::fhir::validation {

namespace {

bool hasSpace(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
  });
}

}  // namespace

void Walker::afterComplex(const Slot& slot, const JsonValue& value) {
  if (slot.node == nullptr) {
    return;
  }
  if (slot.type != nullptr && !slot.type->profiles.empty()) {
    checkQuantityProfiles(*slot.type, value);
  }
  switch (slot.node->role) {
    case NodeRole::Reference:
      checkReference(value, slot.type);
      break;
    case NodeRole::Extension:
      checkExtension(value);
      break;
    case NodeRole::Period:
      checkPeriod(value);
      break;
    case NodeRole::Coding:
      if (slot.required_codes != nullptr) {
        checkCodingBinding(*slot.required_codes, value);
      }
      break;
    case NodeRole::CodeableConcept:
      if (slot.required_codes != nullptr) {
        checkConceptBinding(*slot.required_codes, value);
      }
      break;
    default:
      break;
  }
}

// Remembers local references ("#id", and "#" for the container) for dom-3 and ref-1. Any
// Reference.reference, canonical, uri or url counts, as in the dom-3 expression.
void Walker::noteUriText(std::string_view text) {
  if (depth_ == 0 || text.empty() || text[0] != '#') {
    return;
  }
  Scope& scope = scopes_[depth_ - 1];
  if (text.size() == 1) {
    if (scope.current >= 0) {
      scope.refers_to_container[static_cast<std::size_t>(scope.current)] = 1;
    }
    return;
  }
  scope.fragments.push_back(text.substr(1));
}

void Walker::checkReference(const JsonValue& reference, const TypeRef* type) {
  const JsonValue* value = reference.find("reference");
  if (value == nullptr || !value->isString() || value->text().empty()) {
    return;
  }
  std::string_view text = value->text();
  PathGuard guard(path_, "reference");

  if (text[0] == '#') {
    if (text.size() == 1 || depth_ == 0) {
      return;  // "#" is the containing resource
    }
    const Scope& scope = scopes_[depth_ - 1];
    std::string_view id = text.substr(1);
    auto it = std::find(scope.contained_ids.begin(), scope.contained_ids.end(), id);
    if (it == scope.contained_ids.end()) {
      report(IssueSeverity::Error, "invalid",
             "ref-1: a local reference must name the id of a contained resource", value);
      return;
    }
    const JsonValue& target =
        *scope.contained[static_cast<std::size_t>(it - scope.contained_ids.begin())];
    std::string_view target_type = stringMember(target, "resourceType");
    if (model_.isResourceType(target_type)) {
      checkTargetType(target_type, type, *value);
    }
    return;
  }
  if (startsWith(text, "urn:uuid:")) {
    if (!isValidUuid(text)) {
      report(IssueSeverity::Error, "value", "not a valid urn:uuid: reference", value);
    }
    return;
  }
  if (startsWith(text, "urn:oid:")) {
    if (!isValidOid(text)) {
      report(IssueSeverity::Error, "value", "not a valid urn:oid: reference", value);
    }
    return;
  }
  if (hasSpace(text)) {
    report(IssueSeverity::Error, "value", "a reference may not contain white space", value);
    return;
  }
  if (isAbsoluteUri(text)) {
    if (startsWith(text, "http://") || startsWith(text, "https://")) {
      auto [target_type, id] = restTypeAndId(text.substr(text.find("//") + 2));
      if (model_.isResourceType(target_type) && isValidId(id)) {
        checkTargetType(target_type, type, *value);
      }
    }
    return;
  }

  // Relative: [type]/[id], [type]/[id]/_history/[version], or a conditional [type]?[query]
  // (resolved by the server in a transaction).
  std::size_t query = text.find('?');
  if (query != std::string_view::npos) {
    std::string_view target_type = text.substr(0, query);
    if (!model_.isResourceType(target_type)) {
      report(IssueSeverity::Error, "value",
             "a conditional reference must start with a known resource type", value);
      return;
    }
    checkTargetType(target_type, type, *value);
    return;
  }
  std::size_t slash = text.find('/');
  std::string_view target_type = text.substr(0, slash);
  std::string_view rest =
      slash == std::string_view::npos ? std::string_view() : text.substr(slash + 1);
  std::string_view id = rest.substr(0, rest.find('/'));
  std::string_view version_part =
      rest.size() > id.size() ? rest.substr(id.size()) : std::string_view();
  bool version_ok = version_part.empty() ||
                    (startsWith(version_part, "/_history/") && isValidId(version_part.substr(10)));
  if (slash == std::string_view::npos || !version_ok) {
    report(IssueSeverity::Error, "value",
           "a relative reference must be [type]/[id] (optionally /_history/[version])", value);
    return;
  }
  if (!model_.isResourceType(target_type)) {
    report(IssueSeverity::Error, "value",
           "a relative reference must start with a known resource type", value);
    return;
  }
  if (!isValidId(id)) {
    report(IssueSeverity::Error, "value", "the id part of the reference is not a valid id", value);
    return;
  }
  checkTargetType(target_type, type, *value);
}

void Walker::checkTargetType(std::string_view target_type, const TypeRef* type,
                             const JsonValue& at) {
  if (type == nullptr || type->target_types.empty()) {
    return;
  }
  std::string allowed;
  for (const std::string& target : type->target_types) {
    std::string_view name = target;
    name = name.substr(name.rfind('/') == std::string_view::npos ? 0 : name.rfind('/') + 1);
    if (name == "Resource" || name == target_type) {
      return;
    }
    allowed += allowed.empty() ? "" : ", ";
    allowed += name;
  }
  // target_type is a known resource type name here, never free text from the input.
  report(IssueSeverity::Error, "structure",
         "a reference to a " + std::string(target_type) +
             " is not allowed here (allowed: " + allowed + ")",
         &at);
}

void Walker::checkCodeBinding(const ValueSetCodes& codes, std::string_view code,
                              const JsonValue& at) {
  if (!codes.containsCode(code)) {
    reportBindingMiss(codes, at);
  }
}

void Walker::checkCodingBinding(const ValueSetCodes& codes, const JsonValue& coding) {
  std::string_view code = stringMember(coding, "code");
  if (code.empty()) {
    return;
  }
  std::string_view system = stringMember(coding, "system");
  bool found = system.empty() ? codes.containsCode(code) : codes.contains(system, code);
  if (!found) {
    reportBindingMiss(codes, coding);
  }
}

// A CodeableConcept meets a required binding when one of its codings is in the value set; one
// with only text, or codings without codes, has nothing to check.
void Walker::checkConceptBinding(const ValueSetCodes& codes, const JsonValue& codeable_concept) {
  const JsonValue* codings = codeable_concept.find("coding");
  if (codings == nullptr || !codings->isArray()) {
    return;
  }
  bool any_code = false;
  for (const JsonValue& coding : codings->elements()) {
    std::string_view code = stringMember(coding, "code");
    if (code.empty()) {
      continue;
    }
    any_code = true;
    std::string_view system = stringMember(coding, "system");
    if (system.empty() ? codes.containsCode(code) : codes.contains(system, code)) {
      return;
    }
  }
  if (any_code) {
    reportBindingMiss(codes, codeable_concept);
  }
}

void Walker::reportBindingMiss(const ValueSetCodes& codes, const JsonValue& at) {
  if (codes.complete) {
    report(IssueSeverity::Error, "code-invalid",
           "the code is not in the required value set " + codes.url, &at);
  } else if (!codes.codes_by_system.empty()) {
    // Part of the set could not be expanded without a terminology server.
    report(IssueSeverity::Information, "code-invalid",
           "the code could not be verified against the required value set " + codes.url +
               " (not fully expandable here)",
           &at);
  }
}

// The two Quantity profiles the base resources use (R4 datatypes.html#SimpleQuantity and
// #MoneyQuantity): sqty-1 and mqty-1.
void Walker::checkQuantityProfiles(const TypeRef& type, const JsonValue& quantity) {
  for (const std::string& profile : type.profiles) {
    std::string_view name = profile;
    name = name.substr(name.rfind('/') == std::string_view::npos ? 0 : name.rfind('/') + 1);
    if (name == "SimpleQuantity" && quantity.find("comparator") != nullptr) {
      report(IssueSeverity::Error, "invariant",
             "sqty-1: a SimpleQuantity may not have a comparator", &quantity);
    } else if (name == "MoneyQuantity") {
      std::string_view system = stringMember(quantity, "system");
      bool code_ok = quantity.find("code") != nullptr || quantity.find("value") == nullptr;
      if (!code_ok || (!system.empty() && system != "urn:iso:std:iso:4217")) {
        report(IssueSeverity::Error, "invariant",
               "mqty-1: a MoneyQuantity with a value needs a code, and its system must be "
               "urn:iso:std:iso:4217",
               &quantity);
      }
    }
  }
}

void Walker::checkExtension(const JsonValue& extension) {
  bool nested = false;
  bool value = false;
  for (const JsonMember& member : extension.members()) {
    std::string_view key = member.first;
    nested = nested || key == "extension";
    value = value || (startsWith(key, "value") && key.size() > 5);
  }
  if (nested && value) {
    report(IssueSeverity::Error, "invariant",
           "ext-1: an extension must have either extensions or value[x], not both", &extension);
  }
}

void Walker::checkPeriod(const JsonValue& period) {
  std::string_view start_text = stringMember(period, "start");
  std::string_view end_text = stringMember(period, "end");
  if (start_text.empty() || end_text.empty()) {
    return;
  }
  auto start = parseDateTime(start_text, DateForm::DateTime);
  auto end = parseDateTime(end_text, DateForm::DateTime);
  if (!start || !end) {
    return;  // the format error is reported on the element itself
  }
  std::optional<bool> ordered = lessOrEqual(*start, *end);
  if (!ordered.has_value()) {
    report(IssueSeverity::Error, "invariant",
           "per-1: start must not be after end (they differ in precision and cannot be ordered)",
           &period);
  } else if (!*ordered) {
    report(IssueSeverity::Error, "invariant", "per-1: start must not be after end", &period);
  }
}

void Walker::beginScope(const JsonValue& resource) {
  ++depth_;
  if (scopes_.size() < depth_) {
    scopes_.emplace_back();
  }
  Scope& scope = scopes_[depth_ - 1];
  scope.resource = &resource;
  scope.contained.clear();
  scope.contained_ids.clear();
  scope.refers_to_container.clear();
  scope.fragments.clear();
  scope.current = -1;
  const JsonValue* contained = resource.find("contained");
  if (contained == nullptr || !contained->isArray()) {
    return;
  }
  for (const JsonValue& item : contained->elements()) {
    scope.contained.push_back(&item);
    scope.contained_ids.push_back(stringMember(item, "id"));
    scope.refers_to_container.push_back(0);
  }
}

// dom-3: every contained resource is referenced from elsewhere in the resource, or refers to
// the container itself ("#").
void Walker::endScope() {
  Scope& scope = scopes_[depth_ - 1];
  std::sort(scope.fragments.begin(), scope.fragments.end());
  for (std::size_t i = 0; i < scope.contained.size(); ++i) {
    std::string_view id = scope.contained_ids[i];
    bool referenced =
        scope.refers_to_container[i] != 0 ||
        (!id.empty() && std::binary_search(scope.fragments.begin(), scope.fragments.end(), id));
    if (!referenced) {
      report(IssueSeverity::Error, "invariant",
             "dom-3: the contained resource is not referenced from elsewhere in the containing "
             "resource, nor does it refer to it",
             scope.contained[i], "contained", static_cast<std::int32_t>(i));
    }
  }
  --depth_;
}

// dom-2, dom-4, dom-5: what a contained resource may not have.
void Walker::checkContainedRules(const JsonValue& resource) {
  if (const JsonValue* nested = resource.find("contained")) {
    report(IssueSeverity::Error, "invariant",
           "dom-2: a contained resource may not contain resources", nested, "contained");
  }
  const JsonValue* meta = objectMember(resource, "meta");
  if (meta == nullptr) {
    return;
  }
  if (meta->find("versionId") != nullptr || meta->find("lastUpdated") != nullptr) {
    report(IssueSeverity::Error, "invariant",
           "dom-4: a contained resource may not have meta.versionId or meta.lastUpdated", meta,
           "meta");
  }
  if (meta->find("security") != nullptr) {
    report(IssueSeverity::Error, "invariant",
           "dom-5: a contained resource may not have a security label", meta, "meta");
  }
}

}  // namespace ferry::engine::fhir::validation
