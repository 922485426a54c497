#include "structures.h"

#include <charconv>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

#include "json_file.h"

namespace ferry::defgen {

using engine::fhir::BindingStrength;
using engine::fhir::ElementDefinition;
using engine::fhir::StructureDefinition;
using engine::fhir::StructureKind;
using engine::fhir::TypeRef;

namespace {

constexpr std::string_view kFhirVersion = "4.0.1";
constexpr std::string_view kSystemTypePrefix = "http://hl7.org/fhirpath/System.";
constexpr std::string_view kFhirTypeExtension =
    "http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type";
constexpr std::string_view kRegexExtension = "http://hl7.org/fhir/StructureDefinition/regex";

[[noreturn]] void fail(std::string_view where, std::string_view what) {
  throw std::runtime_error(std::string(where) + ": " + std::string(what));
}

// "http://hl7.org/fhir/StructureDefinition/Patient" -> "Patient".
std::string lastSegment(std::string_view url) {
  auto slash = url.rfind('/');
  return std::string(slash == std::string_view::npos ? url : url.substr(slash + 1));
}

std::string_view withoutVersion(std::string_view url) { return url.substr(0, url.find('|')); }

std::uint32_t parseCount(std::string_view text, std::string_view where) {
  std::uint32_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) {
    fail(where, "cardinality is not a number");
  }
  return value;
}

std::string_view typeExtension(const rapidjson::Value& type, std::string_view url,
                               const char* value_member) {
  if (const auto* extensions = arrayMember(type, "extension")) {
    for (const auto& extension : extensions->GetArray()) {
      if (extension.IsObject() && stringMember(extension, "url") == url) {
        return stringMember(extension, value_member);
      }
    }
  }
  return {};
}

// The FHIR type an element declared with a FHIRPath system type stands for.
std::string systemTypeReplacement(const StructureDefinition& structure,
                                  const ElementDefinition& element, std::string_view base_path,
                                  const rapidjson::Value& type) {
  std::string_view code = stringMember(type, "code");
  if (structure.kind == StructureKind::PrimitiveType && element.path == structure.name + ".value") {
    return structure.name;  // the extension says "string" for code, id, positiveInt, ...
  }
  if (base_path == "Resource.id") {
    return "id";  // R4 text: Resource.id is an id (64 characters, [A-Za-z0-9\-\.])
  }
  if (auto fhir_type = typeExtension(type, kFhirTypeExtension, "valueUrl"); !fhir_type.empty()) {
    return std::string(fhir_type);
  }
  static const std::unordered_map<std::string_view, std::string> kByName = {
      {"String", "string"},   {"Boolean", "boolean"}, {"Integer", "integer"},
      {"Decimal", "decimal"}, {"Date", "date"},       {"DateTime", "dateTime"},
      {"Time", "time"},
  };
  auto found = kByName.find(code.substr(kSystemTypePrefix.size()));
  if (found == kByName.end()) {
    fail(element.path, "unknown FHIRPath system type");
  }
  return found->second;
}

BindingStrength bindingStrength(std::string_view text, std::string_view where) {
  if (text == "required") {
    return BindingStrength::Required;
  }
  if (text == "extensible") {
    return BindingStrength::Extensible;
  }
  if (text == "preferred") {
    return BindingStrength::Preferred;
  }
  if (text == "example") {
    return BindingStrength::Example;
  }
  fail(where, "unknown binding strength");
}

void readTypes(const rapidjson::Value& json, const StructureDefinition& structure,
               ElementDefinition& element) {
  const auto* types = arrayMember(json, "type");
  if (types == nullptr) {
    return;
  }
  std::string_view base_path;
  if (const auto* base = objectMember(json, "base")) {
    base_path = stringMember(*base, "path");
  }
  for (const auto& type_json : types->GetArray()) {
    TypeRef type;
    std::string_view code = stringMember(type_json, "code");
    if (code.empty()) {
      fail(element.path, "type without code");
    }
    if (code.starts_with(kSystemTypePrefix)) {
      type.code = systemTypeReplacement(structure, element, base_path, type_json);
      element.system_type = true;
    } else {
      type.code = std::string(code);
    }
    if (const auto* targets = arrayMember(type_json, "targetProfile")) {
      for (const auto& target : targets->GetArray()) {
        if (target.IsString()) {
          type.target_types.push_back(lastSegment(target.GetString()));
        }
      }
    }
    if (const auto* profiles = arrayMember(type_json, "profile")) {
      for (const auto& profile : profiles->GetArray()) {
        if (profile.IsString()) {
          type.profiles.push_back(lastSegment(profile.GetString()));
        }
      }
    }
    element.types.push_back(std::move(type));
  }
}

ElementDefinition readElement(const rapidjson::Value& json, const StructureDefinition& structure,
                              std::set<std::string>& required_value_sets) {
  ElementDefinition element;
  element.path = std::string(stringMember(json, "path"));
  if (element.path.empty()) {
    fail(structure.name, "element without path");
  }
  std::string_view last = element.path;
  last = last.substr(last.rfind('.') == std::string_view::npos ? 0 : last.rfind('.') + 1);
  element.choice = last.ends_with("[x]");
  element.name = std::string(element.choice ? last.substr(0, last.size() - 3) : last);

  auto min = json.FindMember("min");
  if (min == json.MemberEnd() || !min->value.IsUint()) {
    fail(element.path, "min missing");
  }
  element.min = min->value.GetUint();
  std::string_view max = stringMember(json, "max");
  if (max.empty()) {
    fail(element.path, "max missing");
  }
  element.max = max == "*" ? engine::fhir::kUnbounded : parseCount(max, element.path);

  readTypes(json, structure, element);
  element.content_reference = std::string(stringMember(json, "contentReference"));
  element.is_modifier = boolMember(json, "isModifier", false);

  if (const auto* binding = objectMember(json, "binding")) {
    element.binding = bindingStrength(stringMember(*binding, "strength"), element.path);
    element.value_set = std::string(withoutVersion(stringMember(*binding, "valueSet")));
    if (element.binding == BindingStrength::Required && !element.value_set.empty()) {
      required_value_sets.insert(element.value_set);
    }
  }
  return element;
}

// The facts a primitive type's value element gives about its lexical form.
void readPrimitiveFacts(const rapidjson::Value& json, StructureDefinition& structure) {
  if (const auto* types = arrayMember(json, "type"); types != nullptr && !types->Empty()) {
    structure.regex = std::string(typeExtension((*types)[0], kRegexExtension, "valueString"));
  }
  if (auto found = json.FindMember("maxLength"); found != json.MemberEnd()) {
    if (!found->value.IsUint()) {
      fail(structure.name, "maxLength is not a count");
    }
    structure.max_length = found->value.GetUint();
  }
  if (auto found = json.FindMember("minValueInteger"); found != json.MemberEnd()) {
    structure.min_value = found->value.GetInt64();
  }
  if (auto found = json.FindMember("maxValueInteger"); found != json.MemberEnd()) {
    structure.max_value = found->value.GetInt64();
  }
}

void linkChildren(StructureDefinition& structure) {
  std::unordered_map<std::string_view, std::uint32_t> by_path;
  for (std::uint32_t i = 0; i < structure.elements.size(); ++i) {
    const auto& path = structure.elements[i].path;
    if (!by_path.emplace(path, i).second) {
      fail(path, "element listed twice");
    }
    if (i == 0) {
      continue;
    }
    auto dot = path.rfind('.');
    auto parent = dot == std::string::npos ? by_path.end()
                                           : by_path.find(std::string_view(path).substr(0, dot));
    if (parent == by_path.end()) {
      fail(path, "no parent element before it");
    }
    structure.elements[parent->second].children.push_back(i);
  }

  // A content reference stands for the referenced element: same types (BackboneElement).
  for (auto& element : structure.elements) {
    if (element.content_reference.empty()) {
      continue;
    }
    std::string_view target = element.content_reference;
    target = target.substr(target.find('#') + 1);
    auto found = by_path.find(target);
    if (found == by_path.end()) {
      fail(element.path, "content reference to an unknown element");
    }
    if (element.types.empty()) {
      element.types = structure.elements[found->second].types;
    }
  }
}

StructureKind structureKind(std::string_view kind) {
  if (kind == "primitive-type") {
    return StructureKind::PrimitiveType;
  }
  if (kind == "complex-type") {
    return StructureKind::ComplexType;
  }
  return StructureKind::Resource;
}

}  // namespace

