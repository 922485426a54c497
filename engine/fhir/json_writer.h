#pragma once

// Writing a JsonValue tree back out: members in their order, numbers as written, strings
// escaped as JSON requires (and nothing more: UTF-8 passes through). Parse then write of a
// compact document gives equal trees; `pretty` indents with two spaces.

#include <string>

#include "engine/fhir/json_value.h"

namespace ferry::engine::fhir {

std::string writeJson(const JsonValue& value, bool pretty = false);
void appendJson(const JsonValue& value, std::string& out, bool pretty = false);

}  // namespace ferry::engine::fhir
