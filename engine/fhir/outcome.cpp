#include "engine/fhir/outcome.h"

#include <algorithm>

#include "engine/fhir/json_value.h"
#include "engine/fhir/json_writer.h"

namespace ferry::engine::fhir {
namespace {

constexpr std::string_view kLineExtension =
    "http://hl7.org/fhir/StructureDefinition/operationoutcome-issue-line";
constexpr std::string_view kColumnExtension =
    "http://hl7.org/fhir/StructureDefinition/operationoutcome-issue-col";

JsonValue integerExtension(std::string_view url, int value) {
  JsonValue extension = JsonValue::makeObject();
  extension.add("url", JsonValue::makeString(std::string(url)));
  extension.add("valueInteger", JsonValue::makeNumber(std::to_string(value)));
  return extension;
}

// Members in the order of the OperationOutcome.issue definition, which FHIR JSON follows.
JsonValue issueObject(const Issue& issue) {
  JsonValue object = JsonValue::makeObject();
  if (issue.line > 0) {
    JsonValue& extensions = object.add("extension", JsonValue::makeArray());
    extensions.push(integerExtension(kLineExtension, issue.line));
    if (issue.column > 0) {
      extensions.push(integerExtension(kColumnExtension, issue.column));
    }
  }
  object.add("severity", JsonValue::makeString(std::string(issueSeverityName(issue.severity))));
  // issue.code is required (1..1); "processing" is the generic type for an unclassified issue.
  object.add("code", JsonValue::makeString(issue.code.empty() ? "processing" : issue.code));
  if (!issue.diagnostics.empty()) {
    object.add("diagnostics", JsonValue::makeString(issue.diagnostics));
  }
  if (!issue.expression.empty()) {
    object.add("expression", JsonValue::makeArray()).push(JsonValue::makeString(issue.expression));
  }
  return object;
}

Issue allIsWell() {
  Issue issue;
  issue.severity = IssueSeverity::Information;
  issue.code = "informational";
  issue.diagnostics = "no issues found";
  return issue;
}

}  // namespace

std::string_view issueSeverityName(IssueSeverity severity) {
  switch (severity) {
    case IssueSeverity::Fatal:
      return "fatal";
    case IssueSeverity::Error:
      return "error";
    case IssueSeverity::Warning:
      return "warning";
    case IssueSeverity::Information:
      return "information";
  }
  return "error";
}

bool hasErrors(const std::vector<Issue>& issues) {
  return std::any_of(issues.begin(), issues.end(), [](const Issue& issue) {
    return issue.severity == IssueSeverity::Fatal || issue.severity == IssueSeverity::Error;
  });
}

std::string toOperationOutcomeJson(const std::vector<Issue>& issues) {
  JsonValue outcome = JsonValue::makeObject();
  outcome.add("resourceType", JsonValue::makeString("OperationOutcome"));
  JsonValue& list = outcome.add("issue", JsonValue::makeArray());
  list.elements().reserve(std::max<std::size_t>(issues.size(), 1));
  if (issues.empty()) {
    list.push(issueObject(allIsWell()));
  }
  for (const auto& issue : issues) {
    list.push(issueObject(issue));
  }
  return writeJson(outcome);
}

std::string formatIssues(const std::vector<Issue>& issues) {
  if (issues.empty()) {
    return formatIssues({allIsWell()});
  }
  std::string out;
  for (const auto& issue : issues) {
    out += issueSeverityName(issue.severity);
    if (!issue.expression.empty()) {
      out += "  ";
      out += issue.expression;
    }
    if (issue.line > 0) {
      out += "  (line " + std::to_string(issue.line);
      if (issue.column > 0) {
        out += ", col " + std::to_string(issue.column);
      }
      out += ')';
    }
    out += "  [";
    out += issue.code.empty() ? "processing" : issue.code;
    out += ']';
    if (!issue.diagnostics.empty()) {
      out += ' ';
      out += issue.diagnostics;
    }
    out += '\n';
  }
  return out;
}

}  // namespace ferry::engine::fhir
