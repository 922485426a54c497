#pragma once

// The segments of the FHIR -> HL7 v2 mapping, one builder per segment (internal to
// mappings/fhir_v2; fhir_to_v2.cpp assembles the messages). Each reads one resource, marks what
// it used in the context's Coverage and reports what it could not convert.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "mappings/fhir_v2/v2_datatypes.h"
#include "mappings/fhir_v2/v2_writer.h"

namespace ferry::mappings::fhirv2 {

// Marks `reference` (held by `from`) as used when it leads to `target`.
void useReferenceTo(WriteContext& context, const JsonValue* reference, const JsonValue* from,
                    const JsonValue* target);

// PID from a Patient. `set_id` is PID-1.
SegmentWriter buildPid(WriteContext& context, const JsonValue* patient, std::size_t set_id);
// PV1 from an Encounter (nullptr: PV1-2 "N", not applicable, as ADT_A01 requires a PV1).
SegmentWriter buildPv1(WriteContext& context, const JsonValue* encounter, const JsonValue* patient);
// PD1 from Patient.generalPractitioner (PD1-3 an Organization, PD1-4 practitioners);
// std::nullopt when there is none.
std::optional<SegmentWriter> buildPd1(WriteContext& context, const JsonValue* patient);
// PV2 from Encounter.reasonCode (PV2-3) and priority (PV2-25); std::nullopt when neither.
std::optional<SegmentWriter> buildPv2(WriteContext& context, const JsonValue* encounter);
// NK1 for each RelatedPerson of the patient, then each Patient.contact.
std::vector<SegmentWriter> buildNk1s(WriteContext& context, const JsonValue* patient);
// EVN-1 `trigger`; EVN-2 from the Provenance (nullptr allowed), else `recorded`.
SegmentWriter buildEvn(WriteContext& context, const std::string& trigger,
                       const JsonValue* provenance, const std::string& recorded);

// ORC, OBR, NTE (report conclusion, order notes), then OBX and its NTEs per result
// Observation. `set_id` is OBR-1.
void appendOrderGroup(WriteContext& context, const JsonValue* report, const JsonValue* patient,
                      const JsonValue* encounter, std::size_t set_id,
                      std::vector<SegmentWriter>& out);

}  // namespace ferry::mappings::fhirv2
