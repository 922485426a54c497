#pragma once

// Whether a JsonValue tree built by code comes back unchanged, and without a single issue, when
// parseFhirJson() reads its writeJson() text. Code that writes a tree and must then check the
// text (the v2 mapping validates every Bundle it sends) can then check the tree it has instead
// of parsing the text again: see Validator::validateWritten().

#include <cstddef>

#include "engine/fhir/json_parser.h"
#include "engine/fhir/json_value.h"

namespace ferry::engine::fhir {

// True when parseFhirJson(writeJson(tree), limits) succeeds with no issue at all and gives a
// tree equal to `tree`. `written_size` is the size of that text (held to limits.max_bytes).
// Conservative: false means only that the text must be parsed to know. It is false for
// anything the parser refuses or reports (a null member, an empty or all-whitespace string, an
// empty object or array, a repeated member name, invalid UTF-8, nesting or size beyond
// `limits`) and also for number literals other than the plain decimals the writers here make
// (exponents, or integer parts too long for RapidJSON's range check to be certain to pass).
bool readsBackUnchanged(const JsonValue& tree, std::size_t written_size,
                        const JsonLimits& limits = {});

}  // namespace ferry::engine::fhir
