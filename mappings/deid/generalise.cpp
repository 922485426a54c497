#include "mappings/deid/generalise.h"
#include "engine/text/ascii_digits.h"
#include "engine/time/civil_days.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>

namespace ferry::mappings::deid {

namespace {

using engine::text::allDigits;
using engine::text::digitsValue;
using engine::text::isDigit;

using engine::time::daysFromCivil;

struct Civil {
  std::int64_t year;
  unsigned month;
  unsigned day;
};

Civil civilFromDays(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0), m, d};
}

bool isLeap(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

bool validDay(int year, int month, int day) {
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1) {
    return false;
  }
  const int limit = kDays[static_cast<std::size_t>(month - 1)] + (month == 2 && isLeap(year));
  return day <= limit;
}

// The shifted (year, month, day), or nullopt when out of the four-digit year range.
std::optional<Civil> shiftDay(int year, int month, int day, int days) {
  if (!validDay(year, month, day)) {
    return std::nullopt;
  }
  Civil shifted = civilFromDays(daysFromCivil(year, month, day) + days);
  if (shifted.year < 1 || shifted.year > 9999) {
    return std::nullopt;
  }
  return shifted;
}

std::string twoDigits(unsigned value) {
  return std::string{static_cast<char>('0' + value / 10), static_cast<char>('0' + value % 10)};
}

std::string fourDigits(std::int64_t value) {
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, "%04d", static_cast<int>(value));
  return buffer;
}

bool isDateTimeChar(char c) { return isDigit(c) || c == '.' || c == '+' || c == '-'; }

}  // namespace

std::optional<std::string_view> hl7Year(std::string_view value) {
  if (value.size() < 4 || !allDigits(value.substr(0, 4))) {
    return std::nullopt;
  }
  for (char c : value.substr(4)) {
    if (!isDateTimeChar(c)) {
      return std::nullopt;
    }
  }
  return value.substr(0, 4);
}

std::optional<std::string_view> fhirYear(std::string_view value) {
  if (value.size() < 4 || !allDigits(value.substr(0, 4)) || (value.size() > 4 && value[4] != '-')) {
    return std::nullopt;
  }
  return value.substr(0, 4);
}

bool isRestrictedZipPrefix(std::string_view prefix) {
  // HHS, "Guidance Regarding Methods for De-identification of PHI", section 3.3: the
  // three-digit ZIP areas with 20,000 or fewer people in the 2000 census.
  static constexpr std::array<std::string_view, 17> kRestricted = {
      "036", "059", "063", "102", "203", "556", "692", "790", "821",
      "823", "830", "831", "878", "879", "884", "890", "893"};
  for (std::string_view restricted : kRestricted) {
    if (prefix == restricted) {
      return true;
    }
  }
  return false;
}

std::optional<std::string> generaliseZip(std::string_view postal_code) {
  while (!postal_code.empty() && postal_code.front() == ' ') {
    postal_code.remove_prefix(1);
  }
  while (!postal_code.empty() && postal_code.back() == ' ') {
    postal_code.remove_suffix(1);
  }
  const bool five = postal_code.size() == 5 && allDigits(postal_code);
  const bool nine = postal_code.size() == 9 && allDigits(postal_code);
  const bool plus_four = postal_code.size() == 10 && allDigits(postal_code.substr(0, 5)) &&
                         postal_code[5] == '-' && allDigits(postal_code.substr(6));
  if (!five && !nine && !plus_four) {
    return std::nullopt;
  }
  std::string prefix(postal_code.substr(0, 3));
  return isRestrictedZipPrefix(prefix) ? std::string("000") : prefix;
}

bool birthYearRevealsAgeOver89(int birth_year, int current_year) {
  return current_year - birth_year >= 90;
}

std::optional<double> ageInYears(double value, std::string_view unit) {
  std::string lower;
  for (char c : unit) {
    if (c != ' ') {
      lower.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c));
    }
  }
  if (lower.empty() || lower == "a" || lower == "y" || lower == "yr" || lower == "yrs" ||
      lower == "year" || lower == "years" || lower == "ann" || lower == "{years}") {
    return value;
  }
  if (lower == "mo" || lower == "month" || lower == "months") {
    return value / 12.0;
  }
  if (lower == "wk" || lower == "week" || lower == "weeks") {
    return value / 52.1775;
  }
  if (lower == "d" || lower == "day" || lower == "days") {
    return value / 365.25;
  }
  if (lower == "h" || lower == "hour" || lower == "hours") {
    return value / 8766.0;
  }
  if (lower == "min" || lower == "minute" || lower == "minutes") {
    return value / 525960.0;
  }
  return std::nullopt;
}

