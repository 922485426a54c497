#pragma once

// Helpers shared by the mappings suites: map synthetic HL7 text, find resources and read
// values in the resulting Bundle.

#include <string>
#include <string_view>
#include <vector>

#include "engine/fhir/json_value.h"
#include "mappings/v2_fhir/v2_to_fhir.h"

namespace ferry::testing {

// Joins segments with '\r' (the HL7 segment terminator).
std::string hl7(std::initializer_list<std::string_view> segments);

// Maps `text` with the built-in mappings; fails the test (BOOST_REQUIRE) when it does not map.
mappings::v2fhir::MapOutput mapOrFail(const std::string& text,
                                      const mappings::v2fhir::MapOptions& options = {});

// Every resource of `type` in the Bundle, in entry order.
std::vector<const engine::fhir::JsonValue*> resourcesOf(const engine::fhir::JsonValue& bundle,
                                                        std::string_view type);

// The value at a dotted path with numeric indexes ("name.0.given.1"); nullptr when absent.
const engine::fhir::JsonValue* at(const engine::fhir::JsonValue& value, std::string_view path);
// Its text ("" when absent), for strings and numbers.
std::string textAt(const engine::fhir::JsonValue& value, std::string_view path);

bool contains(const std::vector<std::string>& list, std::string_view item);

}  // namespace ferry::testing
