#pragma once

// What FHIR parsing and validation report: a list of issues that becomes an OperationOutcome.
// Each issue names where (a FHIRPath-style expression such as Patient.name[0].given[1], and the
// line and column in the input when known) and which rule, never the element's value: outcomes
// are logged, audited and sent back to senders.

#include <string>
#include <string_view>
#include <vector>

namespace ferry::engine::fhir {

// OperationOutcome.issue.severity.
enum class IssueSeverity { Fatal, Error, Warning, Information };

// "fatal", "error", "warning", "information".
std::string_view issueSeverityName(IssueSeverity severity);

struct Issue {
  IssueSeverity severity = IssueSeverity::Error;
  // OperationOutcome.issue.code (http://hl7.org/fhir/issue-type): "structure", "required",
  // "value", "invariant", "code-invalid", "not-supported", "duplicate", "too-long",
  // "too-costly", "processing", "informational"...
  std::string code;
  // FHIRPath-style location: "Patient.name[0].given[1]", "Bundle.entry[2].resource". A JSON
  // syntax error names the member or container where reading stopped (line and column say
  // exactly where); empty when the issue is about the bytes as a whole (a byte order mark, a
  // document over the size limit).
  std::string expression;
  // What rule was broken, in words, never quoting the value: "minimum 1 required, found 0",
  // "not a valid dateTime (time needs a zone)".
  std::string diagnostics;
  int line = 0;    // 1-based; 0 when unknown
  int column = 0;  // 1-based; 0 when unknown
};

// True when any issue is fatal or an error.
bool hasErrors(const std::vector<Issue>& issues);

// An OperationOutcome resource as compact JSON. With no issues it holds one "informational"
// issue saying all is well (an OperationOutcome must have at least one issue). Line and column
// go into the standard extensions
// http://hl7.org/fhir/StructureDefinition/operationoutcome-issue-line and -col.
std::string toOperationOutcomeJson(const std::vector<Issue>& issues);

// One line per issue for terminals and logs, parts left out when empty:
// "error  Patient.birthDate  (line 4, col 3)  [value] not a valid date\n". With no issues, the
// same single "no issues found" information line as toOperationOutcomeJson.
std::string formatIssues(const std::vector<Issue>& issues);

}  // namespace ferry::engine::fhir
