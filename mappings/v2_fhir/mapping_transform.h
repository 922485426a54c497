#pragma once

// The "mapping" payload transform: HL7 v2 in, FHIR Bundle JSON out. Registered as transform
// type "mapping" with config
//   {"type": "mapping", "mapping": "v2-to-fhir",
//    "bundle_type": "transaction" | "collection",   (default "transaction")
//    "timezone": "America/New_York",                  (default "Z"; or "+05:00"; hl7_time.h)
//    "mapping_dir": "/etc/ferry/mappings"}            (optional: files replacing the built-in)
// Its actions list the message map and entry count, then every coverage finding by path
// ("unmapped PID-11[2].4", "unconverted PID-8", "note ...").

#include <memory>
#include <string>
#include <string_view>

#include "engine/pipeline/transform.h"
#include "mappings/v2_fhir/v2_to_fhir.h"

namespace ferry::mappings::v2fhir {

// The coverage findings as action lines (what `ferry map` prints and the audit records).
std::vector<std::string> coverageActions(const MapOutput& output);

// Parses and maps one HL7 v2 message (the transform and `ferry map` share it). Failures name
// segment, field or rule, never values.
engine::Result<MapOutput> mapHl7Text(const V2ToFhirMapper& mapper, std::string_view bytes,
                                     const MapOptions& options);

}  // namespace ferry::mappings::v2fhir
