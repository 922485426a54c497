#include "terminology.h"

#include <algorithm>
#include <sstream>
#include <stdexcept>

#include "json_file.h"

namespace ferry::defgen {

namespace {

std::string_view withoutVersion(std::string_view url) { return url.substr(0, url.find('|')); }

// A concept property's value as text ("true" for valueBoolean true).
std::string propertyValue(const rapidjson::Value& property) {
  for (const char* member : {"valueCode", "valueString", "valueCoding", "valueDateTime"}) {
    if (auto text = stringMember(property, member); !text.empty()) {
      return std::string(text);
    }
  }
  if (auto found = property.FindMember("valueBoolean");
      found != property.MemberEnd() && found->value.IsBool()) {
    return found->value.GetBool() ? "true" : "false";
  }
  if (auto found = property.FindMember("valueInteger");
      found != property.MemberEnd() && found->value.IsInt64()) {
    return std::to_string(found->value.GetInt64());
  }
  return {};
}

void intersect(std::map<std::string, std::set<std::string>>& into,
               const std::map<std::string, std::set<std::string>>& other) {
  for (auto it = into.begin(); it != into.end();) {
    auto match = other.find(it->first);
    if (match == other.end()) {
      it = into.erase(it);
      continue;
    }
    std::erase_if(it->second,
                  [&](const std::string& code) { return !match->second.contains(code); });
    it = it->second.empty() ? into.erase(it) : std::next(it);
  }
}

}  // namespace

void Terminology::addResources(const std::vector<const rapidjson::Value*>& resources) {
  for (const auto* resource : resources) {
    std::string_view type = stringMember(*resource, "resourceType");
    std::string url(stringMember(*resource, "url"));
    if (url.empty()) {
      continue;
    }
    if (type == "ValueSet") {
      value_sets_.emplace(url, resource);
    } else if (type == "CodeSystem") {
      code_system_json_.emplace(url, resource);
    }
  }
}

bool Terminology::hasValueSet(std::string_view url) const {
  return value_sets_.contains(std::string(withoutVersion(url)));
}

engine::fhir::ValueSetCodes Terminology::expand(const std::string& url,
                                                std::vector<std::string>& notes) {
  std::vector<std::string> active;
  Expansion expansion = expandValueSet(url, notes, active);

  engine::fhir::ValueSetCodes result;
  result.url = url;
  result.complete = expansion.complete;
  for (auto& [system, codes] : expansion.codes) {
    if (!codes.empty()) {
      result.codes_by_system[system].insert(codes.begin(), codes.end());
    }
  }
  return result;
}

Terminology::Expansion Terminology::expandValueSet(const std::string& url,
                                                   std::vector<std::string>& notes,
                                                   std::vector<std::string>& active) {
  Expansion result;
  auto found = value_sets_.find(url);
  if (found == value_sets_.end()) {
    if (active.empty()) {
      throw std::runtime_error("value set " + url + " is not in the package");
    }
    notes.push_back(active.front() + ": imported value set " + url + " is not in the package");
    result.complete = false;
    return result;
  }
  if (std::find(active.begin(), active.end(), url) != active.end()) {
    notes.push_back(active.front() + ": value set " + url + " imports itself");
    result.complete = false;
    return result;
  }

  active.push_back(url);
  const rapidjson::Value* compose = objectMember(*found->second, "compose");
  const rapidjson::Value* includes = compose ? arrayMember(*compose, "include") : nullptr;
  if (includes == nullptr) {
    notes.push_back(url + ": no compose.include");
    result.complete = false;
  } else {
    for (const auto& include : includes->GetArray()) {
      Expansion part = expandInclude(url, include, notes, active);
      result.complete = result.complete && part.complete;
      for (auto& [system, codes] : part.codes) {
        result.codes[system].insert(codes.begin(), codes.end());
      }
    }
  }

  // Exclusions are subtracted as far as they can be expanded; an exclusion that cannot be
  // expanded leaves its codes in (noted), as the set still holds no code it should not.
  if (const auto* excludes = compose ? arrayMember(*compose, "exclude") : nullptr) {
    for (const auto& exclude : excludes->GetArray()) {
      Expansion part = expandInclude(url, exclude, notes, active);
      if (!part.complete) {
        notes.push_back(url + ": an exclude could not be expanded; its codes stay listed");
      }
      for (const auto& [system, codes] : part.codes) {
        auto target = result.codes.find(system);
        if (target != result.codes.end()) {
          std::erase_if(target->second,
                        [&](const std::string& code) { return codes.contains(code); });
        }
      }
    }
  }
  active.pop_back();
  return result;
}

// One include (or exclude): the codes of its system part and of each imported value set,
// intersected, as ValueSet.compose.include defines.
Terminology::Expansion Terminology::expandInclude(const std::string& value_set,
                                                  const rapidjson::Value& include,
                                                  std::vector<std::string>& notes,
                                                  std::vector<std::string>& active) {
  std::vector<Expansion> parts;
  if (std::string system(stringMember(include, "system")); !system.empty()) {
    parts.push_back(expandSystemPart(value_set, system, include, notes));
  }
  if (const auto* imports = arrayMember(include, "valueSet")) {
    for (const auto& import : imports->GetArray()) {
      if (import.IsString()) {
        parts.push_back(
            expandValueSet(std::string(withoutVersion(import.GetString())), notes, active));
      }
    }
  }
  if (parts.empty()) {
    notes.push_back(value_set + ": an include with neither system nor valueSet");
    return Expansion{{}, false};
  }
  Expansion result = std::move(parts.front());
  for (std::size_t i = 1; i < parts.size(); ++i) {
    intersect(result.codes, parts[i].codes);
    result.complete = result.complete && parts[i].complete;
  }
  return result;
}

Terminology::Expansion Terminology::expandSystemPart(const std::string& value_set,
                                                     const std::string& system,
                                                     const rapidjson::Value& include,
                                                     std::vector<std::string>& notes) {
  Expansion result;
  auto& codes = result.codes[system];

  // An enumerated list is complete whatever the system, even one not in the package.
  if (const auto* concepts = arrayMember(include, "concept")) {
    for (const auto& concept_json : concepts->GetArray()) {
      if (auto code = stringMember(concept_json, "code"); !code.empty()) {
        codes.emplace(code);
      }
    }
    return result;
  }

  const CodeSystem* code_system = codeSystem(system);
  if (code_system == nullptr) {
    notes.push_back(value_set + ": code system " + system + " is not in the package");
    result.complete = false;
    return result;
  }
  if (!code_system->complete) {
    notes.push_back(value_set + ": code system " + system + " has content \"" +
                    code_system->content + "\" in the package");
    result.complete = false;
  }

  codes.insert(code_system->codes.begin(), code_system->codes.end());
  if (const auto* filters = arrayMember(include, "filter")) {
    for (const auto& filter : filters->GetArray()) {
      if (!applyFilter(*code_system, filter, codes)) {
        notes.push_back(value_set + ": filter " + std::string(stringMember(filter, "property")) +
                        " " + std::string(stringMember(filter, "op")) + " on " + system +
                        " is not evaluated here");
        codes.clear();
        result.complete = false;
        break;
      }
    }
  }
  return result;
}

const Terminology::CodeSystem* Terminology::codeSystem(const std::string& url) {
  if (auto cached = code_systems_.find(url); cached != code_systems_.end()) {
    return &cached->second;
  }
  auto found = code_system_json_.find(url);
  if (found == code_system_json_.end()) {
    return nullptr;
  }

  CodeSystem system;
  system.content = std::string(stringMember(*found->second, "content"));
  system.complete = system.content == "complete";
  std::vector<std::pair<std::string, std::string>> parent_links;  // (parent, child)

  // Walks nested concepts: nesting is the code system's primary hierarchy.
  auto walk = [&](auto& self, const rapidjson::Value& concepts, const std::string& parent) -> void {
    for (const auto& concept_json : concepts.GetArray()) {
      std::string code(stringMember(concept_json, "code"));
      if (code.empty()) {
        continue;
      }
      system.codes.push_back(code);
      if (!parent.empty()) {
        parent_links.emplace_back(parent, code);
      }
      if (const auto* properties = arrayMember(concept_json, "property")) {
        for (const auto& property : properties->GetArray()) {
          std::string name(stringMember(property, "code"));
          std::string value = propertyValue(property);
          if (name == "child") {
            parent_links.emplace_back(code, value);
          } else if (name == "parent" || name == "subsumedBy") {
            parent_links.emplace_back(value, code);
          }
          system.properties[code].emplace(std::move(name), std::move(value));
        }
      }
      if (const auto* nested = arrayMember(concept_json, "concept")) {
        self(self, *nested, code);
      }
    }
  };
  if (const auto* concepts = arrayMember(*found->second, "concept")) {
    walk(walk, *concepts, std::string());
  }
  for (auto& [parent, child] : parent_links) {
    auto& list = system.children[parent];
    if (std::find(list.begin(), list.end(), child) == list.end()) {
      list.push_back(child);
    }
  }
  return &code_systems_.emplace(url, std::move(system)).first->second;
}

void Terminology::descendants(const CodeSystem& system, const std::string& code,
                              std::set<std::string>& out) const {
  auto found = system.children.find(code);
  if (found == system.children.end()) {
    return;
  }
  for (const auto& child : found->second) {
    if (out.insert(child).second) {
      descendants(system, child, out);
    }
  }
}

bool Terminology::applyFilter(const CodeSystem& system, const rapidjson::Value& filter,
                              std::set<std::string>& codes) const {
  std::string property(stringMember(filter, "property"));
  std::string op(stringMember(filter, "op"));
  std::string value(stringMember(filter, "value"));

  std::set<std::string> selected;
  if (property == "concept" || property == "code") {
    if (op == "is-a" || op == "descendent-of" || op == "is-not-a") {
      descendants(system, value, selected);
      if (op != "descendent-of") {
        selected.insert(value);
      }
      if (op == "is-not-a") {
        std::set<std::string> rest;
        for (const auto& code : codes) {
          if (!selected.contains(code)) {
            rest.insert(code);
          }
        }
        selected = std::move(rest);
      }
    } else if (op == "=" || op == "in") {
      std::istringstream list(value);
      for (std::string code; std::getline(list, code, ',');) {
        selected.insert(code);
      }
    } else {
      return false;  // regex, generalizes, ... are not evaluated
    }
  } else if (property == "parent" && op == "=") {
    if (auto found = system.children.find(value); found != system.children.end()) {
      selected.insert(found->second.begin(), found->second.end());
    }
  } else if (op == "=" || op == "exists") {
    static const std::multimap<std::string, std::string> kNone;
    for (const auto& code : system.codes) {
      auto found = system.properties.find(code);
      const auto& properties = found == system.properties.end() ? kNone : found->second;
      auto [first, last] = properties.equal_range(property);
      bool has = first != last;
      bool matches =
          std::any_of(first, last, [&](const auto& entry) { return entry.second == value; });
      if ((op == "=" && matches) || (op == "exists" && has == (value != "false"))) {
        selected.insert(code);
      }
    }
  } else {
    return false;
  }

  std::erase_if(codes, [&](const std::string& code) { return !selected.contains(code); });
  return true;
}

}  // namespace ferry::defgen
