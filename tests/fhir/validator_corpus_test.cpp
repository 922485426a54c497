// The validator over the public FHIR corpus (../shared/corpus/fhir, described in its
// SOURCES.md): every example resource passes unless its note (or the short list of known
// disagreements below, each explained in docs/fhir-validation.md) says otherwise, and
// every fhir-test-cases/validator file gets the verdict the HL7 Java validator recorded for it,
// with at least one error at a location the recorded outcome also names.

#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/fhir/json_parser.h"
#include "fhir/validator_test_support.h"
#include "support/test_support.h"

namespace ferry::testing {
namespace {

using engine::fhir::Issue;
using engine::fhir::JsonValue;

// Files whose recorded outcome depends on more than the base specification, with the reason.
const std::map<std::string, std::string>& needsMoreThanBaseSpec() {
  static const std::map<std::string, std::string> files = {
      {"obs-temp-bad.json",
       "needs the R4 body temperature profile (StructureDefinition/bodytemp), which the HL7 "
       "validator applies when it sees a body temperature code"},
      {"patient-with-turvakielto.json",
       "needs the Finnish base profiles package: the HL7 validator refuses the extension because "
       "it cannot find its definition"},
  };
  return files;
}

// Example files the corpus presents as valid in which the validator finds errors, each a real
// breach of R4.0.1, with the location reported (see docs/fhir-validation.md).
const std::map<std::string, std::string>& knownInvalidExamples() {
  static const std::map<std::string, std::string> files = {
      // Marked invalid by SOURCES.md.
      {"bundle-with-no-type.json", "Bundle.type"},
      {"ExamplePatient.json", ""},
      // Breaches SOURCES.md does not mention.
      {"medicationrequest0301.json", "MedicationRequest.dispenseRequest.performer.reference"},
      {"ADT01-28-expected.json", "Bundle.entry[10].resource.agent"},
      {"LAB-ORU-1-expected.json", "Bundle.entry[1].resource.agent[0].who"},
      {"ObservationBundle.json", "Bundle.entry[0]"},
  };
  return files;
}

struct Expectation {
  std::size_t errors = 0;
  std::vector<std::string> expressions;  // of the recorded errors
  std::vector<int> lines;                // of the recorded errors, 0 when not given
};

std::string stringAt(const JsonValue& object, std::string_view name) {
  const JsonValue* value = object.find(name);
  return value != nullptr && value->isString() ? std::string(value->text()) : std::string();
}

// Reads an OperationOutcome, or the manifest form {"errorCount": n, "output": ["ERROR: path:
// text", ...]} that SOURCES.md says some expectations were copied from.
std::optional<Expectation> readExpectation(const std::filesystem::path& path) {
  if (!std::filesystem::exists(path)) {
    return std::nullopt;
  }
  auto parsed = engine::fhir::parseFhirJson(readFile(path));
  BOOST_REQUIRE_MESSAGE(parsed.isOk(), path.string());
  const JsonValue& root = parsed.value().root;
  Expectation expectation;
  if (const JsonValue* count = root.find("errorCount")) {
    expectation.errors = static_cast<std::size_t>(std::stoul(std::string(count->text())));
    if (const JsonValue* output = root.find("output")) {
      for (const JsonValue& line : output->elements()) {
        std::string text(line.text());
        if (text.rfind("ERROR: ", 0) != 0 && text.rfind("FATAL: ", 0) != 0) {
          continue;
        }
        std::string rest = text.substr(7);
        expectation.expressions.push_back(rest.substr(0, rest.find(": ")));
        expectation.lines.push_back(0);
      }
    }
    return expectation;
  }
  if (const JsonValue* issues = root.find("issue")) {
    for (const JsonValue& issue : issues->elements()) {
      std::string severity = stringAt(issue, "severity");
      if (severity != "error" && severity != "fatal") {
        continue;
      }
      ++expectation.errors;
      const JsonValue* expression = issue.find("expression");
      expectation.expressions.emplace_back(expression != nullptr && expression->isArray()
                                               ? std::string(expression->elements().front().text())
                                               : std::string());
      // The HL7 validator puts "[line,column]" in diagnostics, or for JSON syntax errors
      // "at Line n" in the details text.
      std::string where = stringAt(issue, "diagnostics");
      int line = where.size() > 1 && where[0] == '[' ? std::atoi(&where[1]) : 0;
      const JsonValue* details = issue.find("details");
      std::string text = details != nullptr ? stringAt(*details, "text") : std::string();
      if (std::size_t at = text.find("at Line "); line == 0 && at != std::string::npos) {
        line = std::atoi(text.c_str() + at + 8);
      }
      expectation.lines.push_back(line);
    }
  }
  return expectation;
}

// FHIRPath expressions as both sides write them, without the HL7 validator's /*...*/ comments;
// a parser issue rooted at "$" (no resource type known) has no usable expression.
std::string normalise(std::string expression) {
  for (std::size_t open; (open = expression.find("/*")) != std::string::npos;) {
    std::size_t close = expression.find("*/", open);
    expression.erase(open, close == std::string::npos ? std::string::npos : close + 2 - open);
  }
  if (expression == "$" || expression.rfind("$.", 0) == 0) {
    return {};
  }
  return expression;
}

bool isPrefixPath(const std::string& path, const std::string& prefix) {
  return path.rfind(prefix, 0) == 0 &&
         (path.size() == prefix.size() || path[prefix.size()] == '.' || path[prefix.size()] == '[');
}

// A recorded error that names neither an expression nor a line says nothing about where.
bool hasLocation(const std::string& expected_expression, int expected_line) {
  return !normalise(expected_expression).empty() || expected_line > 0;
}

// One of our errors names the place of one recorded error: the same element or one inside the
// other. A recorded location that is just the resource root ("Patient") needs the same line
// when it gives one, else an error of ours about the whole document.
bool sameLocation(const Issue& ours, const std::string& expected_expression, int expected_line) {
  std::string mine = normalise(ours.expression);
  std::string theirs = normalise(expected_expression);
  bool same_line = expected_line > 0 && ours.line == expected_line;
  if (theirs.empty()) {
    return same_line;
  }
  if (theirs.find('.') == std::string::npos) {
    bool inside = mine.empty() || isPrefixPath(mine, theirs);
    return expected_line > 0 ? inside && same_line : mine.find('.') == std::string::npos;
  }
  if (mine.empty()) {
    return same_line;
  }
  return isPrefixPath(mine, theirs) || isPrefixPath(theirs, mine);
}

bool locatesAnExpectedError(const std::vector<Issue>& issues, const Expectation& expectation) {
  bool any_location = false;
  for (std::size_t i = 0; i < expectation.expressions.size(); ++i) {
    any_location = any_location || hasLocation(expectation.expressions[i], expectation.lines[i]);
  }
  if (!any_location) {
    return true;  // the recorded outcome names no location
  }
  for (const Issue& issue : issues) {
    if (!isError(issue)) {
      continue;
    }
    for (std::size_t i = 0; i < expectation.expressions.size(); ++i) {
      if (hasLocation(expectation.expressions[i], expectation.lines[i]) &&
          sameLocation(issue, expectation.expressions[i], expectation.lines[i])) {
        return true;
      }
    }
  }
  return false;
}

bool hasErrorWithin(const std::vector<Issue>& issues, const std::string& location) {
  for (const Issue& issue : issues) {
    if (isError(issue) && (location.empty() || isPrefixPath(issue.expression, location))) {
      return true;
    }
  }
  return false;
}

std::vector<std::filesystem::path> filesIn(const std::string& folder) {
  std::vector<std::filesystem::path> files;
  for (const auto& path : corpusFiles("fhir")) {
    std::string name = path.filename().string();
    if (path.parent_path().filename() == folder &&
        name.find(".expected-outcome.json") == std::string::npos) {
      files.push_back(path);
    }
  }
  return files;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(validator_corpus)

BOOST_AUTO_TEST_CASE(example_resources_pass_unless_known_to_be_invalid) {
  std::vector<std::filesystem::path> files;
  for (const char* folder : {"r4-examples", "fhir-converter", "fhir-converter-expected"}) {
    auto more = filesIn(folder);
    files.insert(files.end(), more.begin(), more.end());
  }
  if (files.empty()) {
    BOOST_TEST_MESSAGE("FHIR corpus not present; skipping");
    return;
  }

  std::size_t valid = 0;
  for (const auto& path : files) {
    auto issues = validateJson(readFile(path));
    auto known = knownInvalidExamples().find(path.filename().string());
    if (known == knownInvalidExamples().end()) {
      BOOST_CHECK_MESSAGE(errorsOf(issues).empty(), path.filename() << "\n" << describe(issues));
      valid += errorsOf(issues).empty() ? 1 : 0;
    } else {
      BOOST_CHECK_MESSAGE(hasErrorWithin(issues, known->second),
                          path.filename() << " should have an error at " << known->second << "\n"
                                          << describe(issues));
    }
  }
  BOOST_TEST_MESSAGE("FHIR examples: " << valid << " valid, " << files.size() - valid
                                       << " known invalid, of " << files.size());
}

BOOST_AUTO_TEST_CASE(agrees_with_the_recorded_outcomes_of_the_hl7_validator) {
  auto files = filesIn("validator");
  if (files.empty()) {
    BOOST_TEST_MESSAGE("FHIR corpus not present; skipping");
    return;
  }

  std::size_t compared = 0;
  std::size_t verdicts = 0;
  std::size_t locations = 0;
  for (const auto& path : files) {
    std::string name = path.filename().string();
    auto issues = validateJson(readFile(path));
    bool we_reject = !errorsOf(issues).empty();
    auto skip = needsMoreThanBaseSpec().find(name);
    if (skip != needsMoreThanBaseSpec().end()) {
      BOOST_TEST_MESSAGE(name << ": not compared, " << skip->second
                              << " (ours: " << (we_reject ? "invalid" : "valid") << ")");
      continue;
    }
    std::filesystem::path expected_path = path;
    expected_path.replace_extension(".expected-outcome.json");
    auto expectation = readExpectation(expected_path);
    if (!expectation) {
      // No recorded outcome, and SOURCES.md does not mark the file invalid.
      BOOST_CHECK_MESSAGE(!we_reject, name << " (no recorded outcome)\n" << describe(issues));
      continue;
    }

    ++compared;
    bool they_reject = expectation->errors > 0;
    BOOST_CHECK_MESSAGE(we_reject == they_reject,
                        name << ": recorded " << (they_reject ? "invalid" : "valid") << ", ours "
                             << (we_reject ? "invalid" : "valid") << "\n"
                             << describe(issues));
    if (we_reject != they_reject) {
      continue;
    }
    ++verdicts;
    bool located = !they_reject || locatesAnExpectedError(issues, *expectation);
    BOOST_CHECK_MESSAGE(located, name << ": no error at a recorded location\n" << describe(issues));
    locations += located ? 1 : 0;
  }
  BOOST_TEST_MESSAGE("HL7 validator outcomes: verdict agrees on "
                     << verdicts << " of " << compared << ", location on " << locations << "; "
                     << needsMoreThanBaseSpec().size() << " need more than the base spec");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace ferry::testing
