#pragma once

// Small lookups shared by the validator's rule files (validator_rules.cpp,
// validator_bundle.cpp). Views point into the JSON tree.

#include <algorithm>
#include <string_view>
#include <utility>

#include "engine/fhir/json_value.h"

namespace ferry::engine::fhir::validation {

inline bool startsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// The text of a string member, or empty when absent or not a string.
inline std::string_view stringMember(const JsonValue& object, std::string_view name) {
  if (!object.isObject()) {
    return {};
  }
  const JsonValue* value = object.find(name);
  return value != nullptr && value->isString() ? std::string_view(value->text())
                                               : std::string_view();
}

// An object member, or nullptr when absent or not an object.
inline const JsonValue* objectMember(const JsonValue& object, std::string_view name) {
  const JsonValue* value = object.isObject() ? object.find(name) : nullptr;
  return value != nullptr && value->isObject() ? value : nullptr;
}

// "http://server/fhir/Patient/123/_history/2" -> ("Patient", "123"); empty when the URL does
// not end in [type]/[id] (optionally with a version).
inline std::pair<std::string_view, std::string_view> restTypeAndId(std::string_view url) {
  std::size_t history = url.find("/_history/");
  if (history != std::string_view::npos) {
    url = url.substr(0, history);
  }
  std::size_t slash = url.rfind('/');
  if (slash == std::string_view::npos || slash == 0) {
    return {};
  }
  std::string_view id = url.substr(slash + 1);
  std::string_view head = url.substr(0, slash);
  std::size_t type_start = head.rfind('/');
  std::string_view type = type_start == std::string_view::npos ? head : head.substr(type_start + 1);
  return {type, id};
}

}  // namespace ferry::engine::fhir::validation
