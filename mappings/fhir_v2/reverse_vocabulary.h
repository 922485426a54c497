#pragma once

// The vocabulary files of the v2-to-FHIR mapping (mappings/data/vocabulary, README "The
// mapping files") read backwards: a FHIR code (system and code) to the HL7 table code, and a
// code system URI to the HL7 table 0396 name for CWE.3.
//
// Several table codes may map to one FHIR code (AdministrativeSex A, N and O all give
// "other"); backwards the first one listed in the file wins, unless kPreferred in the .cpp
// names another (NameType "temp" is TEMP, not NAV). So a v2 value that went to FHIR through a
// many-to-one row comes back as that row's first code.
//
// Thread-safety: immutable after load(); share as std::shared_ptr<const ReverseVocabularies>.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "engine/status.h"

namespace ferry::mappings::fhirv2 {

struct TableCode {
  std::string code;     // the v2 table code
  std::string display;  // the table's text for it (may be empty)
};

class ReverseVocabularies {
 public:
  // Reads the built-in vocabulary files, with those under `override_dir`/vocabulary replacing
  // or adding to them (the "mapping_dir" of the v2-to-fhir mapping). ConfigError names the file
  // and the rule.
  static engine::Result<std::shared_ptr<const ReverseVocabularies>> load(
      const std::string& override_dir = "");

  // The table code for `code` in `system` through vocabulary `name` ("AdministrativeSex").
  // A code already in the vocabulary's source system (the v2 table) comes back as it is.
  std::optional<TableCode> toTable(std::string_view name, std::string_view system,
                                   std::string_view code) const;
  // The table code for a FHIR `code` element (no system: the vocabulary's target codes).
  std::optional<TableCode> codeToTable(std::string_view name, std::string_view code) const;
  // The v2 table URI of vocabulary `name` ("http://terminology.hl7.org/CodeSystem/v2-0001").
  std::string tableSystem(std::string_view name) const;
  // The HL7 table 0396 name of a code system URI for CWE.3 ("http://loinc.org" -> "LN",
  // "http://terminology.hl7.org/CodeSystem/v2-0203" -> "HL70203"); empty when none is known.
  std::string systemName(std::string_view uri) const;

 private:
  struct Table {
    std::string source_system;
    std::map<std::string, TableCode, std::less<>> by_fhir;  // "system|code"
    std::map<std::string, TableCode, std::less<>> by_code;  // "code", any target system
    std::map<std::string, std::string, std::less<>> v2_display;
  };

  std::map<std::string, Table, std::less<>> tables_;
  std::map<std::string, std::string, std::less<>> system_names_;
};

}  // namespace ferry::mappings::fhirv2
