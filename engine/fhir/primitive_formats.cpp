#include "engine/fhir/primitive_formats.h"
#include "engine/time/civil_days.h"

#include <array>
#include <cstdint>
#include <utility>

namespace ferry::engine::fhir {

namespace {

// Character classes as one table lookup each: these run for every character of every id,
// uuid and uri in a document.
enum CharClass : std::uint8_t {
  kDigit = 1,
  kLowerHex = 2,
  kAlpha = 4,
  kIdChar = 8,  // A-Z a-z 0-9 - .
  kSpace = 16,  // XML Schema / Java regex \s: what FHIR's regexes treat as white space
};

constexpr std::array<std::uint8_t, 256> makeClasses() {
  std::array<std::uint8_t, 256> classes{};
  for (int c = '0'; c <= '9'; ++c) {
    classes[static_cast<std::size_t>(c)] = kDigit | kLowerHex | kIdChar;
  }
  for (int c = 'a'; c <= 'z'; ++c) {
    classes[static_cast<std::size_t>(c)] = kAlpha | kIdChar | (c <= 'f' ? kLowerHex : 0);
  }
  for (int c = 'A'; c <= 'Z'; ++c) {
    classes[static_cast<std::size_t>(c)] = kAlpha | kIdChar;
  }
  classes['-'] = kIdChar;
  classes['.'] = kIdChar;
  for (char c : {' ', '\t', '\n', '\r', '\f', '\v'}) {
    classes[static_cast<unsigned char>(c)] = kSpace;
  }
  return classes;
}

constexpr std::array<std::uint8_t, 256> kClasses = makeClasses();

bool is(char c, CharClass cls) { return (kClasses[static_cast<unsigned char>(c)] & cls) != 0; }
bool isDigit(char c) { return is(c, kDigit); }
bool isLowerHex(char c) { return is(c, kLowerHex); }
bool isAlpha(char c) { return is(c, kAlpha); }
bool isSpace(char c) { return is(c, kSpace); }

bool isLeapYear(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int daysInMonth(int year, int month) {
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && isLeapYear(year) ? 29 : kDays[static_cast<std::size_t>(month - 1)];
}

// Reads exactly `count` digits at `pos` into `*value`; advances `pos`.
bool readDigits(std::string_view text, std::size_t& pos, std::size_t count, int* value) {
  if (pos + count > text.size()) {
    return false;
  }
  int result = 0;
  for (std::size_t i = 0; i < count; ++i) {
    char c = text[pos + i];
    if (!isDigit(c)) {
      return false;
    }
    result = result * 10 + (c - '0');
  }
  pos += count;
  *value = result;
  return true;
}

bool expect(std::string_view text, std::size_t& pos, char c) {
  if (pos < text.size() && text[pos] == c) {
    ++pos;
    return true;
  }
  return false;
}

// hh:mm:ss(.f+)? with the ranges of the R4 regex (seconds may be 60 for a leap second).
bool readClock(std::string_view text, std::size_t& pos, DateTimeParts& parts) {
  if (!readDigits(text, pos, 2, &parts.hour) || parts.hour > 23 || !expect(text, pos, ':') ||
      !readDigits(text, pos, 2, &parts.minute) || parts.minute > 59 || !expect(text, pos, ':') ||
      !readDigits(text, pos, 2, &parts.second) || parts.second > 60) {
    return false;
  }
  if (expect(text, pos, '.')) {
    std::size_t start = pos;
    while (pos < text.size() && isDigit(text[pos])) {
      ++pos;
    }
    if (pos == start) {
      return false;
    }
    parts.fraction = text.substr(start, pos - start);
  }
  return true;
}

// Z or (+|-)hh:mm with hh up to 13, or exactly 14:00.
bool readZone(std::string_view text, std::size_t& pos, DateTimeParts& parts) {
  if (expect(text, pos, 'Z')) {
    parts.has_zone = true;
    return true;
  }
  if (pos >= text.size() || (text[pos] != '+' && text[pos] != '-')) {
    return false;
  }
  int sign = text[pos] == '-' ? -1 : 1;
  ++pos;
  int hours = 0;
  int minutes = 0;
  if (!readDigits(text, pos, 2, &hours) || !expect(text, pos, ':') ||
      !readDigits(text, pos, 2, &minutes) || minutes > 59) {
    return false;
  }
  if (hours > 14 || (hours == 14 && minutes != 0)) {
    return false;
  }
  parts.has_zone = true;
  parts.zone_minutes = sign * (hours * 60 + minutes);
  return true;
}

using engine::time::daysFromCivil;

std::int64_t utcSeconds(const DateTimeParts& parts) {
  std::int64_t days = daysFromCivil(parts.year, parts.month, parts.day);
  return days * 86400 + parts.hour * 3600 + parts.minute * 60 + parts.second -
         static_cast<std::int64_t>(parts.zone_minutes) * 60;
}

// Compares two fractions of a second written as digit strings ("5" equals "500").
int compareFractions(std::string_view left, std::string_view right) {
  std::size_t length = left.size() > right.size() ? left.size() : right.size();
  for (std::size_t i = 0; i < length; ++i) {
    char a = i < left.size() ? left[i] : '0';
    char b = i < right.size() ? right[i] : '0';
    if (a != b) {
      return a < b ? -1 : 1;
    }
  }
  return 0;
}

// Integer literal: -?(0|[1-9][0-9]*), range of a signed 32-bit integer, at least `minimum`.
const char* checkIntegerLiteral(std::string_view text, std::int64_t minimum, const char* rule) {
  std::size_t pos = 0;
  bool negative = expect(text, pos, '-');
  if (pos >= text.size() || !isDigit(text[pos]) || (text[pos] == '0' && pos + 1 < text.size())) {
    return rule;
  }
  std::int64_t value = 0;
  for (; pos < text.size(); ++pos) {
    if (!isDigit(text[pos])) {
      return rule;
    }
    value = value * 10 + (text[pos] - '0');
    if (value > 2147483648LL) {
      return rule;
    }
  }
  if (negative) {
    value = -value;
  }
  if (value > 2147483647LL || value < minimum) {
    return rule;
  }
  return nullptr;
}

}  // namespace

PrimitiveKind primitiveKindOf(std::string_view code) {
  static constexpr std::array<std::pair<std::string_view, PrimitiveKind>, 20> kKinds = {{
      {"boolean", PrimitiveKind::Boolean},
      {"integer", PrimitiveKind::Integer},
      {"unsignedInt", PrimitiveKind::UnsignedInt},
      {"positiveInt", PrimitiveKind::PositiveInt},
      {"decimal", PrimitiveKind::Decimal},
      {"string", PrimitiveKind::String},
      {"markdown", PrimitiveKind::Markdown},
      {"code", PrimitiveKind::Code},
      {"id", PrimitiveKind::Id},
      {"uri", PrimitiveKind::Uri},
      {"url", PrimitiveKind::Url},
      {"canonical", PrimitiveKind::Canonical},
      {"oid", PrimitiveKind::Oid},
      {"uuid", PrimitiveKind::Uuid},
      {"base64Binary", PrimitiveKind::Base64Binary},
      {"instant", PrimitiveKind::Instant},
      {"date", PrimitiveKind::Date},
      {"dateTime", PrimitiveKind::DateTime},
      {"time", PrimitiveKind::Time},
      {"xhtml", PrimitiveKind::Xhtml},
  }};
  for (const auto& [name, kind] : kKinds) {
    if (name == code) {
      return kind;
    }
  }
  // FHIRPath system types appear where the specification defines an element's value directly
  // (Element.id, Extension.url, the value of each primitive type).
  constexpr std::string_view kSystem = "http://hl7.org/fhirpath/System.";
  if (code.substr(0, kSystem.size()) == kSystem) {
    std::string_view system = code.substr(kSystem.size());
    if (system == "String") {
      return PrimitiveKind::String;
    }
    if (system == "Boolean") {
      return PrimitiveKind::Boolean;
    }
    if (system == "Integer") {
      return PrimitiveKind::Integer;
    }
    if (system == "Decimal") {
      return PrimitiveKind::Decimal;
    }
    if (system == "Date") {
      return PrimitiveKind::Date;
    }
    if (system == "DateTime") {
      return PrimitiveKind::DateTime;
    }
    if (system == "Time") {
      return PrimitiveKind::Time;
    }
    return PrimitiveKind::String;
  }
  return PrimitiveKind::NotPrimitive;
}

std::string_view primitiveKindName(PrimitiveKind kind) {
  switch (kind) {
    case PrimitiveKind::NotPrimitive:
      return "complex";
    case PrimitiveKind::Boolean:
      return "boolean";
    case PrimitiveKind::Integer:
      return "integer";
    case PrimitiveKind::UnsignedInt:
      return "unsignedInt";
    case PrimitiveKind::PositiveInt:
      return "positiveInt";
    case PrimitiveKind::Decimal:
      return "decimal";
    case PrimitiveKind::String:
      return "string";
    case PrimitiveKind::Markdown:
      return "markdown";
    case PrimitiveKind::Code:
      return "code";
    case PrimitiveKind::Id:
      return "id";
    case PrimitiveKind::Uri:
      return "uri";
    case PrimitiveKind::Url:
      return "url";
    case PrimitiveKind::Canonical:
      return "canonical";
    case PrimitiveKind::Oid:
      return "oid";
    case PrimitiveKind::Uuid:
      return "uuid";
    case PrimitiveKind::Base64Binary:
      return "base64Binary";
    case PrimitiveKind::Instant:
      return "instant";
    case PrimitiveKind::Date:
      return "date";
    case PrimitiveKind::DateTime:
      return "dateTime";
    case PrimitiveKind::Time:
      return "time";
    case PrimitiveKind::Xhtml:
      return "xhtml";
  }
  return "unknown";
}

JsonKindNeeded jsonKindFor(PrimitiveKind kind) {
  switch (kind) {
    case PrimitiveKind::Boolean:
      return JsonKindNeeded::Boolean;
    case PrimitiveKind::Integer:
    case PrimitiveKind::UnsignedInt:
    case PrimitiveKind::PositiveInt:
    case PrimitiveKind::Decimal:
      return JsonKindNeeded::Number;
    default:
      return JsonKindNeeded::String;
  }
}

bool isValidId(std::string_view text) {
  if (text.empty() || text.size() > 64) {
    return false;
  }
  for (char c : text) {
    if (!is(c, kIdChar)) {
      return false;
    }
  }
  return true;
}

// R4 regex [^\s]+(\s[^\s]+)*: no leading or trailing white space, single spaces between words.
bool isValidCode(std::string_view text) {
  if (text.empty() || isSpace(text.front()) || isSpace(text.back())) {
    return false;
  }
  for (std::size_t i = 1; i < text.size(); ++i) {
    if (isSpace(text[i]) && isSpace(text[i - 1])) {
      return false;
    }
  }
  return true;
}

// R4 regex \S*: any text without white space. urn:oid: and urn:uuid: URIs must also be valid
// OIDs and UUIDs, as the HL7 validator requires.
bool isValidUri(std::string_view text) {
  for (char c : text) {
    if (isSpace(c)) {
      return false;
    }
  }
  // A fragment ("urn:uuid:...#section") is not part of the OID or UUID.
  std::string_view name = text.substr(0, text.find('#'));
  if (name.substr(0, 8) == "urn:oid:") {
    return isValidOid(name);
  }
  if (name.substr(0, 9) == "urn:uuid:") {
    return isValidUuid(name);
  }
  return !text.empty();
}

// urn:oid:[0-2](\.(0|[1-9][0-9]*))+
bool isValidOid(std::string_view text) {
  constexpr std::string_view kPrefix = "urn:oid:";
  if (text.substr(0, kPrefix.size()) != kPrefix) {
    return false;
  }
  std::string_view rest = text.substr(kPrefix.size());
  if (rest.size() < 3 || rest[0] < '0' || rest[0] > '2' || rest[1] != '.') {
    return false;
  }
  std::size_t pos = 1;
  while (pos < rest.size()) {
    if (rest[pos] != '.' || pos + 1 >= rest.size() || !isDigit(rest[pos + 1])) {
      return false;
    }
    ++pos;
    std::size_t start = pos;
    while (pos < rest.size() && isDigit(rest[pos])) {
      ++pos;
    }
    if (rest[start] == '0' && pos - start > 1) {
      return false;
    }
  }
  return true;
}

// urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}
bool isValidUuid(std::string_view text) {
  constexpr std::string_view kPrefix = "urn:uuid:";
  if (text.size() != kPrefix.size() + 36 || text.substr(0, kPrefix.size()) != kPrefix) {
    return false;
  }
  std::string_view rest = text.substr(kPrefix.size());
  for (std::size_t i = 0; i < rest.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? rest[i] != '-' : !isLowerHex(rest[i])) {
      return false;
    }
  }
  return true;
}

// Base64 as RFC 4648 writes it, with white space allowed between characters (the R4 regex
// (\s*([0-9a-zA-Z\+/=]){4}\s*)+ lets it in): groups of four, '=' only as final padding.
bool isValidBase64(std::string_view text) {
  std::size_t count = 0;
  std::size_t padding = 0;
  for (char c : text) {
    if (isSpace(c)) {
      continue;
    }
    if (c == '=') {
      ++padding;
    } else if (padding > 0 || !(isAlpha(c) || isDigit(c) || c == '+' || c == '/')) {
      return false;
    }
    ++count;
  }
  return count > 0 && count % 4 == 0 && padding <= 2;
}

bool isValidDecimal(std::string_view text) {
  std::size_t pos = 0;
  expect(text, pos, '-');
  std::size_t start = pos;
  while (pos < text.size() && isDigit(text[pos])) {
    ++pos;
  }
  if (pos == start || (text[start] == '0' && pos - start > 1)) {
    return false;
  }
  if (expect(text, pos, '.')) {
    start = pos;
    while (pos < text.size() && isDigit(text[pos])) {
      ++pos;
    }
    if (pos == start) {
      return false;
    }
  }
  if (pos < text.size() && (text[pos] == 'e' || text[pos] == 'E')) {
    ++pos;
    if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
      ++pos;
    }
    start = pos;
    while (pos < text.size() && isDigit(text[pos])) {
      ++pos;
    }
    if (pos == start) {
      return false;
    }
  }
  return pos == text.size();
}

