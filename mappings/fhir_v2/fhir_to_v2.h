#pragma once

// FHIR R4 -> HL7 v2.5.1, for the common return paths (issue #4):
//   Patient (+ Encounter, RelatedPerson, Provenance)  -> ADT^A08 or ADT^A04 (structure ADT_A01):
//                                                        MSH, EVN, PID, [PD1], NK1*, PV1, [PV2]
//   DiagnosticReport + Observations (+ Patient, Encounter, ServiceRequest)
//                                                     -> ORU^R01: MSH, {PID, [PV1],
//                                                        {ORC, OBR, NTE*, {OBX, NTE*}}}
// The input is one resource or a Bundle of any type (entries with fullUrl, references by
// urn:uuid:, "Type/id", absolute URL or "#contained"), such as the v2-to-fhir mapping writes.
// The element mappings are the reverse of the v2-to-fhir files (mappings/README.md); codes go
// back through the same vocabulary files (reverse_vocabulary.h).
//
// Output is deterministic: the same input gives the same bytes. MSH-7 is the Bundle's
// timestamp (else the resource's meta.lastUpdated; only when neither is present is the clock
// read). MSH-10 is derived from the input: "F" and 19 hex digits of a name-based UUID over the
// message type and the input written compactly, so a resend keeps its control id and a changed
// Bundle gets a new one.
//
// Thread-safety: a FhirToV2Mapper is immutable; map() may run on many threads at once.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/fhir/json_value.h"
#include "engine/status.h"
#include "mappings/fhir_v2/reverse_vocabulary.h"

namespace ferry::mappings::fhirv2 {

enum class MessageChoice {
  Auto,    // ORU^R01 when a DiagnosticReport is present; else ADT^A04 when the Encounter is
           // planned or arrived, else ADT^A08
  AdtA08,  // patient information update
  AdtA04,  // register a patient
  OruR01,  // observation results
};

struct FhirToV2Options {
  MessageChoice message = MessageChoice::Auto;
  // MSH-3 to MSH-6. A "^" separates HD components ("LAB^1.2.3^ISO").
  std::string sending_application = "FERRY";
  std::string sending_facility = "FERRY";
  std::string receiving_application = "FERRY";
  std::string receiving_facility = "FERRY";
  std::string processing_id = "P";  // MSH-11 (table 0103)
  // Read for MSH-7 only when the input carries no time stamp; the system clock when empty.
  std::function<std::chrono::system_clock::time_point()> clock;
};

struct V2MapOutput {
  std::string message;       // segments, each ended by CR
  std::string message_type;  // "ADT^A08"
  std::size_t segments = 0;
  std::vector<std::string> unmapped;     // input elements nothing used ("Patient.photo")
  std::vector<std::string> unconverted;  // read but not convertible ("Patient.gender")
  std::vector<std::string> notes;        // resources left out and why, by type
};

class FhirToV2Mapper {
 public:
  explicit FhirToV2Mapper(std::shared_ptr<const ReverseVocabularies> vocabularies);

  // The mapper over the built-in vocabulary files (and those under `override_dir`), loaded
  // once per process and directory and shared.
  static engine::Result<std::shared_ptr<const FhirToV2Mapper>> shared(
      const std::string& override_dir = "");

  // Maps one parsed FHIR resource or Bundle. InvalidMessage when the input lacks what the
  // message needs (no Patient for ADT, no DiagnosticReport for ORU^R01), Unsupported for a
  // resource type with no return path. Contexts name resource types and elements, never values.
  engine::Result<V2MapOutput> map(const engine::fhir::JsonValue& input,
                                  const FhirToV2Options& options = {}) const;

 private:
  std::shared_ptr<const ReverseVocabularies> vocabularies_;
};

}  // namespace ferry::mappings::fhirv2
