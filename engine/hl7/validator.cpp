#include "engine/hl7/validator.h"

#include <array>
#include <optional>
#include <string>

#include "engine/hl7/text_codec.h"
#include "engine/text/ascii_digits.h"

namespace ferry::engine::hl7 {

namespace {

using text::allDigits;
using text::isDigit;
int number(std::string_view digits) { return text::digitsValue(digits); }

bool isLeapYear(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int daysInMonth(int year, int month) {
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && isLeapYear(year) ? 29 : kDays[static_cast<std::size_t>(month - 1)];
}

std::string headerText(const Message& message, std::string_view path) {
  auto value = message.get(path);
  return value.isOk() && value.value().has_value() ? *value.value() : std::string();
}

ErrorLocation mshLocation(std::size_t field, std::size_t component = 0) {
  ErrorLocation location;
  location.segment_id = "MSH";
  location.segment_index = 1;
  location.field = field;
  location.component = component;
  return location;
}

void addProblem(std::vector<AckErrorDetail>& problems, ErrorLocation location,
                std::string_view code, std::string_view severity, std::string text) {
  AckErrorDetail detail;
  detail.location = std::move(location);
  detail.hl7_error_code = std::string(code);
  detail.severity = std::string(severity);
  detail.text = std::move(text);
  problems.push_back(std::move(detail));
}

// MSH-12.1 as HL7 writes versions: "2", "2.5", "2.5.1".
bool isV2Version(std::string_view version) {
  if (version.size() < 1 || version[0] != '2') {
    return false;
  }
  std::string_view rest = version.substr(1);
  while (!rest.empty()) {
    if (rest[0] != '.') {
      return false;
    }
    rest.remove_prefix(1);
    std::size_t digits = 0;
    while (digits < rest.size() && isDigit(rest[digits])) {
      ++digits;
    }
    if (digits == 0) {
      return false;
    }
    rest.remove_prefix(digits);
  }
  return true;
}

bool isAckCondition(std::string_view value) {
  return value == "AL" || value == "NE" || value == "ER" || value == "SU";
}

}  // namespace

bool isValidDtm(std::string_view text) {
  std::size_t zone = text.find_first_of("+-");
  std::string_view stamp = text.substr(0, zone);
  if (zone != std::string_view::npos) {
    std::string_view offset = text.substr(zone + 1);
    if (offset.size() != 4 || !allDigits(offset) || number(offset.substr(0, 2)) > 23 ||
        number(offset.substr(2, 2)) > 59) {
      return false;
    }
  }
  std::size_t dot = stamp.find('.');
  std::string_view whole = stamp.substr(0, dot);
  if (dot != std::string_view::npos) {
    std::string_view fraction = stamp.substr(dot + 1);
    if (whole.size() != 14 || fraction.empty() || fraction.size() > 4 || !allDigits(fraction)) {
      return false;
    }
  }
  const std::size_t length = whole.size();
  if (!allDigits(whole) || length < 4 || length > 14 || length % 2 != 0) {
    return false;
  }
  const int year = number(whole.substr(0, 4));
  if (length >= 6) {
    const int month = number(whole.substr(4, 2));
    if (month < 1 || month > 12) {
      return false;
    }
    if (length >= 8) {
      const int day = number(whole.substr(6, 2));
      if (day < 1 || day > daysInMonth(year, month)) {
        return false;
      }
    }
  }
  if (length >= 10 && number(whole.substr(8, 2)) > 23) {
    return false;
  }
  if (length >= 12 && number(whole.substr(10, 2)) > 59) {
    return false;
  }
  // 60 allows a leap second.
  return length < 14 || number(whole.substr(12, 2)) <= 60;
}

Status validateForIngest(const Message& message, std::vector<AckErrorDetail>& problems) {
  const std::size_t first_new = problems.size();
  // Only what a receiver cannot process is an error: without a message type nothing can route
  // it. Real feeds often leave out the other header fields (or send an empty MSH-10); like the
  // engines hospitals replace, Ferry accepts those and says so in the ACK's ERR warnings.
  auto required = [&](std::string_view path, std::size_t field, std::size_t component,
                      std::string_view severity) {
    if (headerText(message, path).empty()) {
      addProblem(problems, mshLocation(field, component), "101", std::string(severity),
                 std::string(path) + ": required field missing");
    }
  };

  required("MSH-9.1", 9, 1, "E");
  if (message.messageCode() != "ACK") {
    required("MSH-9.2", 9, 2, "W");
  }
  required("MSH-7", 7, 0, "W");
  required("MSH-10", 10, 0, "W");
  required("MSH-11", 11, 0, "W");
  required("MSH-12", 12, 0, "W");

  const std::string version = message.version();
  bool version_unsupported = false;
  if (!version.empty() && !isV2Version(version)) {
    version_unsupported = true;
    addProblem(problems, mshLocation(12, 1), "203", "E",
               "MSH-12.1: not an HL7 version 2 version id");
  }
  const std::string timestamp = headerText(message, "MSH-7.1");
  if (!timestamp.empty() && !isValidDtm(timestamp)) {
    addProblem(problems, mshLocation(7, 1), "102", "W", "MSH-7.1: not a valid date/time (DTM)");
  }
  if (const std::string accept = message.acceptAckType();
      !accept.empty() && !isAckCondition(accept)) {
    addProblem(problems, mshLocation(15), "103", "W",
               "MSH-15: not a value of table 0155 (AL, NE, ER, SU)");
  }
  if (const std::string application = message.applicationAckType();
      !application.empty() && !isAckCondition(application)) {
    addProblem(problems, mshLocation(16), "103", "W",
               "MSH-16: not a value of table 0155 (AL, NE, ER, SU)");
  }
  if (detail::classifyCharset(message.charset()).kind == detail::CharsetKind::Unsupported) {
    addProblem(problems, mshLocation(18), "103", "W",
               "MSH-18: character set not supported; non-ASCII text cannot be decoded");
  }

  std::string summary;
  for (std::size_t i = first_new; i < problems.size(); ++i) {
    if (problems[i].severity != "E") {
      continue;
    }
    summary += summary.empty() ? "" : "; ";
    summary += problems[i].text;
  }
  if (summary.empty()) {
    return Status::ok();
  }
  return Status(version_unsupported ? ErrorCode::Unsupported : ErrorCode::InvalidMessage, summary);
}

constexpr std::size_t kMaxPidSegmentsIndexed = 32;

std::vector<PatientIdentifier> readPatientIdentifiers(const Message& message) {
  std::vector<PatientIdentifier> identifiers;
  std::size_t occurrence = 0;
  for (std::size_t index = 0; index < message.segmentCount(); ++index) {
    if (message.segmentId(index) != "PID") {
      continue;
    }
    // Real messages carry one PID per patient, a handful at most (merges, batches of results).
    // Each path lookup below scans from the message start, so an unbounded count of PID
    // segments would cost quadratic time on hostile input.
    if (++occurrence > kMaxPidSegmentsIndexed) {
      break;
    }
    // One pass over PID-3 per component read, so a field with thousands of repetitions stays
    // cheap.
    const std::string field = "PID[" + std::to_string(occurrence) + "]-3[*]";
    auto read = [&](std::string_view component) {
      auto values = message.getPerRepetition(field + std::string(component));
      return values.isOk() ? std::move(values).value() : std::vector<std::optional<std::string>>();
    };
    const auto ids = read(".1");
    const auto namespaces = read(".4.1");
    const auto universal_ids = read(".4.2");
    const auto types = read(".5");
    auto at = [](const std::vector<std::optional<std::string>>& values, std::size_t i) {
      return i < values.size() && values[i].has_value() ? *values[i] : std::string();
    };
    for (std::size_t i = 0; i < ids.size(); ++i) {
      if (!ids[i].has_value()) {
        continue;
      }
      PatientIdentifier identifier;
      identifier.id = *ids[i];
      identifier.assigning_authority = at(namespaces, i);
      if (identifier.assigning_authority.empty()) {
        identifier.assigning_authority = at(universal_ids, i);
      }
      identifier.identifier_type = at(types, i);
      identifier.segment = occurrence;
      identifier.repetition = i + 1;
      identifiers.push_back(std::move(identifier));
    }
  }
  return identifiers;
}

std::vector<std::string> patientIdentifiers(const Message& message) {
  std::vector<std::string> keys;
  for (const PatientIdentifier& identifier : readPatientIdentifiers(message)) {
    keys.push_back(identifier.id + '\x1e' + identifier.assigning_authority);
  }
  return keys;
}

}  // namespace ferry::engine::hl7