bool isAbsoluteUri(std::string_view text) {
  std::size_t colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 >= text.size() ||
      !isAlpha(text[0])) {
    return false;
  }
  for (std::size_t i = 1; i < colon; ++i) {
    char c = text[i];
    if (!isAlpha(c) && !isDigit(c) && c != '+' && c != '-' && c != '.') {
      return false;
    }
  }
  return isValidUri(text);
}

std::optional<DateTimeParts> parseDateTime(std::string_view text, DateForm form) {
  DateTimeParts parts;
  std::size_t pos = 0;
  // Year 0001-9999 (the R4 regex refuses 0000).
  if (!readDigits(text, pos, 4, &parts.year) || parts.year == 0) {
    return std::nullopt;
  }
  if (pos == text.size()) {
    return form == DateForm::Instant ? std::nullopt : std::optional(parts);
  }
  if (!expect(text, pos, '-') || !readDigits(text, pos, 2, &parts.month) || parts.month < 1 ||
      parts.month > 12) {
    return std::nullopt;
  }
  parts.precision = DateTimeParts::Month;
  if (pos == text.size()) {
    return form == DateForm::Instant ? std::nullopt : std::optional(parts);
  }
  if (!expect(text, pos, '-') || !readDigits(text, pos, 2, &parts.day) || parts.day < 1 ||
      parts.day > daysInMonth(parts.year, parts.month)) {
    return std::nullopt;
  }
  parts.precision = DateTimeParts::Day;
  if (pos == text.size()) {
    return form == DateForm::Instant ? std::nullopt : std::optional(parts);
  }
  if (form == DateForm::Date || !expect(text, pos, 'T') || !readClock(text, pos, parts) ||
      !readZone(text, pos, parts) || pos != text.size()) {
    return std::nullopt;
  }
  parts.precision = DateTimeParts::Second;
  return parts;
}

