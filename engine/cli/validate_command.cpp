// `ferry validate FILE...`: checks HL7 v2 and FHIR R4 JSON files the way ingest would, for
// engineers testing samples. Prints one verdict per message or resource and the issues found,
// by location and rule only: never a value from the file.

#include <cstddef>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "engine/cli/arguments.h"
#include "engine/cli/subcommands.h"
#include "engine/fhir/definitions.h"
#include "engine/fhir/outcome.h"
#include "engine/fhir/validator.h"
#include "engine/hl7/message.h"
#include "engine/hl7/message_splitter.h"
#include "engine/hl7/validator.h"

namespace ferry::engine::cli {

namespace {

constexpr const char* kUsage = "usage: ferry validate [--json] FILE...";

enum class FileKind { FhirJson, Ndjson, Hl7, Unknown };

// One thing checked: a whole file, one NDJSON line or one message of an HL7 file.
struct Unit {
  std::string label;  // "FILE", "FILE line 3", "FILE #2"
  std::vector<fhir::Issue> issues;
};

std::string_view skipBomAndSpace(std::string_view bytes) {
  if (bytes.substr(0, 3) == "\xEF\xBB\xBF") {
    bytes.remove_prefix(3);
  }
  while (!bytes.empty() && (bytes.front() == ' ' || bytes.front() == '\t' ||
                            bytes.front() == '\r' || bytes.front() == '\n')) {
    bytes.remove_prefix(1);
  }
  return bytes;
}

bool endsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// By extension first (.ndjson, .json), then by the first bytes: '{' is JSON, an MSH, FHS or
// BHS segment is HL7 v2.
FileKind detectKind(std::string_view name, std::string_view bytes) {
  if (endsWith(name, ".ndjson")) {
    return FileKind::Ndjson;
  }
  if (endsWith(name, ".json")) {
    return FileKind::FhirJson;
  }
  std::string_view start = skipBomAndSpace(bytes);
  if (!start.empty() && start.front() == '{') {
    return FileKind::FhirJson;
  }
  std::string_view segment = start.substr(0, 3);
  if (segment == "MSH" || segment == "FHS" || segment == "BHS") {
    return FileKind::Hl7;
  }
  return FileKind::Unknown;
}

fhir::Issue makeIssue(fhir::IssueSeverity severity, std::string code, std::string expression,
                      std::string diagnostics, int line = 0) {
  fhir::Issue issue;
  issue.severity = severity;
  issue.code = std::move(code);
  issue.expression = std::move(expression);
  issue.diagnostics = std::move(diagnostics);
  issue.line = line;
  return issue;
}

// "PID-3.1" style, or the positional description when the segment is not known.
std::string hl7Location(const hl7::ErrorLocation& location) {
  if (location.segment_id.empty() || location.field == 0) {
    return hl7::describeLocation(location);
  }
  std::string text = location.segment_id + "-" + std::to_string(location.field);
  if (location.component > 0) {
    text += "." + std::to_string(location.component);
  }
  return text;
}

// HL7 table 0357 error codes as OperationOutcome issue types.
std::string hl7IssueCode(const std::string& hl7_code) {
  if (hl7_code == "100") {
    return "structure";
  }
  if (hl7_code == "101") {
    return "required";
  }
  if (hl7_code == "102") {
    return "value";
  }
  if (hl7_code == "103") {
    return "code-invalid";
  }
  if (hl7_code == "200" || hl7_code == "203") {
    return "not-supported";
  }
  return "processing";
}

fhir::IssueSeverity hl7Severity(const std::string& severity) {
  if (severity == "E") {
    return fhir::IssueSeverity::Error;
  }
  return severity == "W" ? fhir::IssueSeverity::Warning : fhir::IssueSeverity::Information;
}

std::vector<fhir::Issue> checkHl7Message(std::string_view bytes) {
  std::vector<fhir::Issue> issues;
  hl7::ErrorLocation location;
  auto parsed = hl7::Message::parse(bytes, {}, &location);
  if (!parsed.isOk()) {
    // The parser's context names positions and rules, never field content.
    issues.push_back(makeIssue(fhir::IssueSeverity::Error, "structure", hl7Location(location),
                               parsed.status().context()));
    return issues;
  }
  std::vector<hl7::AckErrorDetail> problems;
  (void)hl7::validateForIngest(parsed.value(), problems);
  for (const hl7::AckErrorDetail& problem : problems) {
    issues.push_back(makeIssue(hl7Severity(problem.severity), hl7IssueCode(problem.hl7_error_code),
                               hl7Location(problem.location),
                               problem.text + " (HL7 error " + problem.hl7_error_code + ")"));
  }
  return issues;
}

std::vector<Unit> checkHl7File(const std::string& file, std::string_view bytes) {
  hl7::SplitResult split = hl7::splitMessages(bytes);
  std::vector<Unit> units;
  std::vector<std::string_view> messages = split.messages();
  for (std::size_t i = 0; i < messages.size(); ++i) {
    std::string label = messages.size() == 1 ? file : file + " #" + std::to_string(i + 1);
    units.push_back({label, checkHl7Message(messages[i])});
  }
  // Problems of the file as a whole (bytes outside messages, batch envelopes).
  if (!split.issues.empty()) {
    Unit envelope{file + " (file)", {}};
    for (const hl7::SplitIssue& issue : split.issues) {
      envelope.issues.push_back(
          makeIssue(issue.severity == hl7::SplitSeverity::Error ? fhir::IssueSeverity::Error
                                                                : fhir::IssueSeverity::Warning,
                    "structure", "", issue.text, static_cast<int>(issue.line)));
    }
    units.push_back(std::move(envelope));
  }
  return units;
}

std::vector<Unit> checkNdjsonFile(const fhir::Validator& validator, const std::string& file,
                                  std::string_view bytes) {
  std::vector<Unit> units;
  std::size_t line_number = 0;
  while (!bytes.empty()) {
    ++line_number;
    std::size_t end = bytes.find('\n');
    std::string_view line = bytes.substr(0, end);
    bytes.remove_prefix(end == std::string_view::npos ? bytes.size() : end + 1);
    if (line_number == 1 && line.substr(0, 3) == "\xEF\xBB\xBF") {
      line.remove_prefix(3);
    }
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    if (skipBomAndSpace(line).empty()) {
      continue;
    }
    Unit unit{file + " line " + std::to_string(line_number), validator.validateText(line)};
    for (fhir::Issue& issue : unit.issues) {
      // Each resource is one line: report its line in the file.
      if (issue.line > 0) {
        issue.line = static_cast<int>(line_number);
      }
    }
    units.push_back(std::move(unit));
  }
  if (units.empty()) {
    units.push_back(
        {file, {makeIssue(fhir::IssueSeverity::Error, "required", "", "no resource in the file")}});
  }
  return units;
}

// JSON text for a string: quotes, backslashes and control characters escaped.
std::string jsonString(std::string_view text) {
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') {
      quoted += '\\';
      quoted += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof(escaped), "\\u%04x", static_cast<unsigned char>(c));
      quoted += escaped;
    } else {
      quoted += c;
    }
  }
  return quoted + "\"";
}