void addStructures(const std::vector<const rapidjson::Value*>& resources, StructureSet& out) {
  for (const auto* json : resources) {
    if (stringMember(*json, "resourceType") != "StructureDefinition") {
      continue;
    }
    std::string_view kind = stringMember(*json, "kind");
    if (kind != "primitive-type" && kind != "complex-type" && kind != "resource") {
      continue;  // logical models (MetadataResource) describe no JSON
    }
    if (stringMember(*json, "derivation") == "constraint") {
      continue;  // profiles such as SimpleQuantity: named in TypeRef::profiles instead
    }

    StructureDefinition structure;
    structure.name = std::string(stringMember(*json, "type"));
    structure.kind = structureKind(kind);
    structure.is_abstract = boolMember(*json, "abstract", false);
    std::string_view base = stringMember(*json, "baseDefinition");
    structure.base = base.empty() ? std::string() : lastSegment(base);
    if (structure.name.empty()) {
      fail(stringMember(*json, "url"), "StructureDefinition without type");
    }

    // The package adds a few definitions of later FHIR versions (SubscriptionStatus from
    // R4B); an R4 server does not know them, so neither does Ferry.
    if (std::string_view version = stringMember(*json, "fhirVersion"); version != kFhirVersion) {
      out.skipped.push_back(structure.name + " (fhirVersion " + std::string(version) + ")");
      continue;
    }
    out.fhir_version = std::string(kFhirVersion);

    const auto* snapshot = objectMember(*json, "snapshot");
    const auto* elements = snapshot ? arrayMember(*snapshot, "element") : nullptr;
    if (elements == nullptr || elements->Empty()) {
      fail(structure.name, "no snapshot");
    }
    for (const auto& element_json : elements->GetArray()) {
      structure.elements.push_back(readElement(element_json, structure, out.required_value_sets));
      if (structure.kind == StructureKind::PrimitiveType &&
          structure.elements.back().path == structure.name + ".value") {
        readPrimitiveFacts(element_json, structure);
      }
    }
    if (structure.elements.front().path != structure.name) {
      fail(structure.name, "snapshot does not start with the root element");
    }
    linkChildren(structure);
    out.structures.push_back(std::move(structure));
  }
}