bool isValidTime(std::string_view text) {
  DateTimeParts parts;
  std::size_t pos = 0;
  return readClock(text, pos, parts) && pos == text.size();
}

std::optional<bool> lessOrEqual(const DateTimeParts& left, const DateTimeParts& right) {
  if (left.precision == DateTimeParts::Second && right.precision == DateTimeParts::Second) {
    std::int64_t a = utcSeconds(left);
    std::int64_t b = utcSeconds(right);
    if (a != b) {
      return a < b;
    }
    return compareFractions(left.fraction, right.fraction) <= 0;
  }
  // Compare the parts both values have, as written; past that FHIRPath cannot order them.
  const std::array<int, 3> a = {left.year, left.month, left.day};
  const std::array<int, 3> b = {right.year, right.month, right.day};
  std::size_t common = left.precision < right.precision ? left.precision : right.precision;
  if (common > 3) {
    common = 3;
  }
  for (std::size_t i = 0; i < common; ++i) {
    if (a[i] != b[i]) {
      return a[i] < b[i];
    }
  }
  if (left.precision == right.precision) {
    return true;
  }
  return std::nullopt;
}

const char* checkStringText(std::string_view text, bool* is_error) {
  *is_error = false;
  if (text.size() > kMaxStringBytes) {
    *is_error = true;
    return "longer than the 1 MB a string may hold";
  }
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 && c != '\t' && c != '\r' && c != '\n') {
      return "contains a control character (only tab, CR and LF should occur)";
    }
  }
  return nullptr;
}

