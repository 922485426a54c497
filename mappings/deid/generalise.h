#pragma once

// The value rules of HIPAA Safe Harbor (45 CFR 164.514(b)(2)) that keep part of a value:
//   - dates: only the year is kept,
//   - ZIP codes: only the first three digits, and "000" for the three-digit areas of 20,000
//     people or fewer (the 17 prefixes of the 2000 census, listed in HHS guidance),
//   - ages over 89 and the birth years that reveal them fold into one "90 or older" group.
// And the date shift that de-identification can do instead of cutting dates (not Safe Harbor:
// shifted dates keep intervals, so they are not de-identified in the Safe Harbor sense).
//
// Thread-safety: pure functions.

#include <optional>
#include <string>
#include <string_view>

namespace ferry::mappings::deid {

// The year of an HL7 DT/DTM ("20240102030405.12+0100" -> "2024"); nullopt unless the text is
// four digits followed by nothing or more date/time characters (digits, '.', '+', '-').
std::optional<std::string_view> hl7Year(std::string_view value);

// The year of a FHIR date, dateTime or instant ("2024-01-02T03:04:05Z" -> "2024"); nullopt
// unless it starts with four digits followed by nothing or '-'.
std::optional<std::string_view> fhirYear(std::string_view value);

// True for the 17 three-digit ZIP prefixes Safe Harbor replaces with "000".
bool isRestrictedZipPrefix(std::string_view prefix);

// "12345", "12345-6789" or "123456789" -> "123" (or "000" for a restricted prefix); nullopt
// for anything else (then the postal code is removed: it is not a US ZIP code whose prefix
// the rule speaks about, and it names an area smaller than a state).
std::optional<std::string> generaliseZip(std::string_view postal_code);

// True when a person born in `birth_year` may be 90 or older in `current_year` (the year
// difference is at least 90, which also catches some 89-year-olds: the safe side).
bool birthYearRevealsAgeOver89(int birth_year, int current_year);

// An age given as a number and a unit, in years; nullopt for a unit that is not a time unit
// (UCUM "a", "mo", "wk", "d", "h", "min" and the usual words). An empty unit reads as years.
std::optional<double> ageInYears(double value, std::string_view unit);

// True when `text` holds something that reads as a calendar date of day precision in the years
// 1900 to 2100: eight digits YYYYMMDD starting a run of digits, YYYY-MM-DD, or MM/DD/YYYY. A
// safety net for fields that should hold codes or numbers but, in real feeds, sometimes carry
// timestamps (code system versions, misplaced values).
bool containsDate(std::string_view text);

// Parses a decimal number (HL7 NM, FHIR decimal); nullopt when it is not one.
std::optional<double> parseNumber(std::string_view text);

// Shifts an HL7 DT/DTM by `days`, keeping time, fraction and zone as they were. Returns
// nullopt when the value has less than day precision or is not a valid date (the caller then
// keeps only the year).
std::optional<std::string> shiftHl7Date(std::string_view value, int days);

// The same for FHIR date, dateTime and instant ("2024-01-02", "2024-01-02T03:04:05+01:00").
std::optional<std::string> shiftFhirDate(std::string_view value, int days);

}  // namespace ferry::mappings::deid
