#pragma once

// FHIR datatypes to HL7 v2 datatypes, the reverse of mappings/data/datatypes (README "The
// mapping files"): Identifier -> CX/EI, HumanName -> XPN, Address -> XAD, ContactPoint -> XTN,
// CodeableConcept/Coding -> CWE or a table code, Practitioner -> XCN, Location -> PL,
// Organization -> XON/HD, date/dateTime/instant -> DTM, time -> TM.
//
// Every function marks the input elements it used in the context's Coverage and reports
// elements it read but could not convert (a code with no table code, a malformed date) by path
// in `unconverted`. Paths name elements ("Patient.gender"), never values.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/fhir/json_value.h"
#include "mappings/fhir_v2/resource_index.h"
#include "mappings/fhir_v2/reverse_vocabulary.h"
#include "mappings/fhir_v2/v2_writer.h"

namespace ferry::mappings::fhirv2 {

using engine::fhir::JsonValue;

// What one mapping call shares with every conversion. Not thread-safe: one per call.
struct WriteContext {
  const ResourceIndex& index;
  Coverage& coverage;
  const ReverseVocabularies& vocabularies;
  std::vector<std::string> unconverted;
  std::vector<std::string> notes;

  // Adds `path` to `unconverted` unless it is there already.
  void unconvertible(const std::string& path);
};

// The HL7 table of a coded field and the vocabulary file that turns FHIR codes into it.
struct CodeHint {
  std::string_view table;       // "0203"; empty for fields without an HL7 table
  std::string_view vocabulary;  // "IdentifierType"; empty when no vocabulary applies
};

// FHIR date, dateTime or instant to an HL7 DTM, keeping the precision given ("1980" stays
// "1980", seconds and fractions only when present, at most four fraction digits) and the
// offset ("Z" is "+0000"). std::nullopt when `fhir` is not such a value or not a real date.
std::optional<std::string> toDtm(std::string_view fhir);
// FHIR time "hh:mm:ss[.fff]" to TM "hhmmss[.ffff]".
std::optional<std::string> toTm(std::string_view fhir);

// A string (or number) member, marked as used; empty when absent.
std::string useText(WriteContext& context, const JsonValue* parent, std::string_view name);
// A date/dateTime/instant member as DTM, marked; reported as unconverted at `path` when it is
// not a date.
std::string useDtm(WriteContext& context, const JsonValue* parent, std::string_view name,
                   const std::string& path);
// A FHIR code member translated through `vocabulary` ("AdministrativeSex": female -> F).
std::string useCode(WriteContext& context, const JsonValue* parent, std::string_view name,
                    std::string_view vocabulary, const std::string& path);

// A CodeableConcept or a Coding as CWE: the coding in the field's table first, else one the
// vocabulary translates, else the first coding (CWE.3 from the system URI); a second coding as
// the alternate (CWE.4-6), text as CWE.9.
Composite cweOf(WriteContext& context, const JsonValue* concept_value, CodeHint hint,
                const std::string& path);
// The table code only (IS and ID fields): a coding in the field's table or one the vocabulary
// translates; otherwise empty and the element is reported as unconverted.
std::string tableCodeOf(WriteContext& context, const JsonValue* concept_value, CodeHint hint,
                        const std::string& path);

Composite cxOf(WriteContext& context, const JsonValue* identifier, const std::string& path);
Composite eiOf(WriteContext& context, const JsonValue* identifier, const std::string& path);
Composite xpnOf(WriteContext& context, const JsonValue* name, const std::string& path);
Composite xadOf(WriteContext& context, const JsonValue* address, const std::string& path);
Composite xtnOf(WriteContext& context, const JsonValue* contact_point, const std::string& path);

// Reference-valued elements: `reference` is the Reference element, `from` the resource
// holding it (for contained targets). A reference that does not resolve falls back to its
// identifier and display.
Composite xcnOf(WriteContext& context, const JsonValue* reference, const JsonValue* from,
                const std::string& path);
Composite plOf(WriteContext& context, const JsonValue* reference, const JsonValue* from,
               const std::string& path);
Composite xonOf(WriteContext& context, const JsonValue* reference, const JsonValue* from,
                const std::string& path);
Composite hdOfOrganization(WriteContext& context, const JsonValue* reference, const JsonValue* from,
                           const std::string& path);

// True when a ContactPoint is a work number (PID-14, NK1-6) rather than a personal one.
bool isWorkContact(const JsonValue* contact_point);

}  // namespace ferry::mappings::fhirv2
