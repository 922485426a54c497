#pragma once

// The checks a received HL7 v2 message must pass before the engine accepts (and ACKs) it, and
// the patient identifiers the store indexes as keyed hashes.
//
// The rule set is deliberately small: like other engines in the field, Ferry rejects only what a
// receiver cannot process (no message type to route by, a version that is not HL7 v2). Missing
// or malformed header fields that real feeds send anyway (an empty control id, no processing
// id, a timestamp in a local format) are warnings: the message is accepted and the ACK's ERR
// segments say what was wrong. Everything else is the business of routes and destinations.
//
// Rules, each reported as one AckErrorDetail with its location (HL7 table 0357 codes):
//   MSH-9.1 message code present                                    101, error
//   MSH-12.1 a v2 version ("2", "2.5", "2.5.1") when present         203, error
//   MSH-9.2 trigger event present, unless MSH-9.1 is ACK             101, warning
//   MSH-10 control id present                                        101, warning
//   MSH-11 processing id present                                     101, warning
//   MSH-12 version present                                           101, warning
//   MSH-7.1 a valid DTM when present (YYYY[MM[DD[HH[MM[SS[.S..]]]]]][+/-ZZZZ])  102, warning
//   MSH-15, MSH-16 one of AL, NE, ER, SU when present                103, warning
//   MSH-18 a character set Ferry can decode when present             103, warning
//
// Thread-safety: pure functions.

#include <string>
#include <string_view>
#include <vector>

#include "engine/hl7/ack_builder.h"
#include "engine/hl7/message.h"
#include "engine/status.h"

namespace ferry::engine::hl7 {

// Runs every rule and appends what it finds to `problems` (errors and warnings, in rule order).
// Returns ok when no problem has severity "E"; otherwise Unsupported when the version is the
// trouble and InvalidMessage for the rest, with a context that lists locations and rules only.
Status validateForIngest(const Message& message, std::vector<AckErrorDetail>& problems);

// True for an HL7 DTM value: YYYY[MM[DD[HH[MM[SS[.S[S[S[S]]]]]]]]][+/-ZZZZ], with calendar and
// clock ranges checked (February 29 only in leap years).
bool isValidDtm(std::string_view text);

struct PatientIdentifier {
  std::string id;                   // PID-3.1
  std::string assigning_authority;  // PID-3.4.1 (namespace id), else PID-3.4.2 (universal id)
  std::string identifier_type;      // PID-3.5 ("MR", "SS", ...)
  std::size_t segment = 0;          // which PID segment, 1-based occurrence
  std::size_t repetition = 0;       // which repetition of PID-3, 1-based
};

// Every PID-3 repetition with a non-empty id, across the first 32 PID segments (a bound against
// hostile input), in message order.
// Values are decoded UTF-8; a PID-3 whose text cannot be decoded (MSH-18 names a character set
// Ferry cannot read) contributes nothing.
std::vector<PatientIdentifier> readPatientIdentifiers(const Message& message);

// The same identifiers as keys for keyed hashing: id, U+001E, assigning authority. The key
// carries PHI: hash it, never log or store it in plaintext.
std::vector<std::string> patientIdentifiers(const Message& message);

}  // namespace ferry::engine::hl7