namespace {

std::unordered_set<std::string_view> childNames(const StructureDefinition& structure,
                                                const ElementDefinition& element) {
  std::unordered_set<std::string_view> names;
  for (auto child : element.children) {
    names.insert(structure.elements[child].name);
  }
  return names;
}

}  // namespace

void checkStructures(const StructureSet& set) {
  std::unordered_map<std::string_view, const StructureDefinition*> by_name;
  for (const auto& structure : set.structures) {
    if (!by_name.emplace(structure.name, &structure).second) {
      fail(structure.name, "defined twice");
    }
  }

  for (const auto& structure : set.structures) {
    auto own = childNames(structure, structure.elements.front());
    if (!structure.base.empty()) {
      auto base = by_name.find(structure.base);
      if (base == by_name.end()) {
        fail(structure.name, "base definition " + structure.base + " is not among the types");
      }
      for (auto name : childNames(*base->second, base->second->elements.front())) {
        if (!own.contains(name)) {
          fail(structure.name, "snapshot lacks inherited element " + std::string(name));
        }
      }
    }

    for (const auto& element : structure.elements) {
      if (element.types.size() != 1 || !element.content_reference.empty()) {
        continue;
      }
      const std::string& code = element.types.front().code;
      if (code != "BackboneElement" && code != "Element") {
        continue;
      }
      auto names = childNames(structure, element);
      bool backbone = code == "BackboneElement";
      if (!names.contains("id") || !names.contains("extension") ||
          (backbone && !names.contains("modifierExtension"))) {
        fail(element.path, "snapshot lacks the inherited id/extension elements");
      }
    }
  }
}

}  // namespace ferry::defgen
