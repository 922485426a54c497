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
#include <utility>
#include <vector>

#include "engine/fhir/json_value.h"
#include "engine/fhir/outcome.h"
#include "engine/status.h"

namespace ferry::engine::fhir {

struct JsonLimits {
  std::size_t max_bytes = 64u * 1024 * 1024;
  // Objects and arrays nested; FHIR resources rarely pass 15. Keep it modest: destroying,
  // comparing, writing and validating a tree recurse once per level.
  std::size_t max_depth = 64;
  std::size_t max_nodes = 4'000'000;  // values of any kind, containers included
  // Non-fatal issues recorded before the rest are summed up in one final issue, so that a
  // document of a million empty strings cannot make a million issues.
  std::size_t max_issues = 1000;
};

struct ParsedJson {
  JsonValue root;
  std::vector<Issue> issues;  // warnings, and errors that still let a tree be built
};

// Parses `bytes`. Returns a tree and its issues; a tree is returned even when issues hold
// errors that do not stop parsing (duplicates, empties, nulls), so that validation can report
// everything in one pass. Returns ParseError (context: line and column and rule) when no tree
// can be built (syntax, UTF-8, limits); then `issues`, when given, receives that error too.
//
// Details callers rely on:
//   - Offsets in the tree count from the first byte of `bytes` (a skipped BOM included), so
//     lineAndColumn(bytes, value.offset()) locates any value.
//   - Issues come in document order. Errors have code "structure" and an expression rooted at
//     the resourceType of the root object ("Patient.name[0].given[1]"), or "$" when there is
//     none; a member name that does not look like an element name is shown as "?".
//   - Of a repeated member name the first occurrence is kept and later ones are dropped from
//     the tree (each reported at its name).
//   - Null members, empty strings, objects and arrays stay in the tree as written.
//   - The fatal issue has severity fatal, code "structure" (syntax, encoding) or "too-costly"
//     (limits), and the expression of the member or container where reading stopped.
//   - Numbers are kept as written, but RapidJSON 1.1 still refuses literals beyond the range
//     of a double (1E400, integers of more than about 308 digits) as a syntax error.
Result<ParsedJson> parseFhirJson(std::string_view bytes, const JsonLimits& limits = {},
                                 std::vector<Issue>* fatal_issues = nullptr);

// 1-based line and column of `offset` in `bytes` (columns count bytes). A line ends at LF,
// CRLF or a lone CR. An offset past the end is taken as the end. Scans from the start: for
// many lookups in one text use LineIndex.
std::pair<int, int> lineAndColumn(std::string_view bytes, std::size_t offset);

// The same answers as lineAndColumn for many offsets in one text: one pass to index where
// lines start, then a binary search per lookup. Keeps no reference to `bytes`.
class LineIndex {
 public:
  explicit LineIndex(std::string_view bytes);

  std::pair<int, int> locate(std::size_t offset) const;

 private:
  std::vector<std::size_t> starts_;
  std::size_t size_;
};

}  // namespace ferry::engine::fhir
