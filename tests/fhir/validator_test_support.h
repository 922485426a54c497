#pragma once

// Shared by the validator test suites: one Validator over the built-in definitions, and small
// queries over the issues it returns.

#include <boost/test/unit_test.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "engine/fhir/definitions.h"
#include "engine/fhir/outcome.h"
#include "engine/fhir/validator.h"

namespace ferry::testing {

inline const engine::fhir::Validator& builtInValidator() {
  static const engine::fhir::Validator validator = [] {
    auto definitions = engine::fhir::Definitions::builtIn();
    BOOST_REQUIRE_MESSAGE(definitions.isOk(), definitions.status().toString());
    return engine::fhir::Validator(definitions.value());
  }();
  return validator;
}

inline std::vector<engine::fhir::Issue> validateJson(
    std::string_view json, const engine::fhir::ValidationOptions& options = {}) {
  return builtInValidator().validateText(json, options);
}

inline bool isError(const engine::fhir::Issue& issue) {
  return issue.severity == engine::fhir::IssueSeverity::Error ||
         issue.severity == engine::fhir::IssueSeverity::Fatal;
}

inline std::vector<engine::fhir::Issue> errorsOf(const std::vector<engine::fhir::Issue>& issues) {
  std::vector<engine::fhir::Issue> errors;
  for (const auto& issue : issues) {
    if (isError(issue)) {
      errors.push_back(issue);
    }
  }
  return errors;
}

// True when an error names exactly `expression` and its diagnostics contain `rule_part`.
inline bool hasErrorAt(const std::vector<engine::fhir::Issue>& issues, std::string_view expression,
                       std::string_view rule_part = {}) {
  for (const auto& issue : issues) {
    if (isError(issue) && issue.expression == expression &&
        issue.diagnostics.find(rule_part) != std::string::npos) {
      return true;
    }
  }
  return false;
}

// For failure messages: the issues, one per line.
inline std::string describe(const std::vector<engine::fhir::Issue>& issues) {
  return engine::fhir::formatIssues(issues);
}

}  // namespace ferry::testing
