#pragma once

// Format rules for the FHIR R4 primitive data types (https://hl7.org/fhir/R4/datatypes.html),
// written as hand-made scanners rather than regular expressions: they run once per value on the
// validation hot path, allocate nothing and name the rule that failed, never the value.
//
// Each check returns nullptr when the value is fine, or a static string naming the rule
// ("not a valid dateTime (a time needs a time zone)"), suitable for Issue::diagnostics.
//
// Thread-safety: pure functions.

#include <cstdint>
#include <optional>
#include <string_view>

namespace ferry::engine::fhir {

enum class PrimitiveKind : std::uint8_t {
  NotPrimitive,
  Boolean,
  Integer,
  UnsignedInt,
  PositiveInt,
  Decimal,
  String,
  Markdown,
  Code,
  Id,
  Uri,
  Url,
  Canonical,
  Oid,
  Uuid,
  Base64Binary,
  Instant,
  Date,
  DateTime,
  Time,
  Xhtml,
};

// The kind for a type code of an ElementDefinition ("dateTime", "positiveInt"); FHIRPath system
// types ("http://hl7.org/fhirpath/System.String") map to their FHIR equivalents. NotPrimitive
// for complex types and resources.
PrimitiveKind primitiveKindOf(std::string_view type_code);

// The FHIR type name of a kind ("dateTime"), for messages.
std::string_view primitiveKindName(PrimitiveKind kind);

// What JSON must carry a kind: numbers for integer, unsignedInt, positiveInt and decimal,
// true/false for boolean, strings for everything else.
enum class JsonKindNeeded : std::uint8_t { Number, Boolean, String };
JsonKindNeeded jsonKindFor(PrimitiveKind kind);

// The largest string or markdown FHIR allows (1 MB).
inline constexpr std::size_t kMaxStringBytes = 1024u * 1024u;

// Checks the text of a JSON string (decoded) or the literal of a JSON number against the format
// of `kind`. Strings and markdown are not checked here (see checkStringText).
const char* checkPrimitiveText(PrimitiveKind kind, std::string_view text);

// String and markdown: nullptr when fine. Otherwise `*is_error` tells an error (longer than
// 1 MB) from a warning (control characters other than tab, CR and LF, which the spec says
// SHOULD NOT occur).
const char* checkStringText(std::string_view text, bool* is_error);

// Single formats, exposed for the validator's own rules and for tests.
bool isValidId(std::string_view text);
bool isValidCode(std::string_view text);
bool isValidUri(std::string_view text);
bool isValidOid(std::string_view text);   // "urn:oid:1.2.3"
bool isValidUuid(std::string_view text);  // "urn:uuid:" + lower-case 8-4-4-4-12 hex
bool isValidBase64(std::string_view text);
// The R4 decimal grammar (that of a JSON number): -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
bool isValidDecimal(std::string_view text);
// An absolute URI: a scheme ("http:", "urn:") followed by something.
bool isAbsoluteUri(std::string_view text);

// A date, dateTime, instant or time broken into parts, for the few invariants that compare
// them (per-1). Fields below `precision` are zero.
struct DateTimeParts {
  enum Precision : std::uint8_t { Year = 1, Month, Day, Second };
  Precision precision = Year;
  int year = 0;
  int month = 0;
  int day = 0;
  int hour = 0;
  int minute = 0;
  int second = 0;
  std::string_view fraction;  // digits after the decimal point, without the point
  bool has_zone = false;
  int zone_minutes = 0;  // offset east of UTC
};

enum class DateForm : std::uint8_t { Date, DateTime, Instant };

// Parses `text` as `form`; nullopt when it is not valid (including impossible calendar dates
// and, for dateTime, a time without a zone).
std::optional<DateTimeParts> parseDateTime(std::string_view text, DateForm form);
bool isValidTime(std::string_view text);

// FHIRPath comparison of two date/dateTime values (the semantics of `start <= end`): true or
// false when the values can be ordered, nullopt when their precisions differ and the common
// part is equal (FHIRPath then returns empty).
std::optional<bool> lessOrEqual(const DateTimeParts& left, const DateTimeParts& right);

}  // namespace ferry::engine::fhir
