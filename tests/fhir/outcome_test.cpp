#include "engine/fhir/outcome.h"

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "engine/fhir/json_parser.h"
#include "engine/fhir/json_value.h"

namespace ferry::testing {
namespace {

using engine::fhir::formatIssues;
using engine::fhir::hasErrors;
using engine::fhir::Issue;
using engine::fhir::IssueSeverity;
using engine::fhir::issueSeverityName;
using engine::fhir::JsonValue;
using engine::fhir::parseFhirJson;
using engine::fhir::toOperationOutcomeJson;

Issue makeIssue(IssueSeverity severity) {
  Issue issue;
  issue.severity = severity;
  issue.code = "structure";
  issue.expression = "Patient.name[0].given[1]";
  issue.diagnostics = "empty string is not allowed";
  issue.line = 4;
  issue.column = 3;
  return issue;
}

// The outcome read back as a tree; it must be valid FHIR JSON with no issues of its own.
JsonValue outcomeTree(const std::vector<Issue>& issues) {
  auto parsed = parseFhirJson(toOperationOutcomeJson(issues));
  BOOST_REQUIRE_MESSAGE(parsed.isOk(), parsed.status().toString());
  BOOST_CHECK(parsed.value().issues.empty());
  const JsonValue& root = parsed.value().root;
  BOOST_REQUIRE(root.find("resourceType") != nullptr);
  BOOST_CHECK_EQUAL(root.find("resourceType")->text(), "OperationOutcome");
  return root;
}

const JsonValue& issueAt(const JsonValue& outcome, std::size_t index) {
  const JsonValue* list = outcome.find("issue");
  BOOST_REQUIRE(list != nullptr);
  BOOST_REQUIRE_GT(list->elements().size(), index);
  return list->elements()[index];
}

std::string textOf(const JsonValue& object, std::string_view name) {
  const JsonValue* found = object.find(name);
  return found != nullptr ? std::string(found->text()) : std::string("<absent>");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(outcome)

BOOST_AUTO_TEST_CASE(names_each_severity_as_fhir_spells_it) {
  BOOST_CHECK_EQUAL(issueSeverityName(IssueSeverity::Fatal), "fatal");
  BOOST_CHECK_EQUAL(issueSeverityName(IssueSeverity::Error), "error");
  BOOST_CHECK_EQUAL(issueSeverityName(IssueSeverity::Warning), "warning");
  BOOST_CHECK_EQUAL(issueSeverityName(IssueSeverity::Information), "information");
}

BOOST_AUTO_TEST_CASE(has_errors_only_for_error_or_fatal_issues) {
  BOOST_CHECK(!hasErrors({}));
  BOOST_CHECK(
      !hasErrors({makeIssue(IssueSeverity::Warning), makeIssue(IssueSeverity::Information)}));
  BOOST_CHECK(hasErrors({makeIssue(IssueSeverity::Warning), makeIssue(IssueSeverity::Error)}));
  BOOST_CHECK(hasErrors({makeIssue(IssueSeverity::Fatal)}));
}

BOOST_AUTO_TEST_CASE(outcome_carries_severity_code_diagnostics_and_expression) {
  JsonValue outcome = outcomeTree({makeIssue(IssueSeverity::Error)});

  const JsonValue& issue = issueAt(outcome, 0);

  BOOST_CHECK_EQUAL(textOf(issue, "severity"), "error");
  BOOST_CHECK_EQUAL(textOf(issue, "code"), "structure");
  BOOST_CHECK_EQUAL(textOf(issue, "diagnostics"), "empty string is not allowed");
  const JsonValue* expression = issue.find("expression");
  BOOST_REQUIRE(expression != nullptr && expression->isArray());
  BOOST_REQUIRE_EQUAL(expression->elements().size(), 1u);
  BOOST_CHECK_EQUAL(expression->elements()[0].text(), "Patient.name[0].given[1]");
}

BOOST_AUTO_TEST_CASE(outcome_puts_line_and_column_in_the_standard_extensions) {
  JsonValue outcome = outcomeTree({makeIssue(IssueSeverity::Error)});

  const JsonValue* extensions = issueAt(outcome, 0).find("extension");

  BOOST_REQUIRE(extensions != nullptr);
  BOOST_REQUIRE_EQUAL(extensions->elements().size(), 2u);
  const JsonValue& line = extensions->elements()[0];
  const JsonValue& column = extensions->elements()[1];
  BOOST_CHECK_EQUAL(textOf(line, "url"),
                    "http://hl7.org/fhir/StructureDefinition/operationoutcome-issue-line");
  BOOST_CHECK(line.find("valueInteger") != nullptr && line.find("valueInteger")->isNumber());
  BOOST_CHECK_EQUAL(textOf(line, "valueInteger"), "4");
  BOOST_CHECK_EQUAL(textOf(column, "url"),
                    "http://hl7.org/fhir/StructureDefinition/operationoutcome-issue-col");
  BOOST_CHECK_EQUAL(textOf(column, "valueInteger"), "3");
}

BOOST_AUTO_TEST_CASE(outcome_leaves_out_what_is_unknown) {
  Issue bare;
  bare.severity = IssueSeverity::Warning;
  bare.code = "informational";

  JsonValue outcome = outcomeTree({bare});

  const JsonValue& issue = issueAt(outcome, 0);
  BOOST_CHECK(issue.find("extension") == nullptr);
  BOOST_CHECK(issue.find("expression") == nullptr);
  BOOST_CHECK(issue.find("diagnostics") == nullptr);
  BOOST_CHECK_EQUAL(textOf(issue, "severity"), "warning");
}

BOOST_AUTO_TEST_CASE(outcome_keeps_every_issue_in_order) {
  JsonValue outcome =
      outcomeTree({makeIssue(IssueSeverity::Warning), makeIssue(IssueSeverity::Fatal)});

  BOOST_CHECK_EQUAL(outcome.find("issue")->elements().size(), 2u);
  BOOST_CHECK_EQUAL(textOf(issueAt(outcome, 0), "severity"), "warning");
  BOOST_CHECK_EQUAL(textOf(issueAt(outcome, 1), "severity"), "fatal");
}

BOOST_AUTO_TEST_CASE(outcome_without_issues_says_no_issues_found) {
  JsonValue outcome = outcomeTree({});

  const JsonValue& issue = issueAt(outcome, 0);

  BOOST_CHECK_EQUAL(outcome.find("issue")->elements().size(), 1u);
  BOOST_CHECK_EQUAL(textOf(issue, "severity"), "information");
  BOOST_CHECK_EQUAL(textOf(issue, "code"), "informational");
  BOOST_CHECK_EQUAL(textOf(issue, "diagnostics"), "no issues found");
}

BOOST_AUTO_TEST_CASE(outcome_escapes_text_that_needs_it) {
  Issue issue = makeIssue(IssueSeverity::Error);
  issue.diagnostics = "expected \"a\" or \\b\n";

  JsonValue outcome = outcomeTree({issue});

  BOOST_CHECK_EQUAL(textOf(issueAt(outcome, 0), "diagnostics"), issue.diagnostics);
}

BOOST_AUTO_TEST_CASE(formats_one_line_per_issue) {
  Issue bare;
  bare.severity = IssueSeverity::Warning;
  bare.code = "structure";
  bare.diagnostics = "byte order mark";

  std::string text = formatIssues({makeIssue(IssueSeverity::Error), bare});

  BOOST_CHECK_EQUAL(text,
                    "error  Patient.name[0].given[1]  (line 4, col 3)  [structure] empty string "
                    "is not allowed\n"
                    "warning  [structure] byte order mark\n");
}

BOOST_AUTO_TEST_CASE(formats_no_issues_as_one_information_line) {
  BOOST_CHECK_EQUAL(formatIssues({}), "information  [informational] no issues found\n");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace ferry::testing
