#pragma once

// The "mapping" payload transform in the FHIR -> HL7 v2 direction. The "mapping" transform
// type (mappings/v2_fhir/mapping_transform.cpp) hands configs with "mapping": "fhir-to-v2" here:
//   {"type": "mapping", "mapping": "fhir-to-v2",
//    "message": "auto" | "ADT^A08" | "ADT^A04" | "ORU^R01",   (default "auto")
//    "sending_application": "FERRY", "sending_facility": "FERRY",       (MSH-3, MSH-4)
//    "receiving_application": "FERRY", "receiving_facility": "FERRY",   (MSH-5, MSH-6)
//    "processing_id": "P",                                              (MSH-11)
//    "mapping_dir": "/etc/ferry/mappings"}   (optional: vocabulary files replacing the built-in)
// The payload is FHIR JSON (a resource or a Bundle); the result one HL7 v2.5.1 message. Its
// actions name the message made, then every coverage finding by FHIR element path
// ("unmapped Patient.photo", "unconverted Patient.gender", "note ...").

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/config/config_node.h"
#include "engine/pipeline/transform.h"
#include "mappings/fhir_v2/fhir_to_v2.h"

namespace ferry::mappings::fhirv2 {

// The coverage findings as action lines, after "mapped <Type> -> ADT^A08 (N segments)".
std::vector<std::string> coverageActions(const std::string& input_type, const V2MapOutput& output);

// Parses FHIR JSON text and maps it (the transform and `ferry map` share it). Refuses JSON that
// breaks the FHIR JSON rules (duplicate members, empty values) with the parser's location.
engine::Result<V2MapOutput> mapFhirText(const FhirToV2Mapper& mapper, std::string_view bytes,
                                        const FhirToV2Options& options,
                                        std::string* input_type = nullptr);

// Builds the transform from its config node, reporting every problem into `errors`; nullptr
// when errors were added.
std::unique_ptr<engine::pipeline::PayloadTransform> makeFhirToV2Transform(
    const engine::config::ConfigNode& node, engine::config::ConfigErrors& errors);

}  // namespace ferry::mappings::fhirv2
