#pragma once

// Settings of one "deidentify" transform, read from its config node (deid_transform.cpp).

#include <cstddef>
#include <string>
#include <vector>

namespace ferry::mappings::deid {

// An HL7 v2 field whose free text a destination may receive ("OBX-5", "NTE-3").
struct AllowedHl7Field {
  std::string segment;
  std::size_t field = 0;
};

struct DeidOptions {
  // Replace the patient identifier (PID-3, Patient.identifier) with a keyed pseudonym instead
  // of removing it, and give FHIR resources keyed ids, so that records of one patient still
  // link across messages.
  bool pseudonyms = false;
  // 0: dates keep only their year (Safe Harbor). N > 0: dates move by a per-patient offset in
  // [-N, N] days (never 0) and keep their precision; not Safe Harbor.
  int date_shift_days = 0;
  // Free-text fields kept although Safe Harbor would remove them: the engineer states that the
  // field carries no identifier for this destination.
  std::vector<AllowedHl7Field> hl7_free_text;
  // FHIR elements ("Observation.note", "Observation.valueString") kept for the same reason.
  std::vector<std::string> fhir_free_text;
};

}  // namespace ferry::mappings::deid