bool containsDate(std::string_view text) {
  auto plausible = [](int year, int month, int day) {
    return year >= 1900 && year <= 2100 && validDay(year, month, day);
  };
  auto digitsAt = [&](std::size_t at, std::size_t count) {
    return at + count <= text.size() && allDigits(text.substr(at, count));
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (!isDigit(text[i]) || (i > 0 && isDigit(text[i - 1]))) {
      continue;  // only where a run of digits starts
    }
    if (digitsAt(i, 8) &&
        plausible(digitsValue(text.substr(i, 4)), digitsValue(text.substr(i + 4, 2)),
                  digitsValue(text.substr(i + 6, 2)))) {
      return true;
    }
    if (digitsAt(i, 4) && i + 10 <= text.size() && text[i + 4] == '-' && digitsAt(i + 5, 2) &&
        text[i + 7] == '-' && digitsAt(i + 8, 2) &&
        plausible(digitsValue(text.substr(i, 4)), digitsValue(text.substr(i + 5, 2)),
                  digitsValue(text.substr(i + 8, 2)))) {
      return true;
    }
    // MM/DD/YYYY and M/D/YYYY.
    std::size_t month_end = i;
    while (month_end < text.size() && month_end - i < 2 && isDigit(text[month_end])) {
      ++month_end;
    }
    if (month_end < text.size() && text[month_end] == '/') {
      std::size_t day_end = month_end + 1;
      while (day_end < text.size() && day_end - month_end - 1 < 2 && isDigit(text[day_end])) {
        ++day_end;
      }
      if (day_end > month_end + 1 && day_end < text.size() && text[day_end] == '/' &&
          digitsAt(day_end + 1, 4) &&
          plausible(digitsValue(text.substr(day_end + 1, 4)),
                    digitsValue(text.substr(i, month_end - i)),
                    digitsValue(text.substr(month_end + 1, day_end - month_end - 1)))) {
        return true;
      }
    }
  }
  return false;
}

std::optional<double> parseNumber(std::string_view text) {
  while (!text.empty() && text.front() == ' ') {
    text.remove_prefix(1);
  }
  while (!text.empty() && text.back() == ' ') {
    text.remove_suffix(1);
  }
  if (!text.empty() && text.front() == '+') {
    text.remove_prefix(1);
  }
  double value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty() ||
      !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

std::optional<std::string> shiftHl7Date(std::string_view value, int days) {
  if (value.size() < 8 || !allDigits(value.substr(0, 8)) || !hl7Year(value)) {
    return std::nullopt;
  }
  auto shifted = shiftDay(digitsValue(value.substr(0, 4)), digitsValue(value.substr(4, 2)),
                          digitsValue(value.substr(6, 2)), days);
  if (!shifted) {
    return std::nullopt;
  }
  return fourDigits(shifted->year) + twoDigits(shifted->month) + twoDigits(shifted->day) +
         std::string(value.substr(8));
}

std::optional<std::string> shiftFhirDate(std::string_view value, int days) {
  if (value.size() < 10 || !allDigits(value.substr(0, 4)) || value[4] != '-' ||
      !allDigits(value.substr(5, 2)) || value[7] != '-' || !allDigits(value.substr(8, 2)) ||
      (value.size() > 10 && value[10] != 'T')) {
    return std::nullopt;
  }
  auto shifted = shiftDay(digitsValue(value.substr(0, 4)), digitsValue(value.substr(5, 2)),
                          digitsValue(value.substr(8, 2)), days);
  if (!shifted) {
    return std::nullopt;
  }
  return fourDigits(shifted->year) + "-" + twoDigits(shifted->month) + "-" +
         twoDigits(shifted->day) + std::string(value.substr(10));
}

}  // namespace ferry::mappings::deid
