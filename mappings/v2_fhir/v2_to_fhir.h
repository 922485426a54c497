#pragma once

// HL7 v2 -> FHIR R4 mapping driven by the mapping files (mappings/README.md). One parsed
// message becomes one Bundle: a transaction (default; every entry has fullUrl urn:uuid:<id>
// and request PUT Type/id, ids stable across messages) or a collection. The coverage report
// lists, by path and never by value, every part of the input that no mapping used.
//
// Thread-safety: a V2ToFhirMapper is immutable; map() may run on many threads at once.

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "engine/fhir/json_value.h"
#include "engine/hl7/message.h"
#include "engine/status.h"
#include "mappings/v2_fhir/mapping_set.h"
#include "mappings/v2_fhir/time_zone.h"

namespace ferry::mappings::v2fhir {

enum class BundleType { Transaction, Collection };

struct MapOptions {
  BundleType bundle_type = BundleType::Transaction;
  // Zone of time stamps that have a time but no offset (hl7_time.h).
  TimeZone zone = TimeZone::utc();
};

struct CoverageReport {
  // Parts present in the input that no rule read: "PID-11[2].4", "OBX-8", "ZPI-1" (a segment
  // no entry maps is listed field by field). In message order, each path once.
  std::vector<std::string> unmapped;
  // Parts a rule read but could not turn into valid FHIR (a code missing from the
  // vocabulary, a stamp that is not a date): "PID-8", "OBX-14".
  std::vector<std::string> unconverted;
  // Resources left out and why, by segment and element ("EVN: Provenance left out: recorded
  // missing").
  std::vector<std::string> notes;
};

struct MapOutput {
  engine::fhir::JsonValue bundle;
  CoverageReport coverage;
  std::string message_map;  // the message map used ("ADT_A01")
  std::size_t entries = 0;
};

class V2ToFhirMapper {
 public:
  explicit V2ToFhirMapper(std::shared_ptr<const MappingSet> mappings);

  // The mapper over the built-in mapping files, loaded once per process (and per override
  // directory) and shared.
  static engine::Result<std::shared_ptr<const V2ToFhirMapper>> shared(
      const std::string& override_dir = "");

  // Unsupported when no message map covers MSH-9; Internal when ids cannot be made.
  engine::Result<MapOutput> map(const engine::hl7::Message& message,
                                const MapOptions& options = {}) const;

  const MappingSet& mappings() const { return *mappings_; }

 private:
  std::shared_ptr<const MappingSet> mappings_;
};

}  // namespace ferry::mappings::v2fhir