const char* checkPrimitiveText(PrimitiveKind kind, std::string_view text) {
  switch (kind) {
    case PrimitiveKind::Integer:
      return checkIntegerLiteral(text, -2147483648LL, "not a valid integer (32-bit signed)");
    case PrimitiveKind::UnsignedInt:
      return checkIntegerLiteral(text, 0, "not a valid unsignedInt (0 or more, 32-bit)");
    case PrimitiveKind::PositiveInt:
      return checkIntegerLiteral(text, 1, "not a valid positiveInt (1 or more, 32-bit)");
    case PrimitiveKind::Decimal:
      return isValidDecimal(text) ? nullptr : "not a valid decimal";
    case PrimitiveKind::Code:
      return isValidCode(text) ? nullptr
                               : "not a valid code (no leading, trailing or repeated white space)";
    case PrimitiveKind::Id:
      return isValidId(text) ? nullptr : "not a valid id (1-64 of A-Z a-z 0-9 - .)";
    case PrimitiveKind::Uri:
    case PrimitiveKind::Url:
    case PrimitiveKind::Canonical:
      return isValidUri(text) ? nullptr
                              : "not a valid URI (no white space; urn:oid: and urn:uuid: valid)";
    case PrimitiveKind::Oid:
      return isValidOid(text) ? nullptr : "not a valid oid (urn:oid: then a dotted number)";
    case PrimitiveKind::Uuid:
      return isValidUuid(text) ? nullptr : "not a valid uuid (urn:uuid: then lower-case hex)";
    case PrimitiveKind::Base64Binary:
      return isValidBase64(text) ? nullptr : "not a valid base64Binary value";
    case PrimitiveKind::Instant:
      return parseDateTime(text, DateForm::Instant)
                 ? nullptr
                 : "not a valid instant (date, time to the second and time zone all required)";
    case PrimitiveKind::Date:
      return parseDateTime(text, DateForm::Date) ? nullptr
                                                 : "not a valid date (YYYY, YYYY-MM or YYYY-MM-DD)";
    case PrimitiveKind::DateTime:
      return parseDateTime(text, DateForm::DateTime)
                 ? nullptr
                 : "not a valid dateTime (a date, or date and time with seconds and a time zone)";
    case PrimitiveKind::Time:
      return isValidTime(text) ? nullptr : "not a valid time (hh:mm:ss)";
    default:
      return nullptr;
  }
}

}  // namespace ferry::engine::fhir
