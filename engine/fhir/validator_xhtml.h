#pragma once

// Basic checks of narrative XHTML (Narrative.div, FHIR R4 section 2.4 and invariants txt-1,
// txt-2): one <div> root in the XHTML namespace, well-formed tags, attributes and character
// references, only the elements the specification allows (no script, form, frame or object),
// no event attributes (onclick...) and no javascript: links, and some non-white-space content.
// A scanner, not a full XML parser: DTDs and processing instructions are simply refused.
//
// Thread-safety: pure function.

#include <string_view>

namespace ferry::engine::fhir {

// nullptr when `xhtml` passes; otherwise the rule it broke (never quoting the content).
const char* checkNarrativeXhtml(std::string_view xhtml);

}  // namespace ferry::engine::fhir
