#pragma once

// Reading FHIR JSON (RapidJSON's SAX reader underneath) into a JsonValue tree, refusing what
// the FHIR JSON format forbids, each with an issue that names the place:
//   - syntax errors and invalid UTF-8 (line and column),
//   - duplicate member names, null as a member's value, empty objects, empty arrays, empty
//     strings (null inside arrays is left to the validator: FHIR allows it only as a
//     placeholder pairing a primitive array with its "_name" extension array),
//   - nesting deeper than limits.max_depth, documents larger than limits.max_bytes, more than
//     limits.max_nodes values.
// A leading UTF-8 byte-order mark is skipped with a warning. The resourceType checks belong to
// the validator, which knows the definitions.

#include <cstddef>
#include <string_view>
#include <vector>

#include "engine/fhir/json_value.h"
#include "engine/fhir/outcome.h"
#include "engine/status.h"

namespace ferry::engine::fhir {

struct JsonLimits {
  std::size_t max_bytes = 64u * 1024 * 1024;
  std::size_t max_depth = 64;  // objects and arrays nested; FHIR resources rarely pass 15
  std::size_t max_nodes = 4'000'000;
};

struct ParsedJson {
  JsonValue root;
  std::vector<Issue> issues;  // warnings, and errors that still let a tree be built
};

// Parses `bytes`. Returns a tree and its issues; a tree is returned even when issues hold
// errors that do not stop parsing (duplicates, empties, nulls), so that validation can report
// everything in one pass. Returns ParseError (context: line and column and rule) when no tree
// can be built (syntax, UTF-8, limits); then `issues`, when given, receives that error too.
Result<ParsedJson> parseFhirJson(std::string_view bytes, const JsonLimits& limits = {},
                                 std::vector<Issue>* fatal_issues = nullptr);

// 1-based line and column of `offset` in `bytes` (columns count bytes).
std::pair<int, int> lineAndColumn(std::string_view bytes, std::size_t offset);

}  // namespace ferry::engine::fhir
