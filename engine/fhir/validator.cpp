#include "engine/fhir/validator.h"

#include <utility>

#include "engine/fhir/json_round_trip.h"
#include "engine/fhir/validator_model.h"
#include "engine/fhir/validator_walker.h"

namespace ferry::engine::fhir {

Validator::Validator(std::shared_ptr<const Definitions> definitions)
    : definitions_(definitions), model_(validation::Model::modelFor(std::move(definitions))) {}

std::vector<Issue> Validator::validate(const JsonValue& resource, std::string_view source,
                                       const ValidationOptions& options) const {
  std::vector<Issue> issues;
  validation::Walker walker(*model_, source, false, issues);
  walker.validateRoot(resource, options.expected_type);
  return issues;
}

std::vector<Issue> Validator::validateText(std::string_view text,
                                           const ValidationOptions& options) const {
  std::vector<Issue> issues;
  auto parsed = parseFhirJson(text, options.limits, &issues);
  if (!parsed.isOk()) {
    if (!hasErrors(issues)) {
      Issue issue;
      issue.severity = IssueSeverity::Fatal;
      issue.code = "structure";
      issue.diagnostics = parsed.status().context();
      issues.push_back(std::move(issue));
    }
    return issues;
  }
  issues = std::move(parsed.value().issues);
  validation::Walker walker(*model_, text, true, issues);
  walker.validateRoot(parsed.value().root, options.expected_type);
  return issues;
}

std::vector<Issue> Validator::validateWritten(const JsonValue& tree, std::string_view written,
                                              const ValidationOptions& options) const {
  if (!readsBackUnchanged(tree, written.size(), options.limits)) {
    return validateText(written, options);
  }
  // What the parser would have checked holds (json_checked): the walk over `tree` is the walk
  // over the parsed text, without offsets to place issues by line.
  std::vector<Issue> issues;
  validation::Walker walker(*model_, {}, true, issues);
  walker.validateRoot(tree, options.expected_type);
  return issues;
}

}  // namespace ferry::engine::fhir
