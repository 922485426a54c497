#pragma once

// HIPAA Safe Harbor de-identification of FHIR R4 JSON, driven by the type of every element (as
// the base specification defines it), so that an identifier is caught wherever its type puts
// it, not only where a list of paths expected it:
//   HumanName, ContactPoint, Signature, Narrative ("text": the narrative repeats the data in
//     prose), base64Binary, xhtml, oid, uuid             removed everywhere
//   Identifier      removed; Patient.identifier becomes one pseudonym identifier (system
//                   urn:ferry:pseudonym, type v2-0203 ANON) when pseudonyms are on
//   Attachment      removed (photos, scanned documents); where the base spec requires one
//                   (DocumentReference.content.attachment, Media.content) only its contentType
//                   and language stay
//   Address         use, type, state and country kept; postalCode cut to three digits or 000;
//                   text, line, city, district, and address extensions (street parts, geo
//                   coordinates) removed; period dates cut to the year
//   date, dateTime  cut to the year (birth dates revealing an age over 89 removed); with a
//                   date shift, moved by the patient's offset instead
//   instant         removed (an instant must be complete, so it cannot be cut); where required
//                   (AuditEvent.recorded) it becomes January 1st of its year, 00:00:00Z
//   Age, and Observation.valueQuantity of an age observation (LOINC 30525-0 and kin)
//                   over 89 years -> value 90 with comparator ">="
//   Annotation, string, markdown
//                   free text: removed unless the destination allows the element
//                   (allow_free_text); kept: Coding.display and version, CodeableConcept.text
//                   when the concept has a coding, Quantity units, Address.state and country,
//                   reference range text, questionnaire linkIds, Bundle response status/etag
//   Reference       reference rewritten to the new resource id; display and identifier go
//   Resource ids    replaced: keyed (stable across messages) with pseudonyms, else numbered
//                   within the message; Bundle fullUrls, references, request URLs and
//                   response locations follow. Element ids are removed.
//   Extensions      walked by the type of their value; mothersMaidenName, geolocation and
//                   name/address part extensions removed whole; an extension left without a
//                   value is removed
//   Bundle          link and entry.link removed (their URLs carry search parameters);
//                   request.url loses its query, ifNoneExist is removed; meta.source goes
// Unknown members (not elements of the base specification) are removed. A required element
// (min >= 1) that a rule removes is replaced by a placeholder ("redacted", a stub attachment)
// so the resource stays valid; a required element of a type without a placeholder makes
// apply() fail for that message.
//
// Thread-safety: immutable; apply() may run on several threads at once.

#include <memory>
#include <string>
#include <string_view>

#include "engine/fhir/definitions.h"
#include "engine/fhir/json_value.h"
#include "engine/status.h"
#include "mappings/deid/deid_options.h"
#include "mappings/deid/pseudonymizer.h"
#include "mappings/strip/action_list.h"

namespace ferry::mappings::deid {

inline constexpr std::string_view kPseudonymSystem = "urn:ferry:pseudonym";

class FhirDeidentifier {
 public:
  // `pseudonymizer` may be nullptr only when neither pseudonyms nor a date shift are on; it must
  // outlive this object.
  FhirDeidentifier(DeidOptions options, const Pseudonymizer* pseudonymizer,
                   std::shared_ptr<const engine::fhir::Definitions> definitions);

  // De-identifies `resource` (the root of a FHIR JSON document) in place. `current_year`
  // decides which birth years reveal an age over 89. Fails (InvalidMessage) for a root that is
  // not a resource, an unknown resource type, or a required element with no placeholder; the
  // context names types and elements, never values.
  engine::Status apply(engine::fhir::JsonValue& resource, int current_year,
                       strip::ActionList& actions) const;

 private:
  DeidOptions options_;
  const Pseudonymizer* pseudonymizer_;
  std::shared_ptr<const engine::fhir::Definitions> definitions_;
};

// Checks an allow_free_text entry for FHIR ("Observation.note", "Observation.value[x]",
// "Observation.valueString"): it must start with a resource type and name an element. Returns
// an empty string when fine, else the problem.
std::string checkFhirFreeTextPath(const engine::fhir::Definitions& definitions,
                                  std::string_view path);

}  // namespace ferry::mappings::deid