void printUnit(const Unit& unit, bool json, std::ostream& out) {
  bool valid = !fhir::hasErrors(unit.issues);
  if (json) {
    out << "{\"file\":" << jsonString(unit.label) << ",\"valid\":" << (valid ? "true" : "false")
        << ",\"outcome\":" << fhir::toOperationOutcomeJson(unit.issues) << "}\n";
    return;
  }
  out << unit.label << ": " << (valid ? "valid" : "invalid") << "\n";
  if (unit.issues.empty()) {
    return;
  }
  std::istringstream lines(fhir::formatIssues(unit.issues));
  for (std::string line; std::getline(lines, line);) {
    out << "    " << line << "\n";
  }
}

}  // namespace

namespace {

// The units of one non-empty file, by its kind.
std::vector<Unit> checkFile(const fhir::Validator& validator, const std::string& file,
                            const std::string& bytes) {
  std::vector<Unit> units;
  switch (detectKind(file, bytes)) {
    case FileKind::FhirJson:
      units.push_back({file, validator.validateText(bytes)});
      break;
    case FileKind::Ndjson:
      units = checkNdjsonFile(validator, file, bytes);
      break;
    case FileKind::Hl7:
      units = checkHl7File(file, bytes);
      break;
    case FileKind::Unknown:
      units.push_back({file,
                       {makeIssue(fhir::IssueSeverity::Error, "structure", "",
                                  "neither HL7 v2 (MSH, FHS or BHS first) nor FHIR "
                                  "JSON ('{' first, or a .json/.ndjson name)")}});
      break;
  }
  return units;
}

}  // namespace

int validateCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  Arguments arguments(args, {}, {"--json"});
  if (!arguments.error().empty() || arguments.positional().empty()) {
    err << "ferry validate: " << (arguments.error().empty() ? kUsage : arguments.error()) << "\n";
    return 2;
  }
  auto definitions = fhir::Definitions::builtIn();
  if (!definitions.isOk()) {
    err << "ferry validate: " << definitions.status().toString() << "\n";
    return 2;
  }
  fhir::Validator validator(definitions.value());
  bool json = arguments.has("--json");

  int result = 0;
  for (const std::string& file : arguments.positional()) {
    std::ifstream in(file, std::ios::binary);
    std::string bytes;
    if (in) {
      bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    if (!in || in.bad()) {
      err << file << ": cannot read\n";
      result = 2;
      continue;
    }

    std::vector<Unit> units;
    if (bytes.empty()) {
      // Readable but holding nothing: an invalid message, not an unreadable file.
      units.push_back(
          {file, {makeIssue(fhir::IssueSeverity::Error, "structure", "", "the file is empty")}});
    } else {
      units = checkFile(validator, file, bytes);
    }
    for (const Unit& unit : units) {
      printUnit(unit, json, out);
      if (fhir::hasErrors(unit.issues) && result == 0) {
        result = 1;
      }
    }
  }
  return result;
}

}  // namespace ferry::engine::cli
