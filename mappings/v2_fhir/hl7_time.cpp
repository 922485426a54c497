#include "mappings/v2_fhir/hl7_time.h"
#include "engine/text/ascii_digits.h"
#include "engine/time/civil_days.h"

#include <algorithm>
#include <cstdint>

namespace ferry::mappings::v2fhir {
namespace {

// Every caller checks the length first, so the empty case (not digits) never decides.
using engine::text::allDigits;
int number(std::string_view digits) { return engine::text::digitsValue(digits); }

int daysIn(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

// "+hhmm" / "-hhmm" to "+hh:mm"; std::nullopt when malformed or out of range (FHIR allows
// offsets up to 14:00).
std::optional<std::string> offsetOf(std::string_view text) {
  if (text.size() != 5 || (text[0] != '+' && text[0] != '-') || !allDigits(text.substr(1))) {
    return std::nullopt;
  }
  int hours = number(text.substr(1, 2));
  int minutes = number(text.substr(3, 2));
  if (hours > 14 || minutes > 59 || (hours == 14 && minutes != 0)) {
    return std::nullopt;
  }
  std::string out(text.substr(0, 3));
  out += ':';
  out += text.substr(3, 2);
  return out;
}

// Appends "hh:mm:ss" from "hh", "hhmm" or "hhmmss" (missing parts as "00").
void appendTime(std::string_view digits, std::string& out) {
  out += digits.substr(0, 2);
  out += ':';
  out += digits.size() >= 4 ? digits.substr(2, 2) : std::string_view("00");
  out += ':';
  out += digits.size() >= 6 ? digits.substr(4, 2) : std::string_view("00");
}

}  // namespace

std::optional<std::string> normalizeZone(std::string_view zone) {
  if (zone == "Z" || zone == "UTC" || zone == "+00:00" || zone == "-00:00") {
    return std::string("Z");
  }
  std::string compact(zone);
  if (compact.size() == 6 && compact[3] == ':') {
    compact.erase(3, 1);
  }
  return offsetOf(compact);
}

std::optional<std::string> convertTimestamp(std::string_view hl7, TimeTarget target,
                                            std::string_view zone) {
  auto parsed = TimeZone::parse(zone);
  if (!parsed.isOk()) {
    return std::nullopt;
  }
  return convertTimestamp(hl7, target, parsed.value());
}

std::optional<std::string> convertTimestamp(std::string_view hl7, TimeTarget target,
                                            const TimeZone& zone) {
  // Split off the offset: the last '+' or '-' (a DTM never has a sign elsewhere).
  std::string_view body = hl7;
  std::optional<std::string> offset;
  std::size_t sign = static_cast<std::size_t>(
      std::find_if(hl7.begin(), hl7.end(), [](char c) { return c == '+' || c == '-'; }) -
      hl7.begin());
  if (sign != hl7.size()) {
    offset = offsetOf(hl7.substr(sign));
    if (!offset) {
      return std::nullopt;
    }
    body = hl7.substr(0, sign);
  }
  std::string_view fraction;
  std::size_t dot = body.find('.');
  if (dot != std::string_view::npos) {
    fraction = body.substr(dot + 1);
    body = body.substr(0, dot);
    if (fraction.empty() || fraction.size() > 4 || !allDigits(fraction)) {
      return std::nullopt;
    }
  }
  if (target == TimeTarget::Time) {
    // TM: HH[MM[SS[.S]]]
    if (!allDigits(body) || (body.size() != 2 && body.size() != 4 && body.size() != 6)) {
      return std::nullopt;
    }
    int hh = number(body.substr(0, 2));
    int mm = body.size() >= 4 ? number(body.substr(2, 2)) : 0;
    int ss = body.size() >= 6 ? number(body.substr(4, 2)) : 0;
    if (hh > 23 || mm > 59 || ss > 59) {
      return std::nullopt;
    }
    std::string out;
    out.reserve(8 + 1 + fraction.size());
    appendTime(body, out);
    if (!fraction.empty()) {
      out += '.';
      out += fraction;
    }
    return out;
  }
  static constexpr std::size_t kLengths[] = {4, 6, 8, 10, 12, 14};
  bool length_ok = false;
  for (std::size_t length : kLengths) {
    length_ok = length_ok || body.size() == length;
  }
  if (!length_ok || !allDigits(body) || (!fraction.empty() && body.size() != 14)) {
    return std::nullopt;
  }
  int year = number(body.substr(0, 4));
  if (year == 0) {
    return std::nullopt;
  }
  // "YYYY-MM-DDThh:mm:ss.ffff+hh:mm" at most.
  std::string out;
  out.reserve(30);
  out += body.substr(0, 4);
  if (body.size() >= 6) {
    int month = number(body.substr(4, 2));
    if (month < 1 || month > 12) {
      return std::nullopt;
    }
    out += '-';
    out += body.substr(4, 2);
    if (body.size() >= 8) {
      int day = number(body.substr(6, 2));
      if (day < 1 || day > daysIn(year, month)) {
        return std::nullopt;
      }
      out += '-';
      out += body.substr(6, 2);
    }
  }
  if (target == TimeTarget::Date || body.size() <= 8) {
    // A date stays a date; an instant needs at least a time of day.
    if (target == TimeTarget::Instant) {
      return std::nullopt;
    }
    return out;
  }
  int hh = number(body.substr(8, 2));
  int mm = body.size() >= 12 ? number(body.substr(10, 2)) : 0;
  int ss = body.size() >= 14 ? number(body.substr(12, 2)) : 0;
  if (hh > 23 || mm > 59 || ss > 59) {
    return std::nullopt;
  }
  out += 'T';
  appendTime(body.substr(8), out);
  if (!fraction.empty()) {
    out += '.';
    out += fraction;
  }
  if (offset) {
    out += *offset;
  } else {
    int month = body.size() >= 6 ? number(body.substr(4, 2)) : 1;
    int day = body.size() >= 8 ? number(body.substr(6, 2)) : 1;
    out += zone.suffixForLocal(engine::time::daysFromCivil(year, month, day) * 86400 + hh * 3600 +
                               mm * 60 + ss);
  }
  return out;
}

}  // namespace ferry::mappings::v2fhir
