#pragma once

// Writing values into a FHIR JSON tree at a TargetPath ("name[0].given[]", "value[x]").

#include <string_view>

#include "engine/fhir/json_value.h"
#include "mappings/v2_fhir/mapping_set.h"

namespace ferry::mappings::v2fhir {

// Places `value` at `path` under `target`, creating objects and arrays on the way. A member
// that is already set keeps its value (the first rule wins), except that two objects merge
// member by member. `suffix` completes a value[x] step ("Quantity"). `with` (an object or
// null) supplies members of the element made by the path's last "[]" step, written first.
void placeValue(engine::fhir::JsonValue& target, const TargetPath& path, std::string_view suffix,
                const engine::fhir::JsonValue& with, engine::fhir::JsonValue&& value);

// True when every step of `path` exists (an "[]" step needs a non-empty array).
bool pathExists(const engine::fhir::JsonValue& target, const TargetPath& path);

// Null, an empty object or an empty array.
bool isEmptyValue(const engine::fhir::JsonValue& value);

// Removes empty members and elements, depth first (FHIR forbids empty objects and arrays).
void pruneEmpty(engine::fhir::JsonValue& value);

}  // namespace ferry::mappings::v2fhir
