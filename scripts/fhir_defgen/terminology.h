#pragma once

// Expanding the value sets that required bindings name, from the ValueSets and CodeSystems in
// the package, without a terminology server.

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <rapidjson/document.h>

#include "engine/fhir/definitions.h"

namespace ferry::defgen {

class Terminology {
 public:
  // Indexes the ValueSets and CodeSystems among `resources` by canonical URL. The first
  // definition of a URL wins; the resources must outlive this object.
  void addResources(const std::vector<const rapidjson::Value*>& resources);

  bool hasValueSet(std::string_view url) const;

  // The codes of value set `url` (without "|version"). complete is false when an include
  // cannot be expanded here: a code system that is not in the package (UCUM, BCP-13 mime
  // types, ISO 4217, SNOMED CT, LOINC...) or only partly there, a filter this expander does
  // not evaluate, an imported value set that is missing. `notes` gets one line per reason.
  // Throws std::runtime_error when `url` is unknown.
  engine::fhir::ValueSetCodes expand(const std::string& url, std::vector<std::string>& notes);

 private:
  // system -> codes
  using CodeMap = std::map<std::string, std::set<std::string>>;
  struct Expansion {
    CodeMap codes;
    bool complete = true;
  };

  // One code system with its hierarchy (nesting and the "child"/"parent"/"subsumedBy"
  // properties) and concept properties, for whole-system includes and filters.
  struct CodeSystem {
    std::vector<std::string> codes;  // definition order
    std::unordered_map<std::string, std::vector<std::string>> children;
    std::unordered_map<std::string, std::multimap<std::string, std::string>> properties;
    bool complete = true;  // content "complete"
    std::string content;
  };

  Expansion expandValueSet(const std::string& url, std::vector<std::string>& notes,
                           std::vector<std::string>& active);
  Expansion expandInclude(const std::string& value_set, const rapidjson::Value& include,
                          std::vector<std::string>& notes, std::vector<std::string>& active);
  Expansion expandSystemPart(const std::string& value_set, const std::string& system,
                             const rapidjson::Value& include, std::vector<std::string>& notes);
  const CodeSystem* codeSystem(const std::string& url);
  // Codes of `system` that pass one filter; false when the filter is not understood.
  bool applyFilter(const CodeSystem& system, const rapidjson::Value& filter,
                   std::set<std::string>& codes) const;
  void descendants(const CodeSystem& system, const std::string& code,
                   std::set<std::string>& out) const;

  std::unordered_map<std::string, const rapidjson::Value*> value_sets_;
  std::unordered_map<std::string, const rapidjson::Value*> code_system_json_;
  std::unordered_map<std::string, CodeSystem> code_systems_;
};

}  // namespace ferry::defgen
