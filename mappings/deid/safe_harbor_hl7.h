#pragma once

// What the Safe Harbor profile does with each field of each HL7 v2 segment it knows. The table
// is an allow-list: a field it does not name is removed, and a segment it does not list (Z
// segments, staff and contact segments, anything newer) is removed whole. That way a field
// this code has never heard of cannot carry an identifier through.
//
// Field numbers follow HL7 v2.5.1, with v2.6 to v2.8 additions where they are codes, dates or
// amounts. Rarely used fields are left out on purpose: feeds that put values in the wrong
// field (the public corpus has several) then lose them instead of leaking them. The rule letters in
// safe_harbor_hl7.cpp:
//   K keep            the field carries no identifier (set ids, codes from HL7 tables,
//                     amounts, the message header's routing fields); removed all the same
//                     when it holds something that reads as a date (containsDate())
//   C coded           CE/CWE/CNE and simple coded values: kept when a code is present; a
//                     repetition whose identifier (component 1, else 4) is empty or holds
//                     white space is free text and removed, as is one holding a date;
//                     components 7 on (code system versions, which are often dates,
//                     original text, v2.7 extras) are removed
//   D date            each date is cut to its year (or shifted, see deidentifier options)
//   B birth date      as D, and removed when the year reveals an age over 89
//   A address         XAD: state (4), country (6), address type (7) and representation (11)
//                     kept, ZIP (5) cut to three digits or 000, everything else removed
//   I patient id      CX list: replaced by one pseudonym when pseudonyms are on, else removed
//   T free text       removed unless the destination allows the field (allow_free_text)
//   V OBX-5           by OBX-2: numbers and codes kept, dates cut, text as T, attachments
//                     (ED, RP: photos, scans, biometrics) and person/address/telecom/id
//                     types removed; an age over 89 becomes "90+"
//   Y OBX-2           kept; "ST" when OBX-5 was folded to "90+"
//   M control id      MSH-10, MSA-2: replaced by a code (keyed when the key file is loaded,
//                     else a hash of the whole message), since senders often build control
//                     ids from timestamps; the MLLP sender matches ACKs to what it sent
//
// Thread-safety: the table is built once, on first use, and never changed.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace ferry::mappings::deid {

enum class FieldRule : std::uint8_t {
  Remove,
  Keep,
  Coded,
  Date,
  BirthDate,
  Address,
  PatientId,
  FreeText,
  ObxValue,
  ObxValueType,
  ControlId,
};

struct SegmentRules {
  std::vector<FieldRule> fields;  // by HL7 field number; index 0 unused

  FieldRule rule(std::size_t field) const {
    return field < fields.size() ? fields[field] : FieldRule::Remove;
  }
};

// The rules of a segment, or nullptr when the profile removes that segment whole.
const SegmentRules* safeHarborRules(std::string_view segment_id);

}  // namespace ferry::mappings::deid
