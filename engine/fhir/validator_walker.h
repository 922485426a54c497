#pragma once

// One validation pass over a JSON tree: walks every member of every object against the compiled
// model (validator_model.h), checks shapes, cardinality, primitive formats and bindings
// (validator_walker.cpp), and applies the hand-coded rules of references, contained resources,
// extensions and periods (validator_rules.cpp) and Bundles (validator_bundle.cpp).
//
// FHIRPath invariants in general are NOT evaluated: there is no FHIRPath engine here. The few
// invariants that matter most for exchanged data are coded by hand: ele-1 (an element has a
// value or children), ext-1, per-1, ref-1, sqty-1, mqty-1, dom-2, dom-3, dom-4, dom-5, bdl-1
// to bdl-5 and bdl-7 to bdl-12, txt-1 and txt-2 (basic).
//
// Paths are kept as a stack of parts and joined into a FHIRPath expression only when an issue
// is reported, so that valid input costs no string building.
//
// Thread-safety: a Walker is used by one thread for one document.

#include <bitset>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/fhir/json_parser.h"
#include "engine/fhir/json_value.h"
#include "engine/fhir/outcome.h"
#include "engine/fhir/validator_model.h"

namespace ferry::engine::fhir::validation {

class Walker {
 public:
  // `source` is the parsed text (for line and column; may be empty). `json_checked` says the
  // parser already refused empty values and nulls, so the walker does not report them again.
  Walker(const Model& model, std::string_view source, bool json_checked,
         std::vector<Issue>& issues);

  // Validates a document root: a resource, of `expected_type` when that is not empty.
  void validateRoot(const JsonValue& root, std::string_view expected_type);

 private:
  struct PathPart {
    std::string_view name;
    std::int32_t index = -1;   // array position, -1 when not repeating
    std::string_view of_type;  // choice type: name.ofType(of_type)
  };

  // Pushes a path part for its lifetime.
  class PathGuard {
   public:
    PathGuard(std::vector<PathPart>& path, std::string_view name, std::string_view of_type = {})
        : path_(path) {
      path_.push_back({name, -1, of_type});
    }
    ~PathGuard() { path_.pop_back(); }
    PathGuard(const PathGuard&) = delete;
    PathGuard& operator=(const PathGuard&) = delete;

   private:
    std::vector<PathPart>& path_;
  };

  // What the rules for one resource and its contained resources collect (dom-3, ref-1).
  struct Scope {
    const JsonValue* resource = nullptr;
    std::vector<const JsonValue*> contained;  // the contained resources, in order
    std::vector<std::string_view> contained_ids;
    std::vector<char> refers_to_container;    // per contained resource: has a "#" reference
    std::vector<std::string_view> fragments;  // every "#id" referenced (without '#')
    int current = -1;                         // contained resource being walked, or -1
  };

  enum class ResourceRole { Independent, Contained };

  // --- validator_walker.cpp: structure ---
  void validateResource(const JsonValue& resource, ResourceRole role, std::int32_t index);
  void walkObject(const JsonValue& object, const Node& node, bool resource_root);
  void walkMember(const JsonValue& parent, const Slot& slot, const JsonValue& value);
  void walkItem(const JsonValue& parent, const Slot& slot, const JsonValue& value,
                std::int32_t index);
  void walkSibling(const JsonValue& parent, const Slot& slot, const JsonValue& value);
  void walkElementObject(const JsonValue& value);
  void checkPrimitive(const Slot& slot, const JsonValue& value);
  void checkRequired(const JsonValue& object, const Node& node, const std::bitset<256>& present);
  void unknownMember(std::string_view key, const JsonValue& value, bool resource_root);
  bool checkObjectShape(const JsonValue& value);

  // --- validator_rules.cpp: hand-coded rules ---
  void afterComplex(const Slot& slot, const JsonValue& value);
  void checkReference(const JsonValue& reference, const TypeRef* type);
  void checkTargetType(std::string_view target_type, const TypeRef* type, const JsonValue& at);
  void checkCodeBinding(const ValueSetCodes& codes, std::string_view code, const JsonValue& at);
  void checkCodingBinding(const ValueSetCodes& codes, const JsonValue& coding);
  void checkConceptBinding(const ValueSetCodes& codes, const JsonValue& codeable_concept);
  void reportBindingMiss(const ValueSetCodes& codes, const JsonValue& at);
  void checkQuantityProfiles(const TypeRef& type, const JsonValue& quantity);
  void checkExtension(const JsonValue& extension);
  void checkPeriod(const JsonValue& period);
  void noteUriText(std::string_view text);
  void beginScope(const JsonValue& resource);
  void endScope();
  void checkContainedRules(const JsonValue& resource);
  // --- validator_bundle.cpp ---
  void checkBundle(const JsonValue& bundle);
  void checkBundleEntry(const JsonValue& entry, std::string_view bundle_type);

  // --- reporting ---
  void report(IssueSeverity severity, std::string_view code, std::string diagnostics,
              const JsonValue* at, std::string_view extra = {}, std::int32_t extra_index = -1);
  std::string expression(std::string_view extra, std::int32_t extra_index) const;

  const Model& model_;
  const Definitions& definitions_;
  std::string_view source_;
  // Built at the first issue that needs a line: one pass over the text, then a lookup per issue
  // (scanning from the start for each issue made many-issue documents quadratic).
  std::optional<LineIndex> lines_;
  bool json_checked_;
  std::vector<Issue>& issues_;
  // Beyond this many issues the rest are summed up in one: a hostile document with a hundred
  // thousand unknown members must not make a megabyte-size answer or hold a thread.
  static constexpr std::size_t kMaxIssues = 1000;
  std::size_t dropped_issues_ = 0;
  std::vector<PathPart> path_;
  std::vector<Scope> scopes_;  // scopes_[depth_ - 1] is the current one; reused across resources
  std::size_t depth_ = 0;
  int contained_depth_ = 0;
};

}  // namespace ferry::engine::fhir::validation
