#pragma once

// What the FHIR -> HL7v2 tests share: mapping with a fixed clock, and reading the message made.

#include <string>
#include <vector>

#include "engine/hl7/message.h"
#include "mappings/fhir_v2/fhir_to_v2.h"

namespace ferry::mappings::fhirv2 {

// Options with the clock fixed at 2024-01-05T10:30:00Z, so that MSH-7 and EVN-2 are stable.
FhirToV2Options fixedOptions(MessageChoice choice = MessageChoice::Auto);

// Parses `json` (which must be valid FHIR JSON) and maps it.
engine::Result<V2MapOutput> mapText(const std::string& json, const FhirToV2Options& options);
V2MapOutput mapOrFail(const std::string& json, const FhirToV2Options& options = fixedOptions());

// The mapped message parsed; it must pass the ingest checks a Ferry listener applies, without
// even a warning.
engine::hl7::Message parseOrFail(const V2MapOutput& output);

// The value at an HL7 path ("PID-5.1"), empty when absent.
std::string at(const engine::hl7::Message& message, const std::string& path);
std::vector<std::string> segmentIds(const engine::hl7::Message& message);

}  // namespace ferry::mappings::fhirv2
