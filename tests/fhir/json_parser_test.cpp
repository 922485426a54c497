#include "engine/fhir/json_parser.h"

#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "engine/fhir/json_writer.h"
#include "support/test_support.h"

namespace ferry::testing {
namespace {

using engine::ErrorCode;
using engine::fhir::Issue;
using engine::fhir::IssueSeverity;
using engine::fhir::JsonLimits;
using engine::fhir::JsonValue;
using engine::fhir::lineAndColumn;
using engine::fhir::ParsedJson;
using engine::fhir::parseFhirJson;
using engine::fhir::writeJson;

ParsedJson parseOk(std::string_view text, const JsonLimits& limits = {}) {
  auto result = parseFhirJson(text, limits);
  BOOST_REQUIRE_MESSAGE(result.isOk(), result.status().toString());
  return std::move(result).value();
}

// The one issue a document is expected to raise.
Issue onlyIssue(std::string_view text) {
  ParsedJson parsed = parseOk(text);
  BOOST_REQUIRE_EQUAL(parsed.issues.size(), 1u);
  return parsed.issues[0];
}

// The fatal issue of a document that must not parse.
Issue fatalIssue(std::string_view text, const JsonLimits& limits = {}) {
  std::vector<Issue> fatal;
  auto result = parseFhirJson(text, limits, &fatal);
  BOOST_REQUIRE(!result.isOk());
  BOOST_CHECK(result.status().code() == ErrorCode::ParseError);
  BOOST_REQUIRE_EQUAL(fatal.size(), 1u);
  BOOST_CHECK(fatal[0].severity == IssueSeverity::Fatal);
  BOOST_CHECK(result.status().context().find("line " + std::to_string(fatal[0].line) + ", column " +
                                             std::to_string(fatal[0].column)) != std::string::npos);
  return fatal[0];
}

const JsonValue& member(const JsonValue& object, std::string_view name) {
  const JsonValue* found = object.find(name);
  BOOST_REQUIRE_MESSAGE(found != nullptr, "missing member " << name);
  return *found;
}

std::string nested(std::size_t depth) {
  return std::string(depth, '[') + "1" + std::string(depth, ']');
}

// Corpus files that are not JSON at all, with the line where reading must stop. Their
// .expected-outcome.json files (the FHIR validator's verdict) call them malformed.
const std::map<std::string, int>& malformedCorpusFiles() {
  static const std::map<std::string, int> files = {
      {"bad-json-close-1.json", 15},              // ']' closes an object
      {"json-comma-bad-1.json", 7},               // comma missing after a member
      {"json-comma-bad-2.json", 9},               // ']' after a trailing comma
      {"json-comments-1.json", 1},                // a // comment
      {"json-no-quotes-1.json", 2},               // member name without quotes
      {"observation-with-trailing-dot.json", 22}  // 925. has no digits after the point
  };
  return files;
}

std::vector<std::filesystem::path> corpusJsonFiles() {
  std::vector<std::filesystem::path> files;
  for (const auto& path : corpusFiles("fhir")) {
    if (path.extension() == ".json") {
      files.push_back(path);
    }
  }
  return files;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(json_parser)

BOOST_AUTO_TEST_CASE(keeps_decimal_literals_exactly_as_written) {
  const std::vector<std::string> literals = {"1.50",
                                             "1.000000000000000000E-245",
                                             "-1.000000000000000000E+245",
                                             "0.000001",
                                             "-0.0",
                                             "123456789012345678901234567890",
                                             "1E-245",
                                             "0",
                                             "1e+2"};
  for (const auto& literal : literals) {
    ParsedJson parsed = parseOk("{\"value\": " + literal + "}");

    const JsonValue& value = member(parsed.root, "value");

    BOOST_CHECK(value.isNumber());
    BOOST_CHECK_EQUAL(value.text(), literal);
  }
}

BOOST_AUTO_TEST_CASE(decodes_unicode_escapes_including_surrogate_pairs) {
  ParsedJson parsed = parseOk(R"(["\u00e9", "\ud83d\ude00", "a\u0000b", "\"\\\/\b\f\n\r\t"])");

  const auto& elements = parsed.root.elements();

  BOOST_REQUIRE_EQUAL(elements.size(), 4u);
  BOOST_CHECK_EQUAL(elements[0].text(), "\xC3\xA9");
  BOOST_CHECK_EQUAL(elements[1].text(), "\xF0\x9F\x98\x80");
  BOOST_CHECK_EQUAL(elements[2].text(), std::string("a\0b", 3));
  BOOST_CHECK_EQUAL(elements[3].text(), "\"\\/\b\f\n\r\t");
}

BOOST_AUTO_TEST_CASE(passes_raw_utf8_through_unchanged) {
  const std::string text = "Zo\xC3\xAB \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x98\x80";

  ParsedJson parsed = parseOk("{\"text\": \"" + text + "\"}");

  BOOST_CHECK_EQUAL(member(parsed.root, "text").text(), text);
}

BOOST_AUTO_TEST_CASE(keeps_members_in_the_order_written) {
  ParsedJson parsed = parseOk(R"({"zeta": 1, "alpha": true, "mid": "x", "beta": [1]})");

  const auto& members = parsed.root.members();

  BOOST_REQUIRE_EQUAL(members.size(), 4u);
  BOOST_CHECK_EQUAL(members[0].first, "zeta");
  BOOST_CHECK_EQUAL(members[1].first, "alpha");
  BOOST_CHECK_EQUAL(members[2].first, "mid");
  BOOST_CHECK_EQUAL(members[3].first, "beta");
  BOOST_CHECK(parsed.issues.empty());
}

BOOST_AUTO_TEST_CASE(records_the_offset_of_each_value) {
  const std::string text = "{\n  \"a\" : \"x\",\n  \"b\": [ 12, {\"c\": false}, null ]\n}";

  ParsedJson parsed = parseOk(text);

  const JsonValue& b = member(parsed.root, "b");
  BOOST_CHECK_EQUAL(parsed.root.offset(), 0u);
  BOOST_CHECK_EQUAL(member(parsed.root, "a").offset(), text.find("\"x\""));
  BOOST_CHECK_EQUAL(b.offset(), text.find('['));
  BOOST_REQUIRE_EQUAL(b.elements().size(), 3u);
  BOOST_CHECK_EQUAL(b.elements()[0].offset(), text.find("12"));
  BOOST_CHECK_EQUAL(b.elements()[1].offset(), text.find("{\"c\""));
  BOOST_CHECK_EQUAL(member(b.elements()[1], "c").offset(), text.find("false"));
  BOOST_CHECK_EQUAL(b.elements()[2].offset(), text.find("null"));
}

BOOST_AUTO_TEST_CASE(reports_a_duplicate_member_at_its_name_and_keeps_the_first) {
  const std::string text =
      "{\n  \"resourceType\": \"Patient\",\n  \"active\": false,\n  \"active\": true\n}";

  ParsedJson parsed = parseOk(text);

  BOOST_REQUIRE_EQUAL(parsed.issues.size(), 1u);
  const Issue& issue = parsed.issues[0];
  BOOST_CHECK(issue.severity == IssueSeverity::Error);
  BOOST_CHECK_EQUAL(issue.code, "structure");
  BOOST_CHECK_EQUAL(issue.expression, "Patient.active");
  BOOST_CHECK_EQUAL(issue.line, 4);
  BOOST_CHECK_EQUAL(issue.column, 3);
  BOOST_REQUIRE_EQUAL(parsed.root.members().size(), 2u);
  BOOST_CHECK(!member(parsed.root, "active").boolean());
}

BOOST_AUTO_TEST_CASE(finds_duplicates_in_large_objects) {
  std::string text = "{";
  for (int i = 0; i < 40; ++i) {
    text += "\"m" + std::to_string(i) + "\": " + std::to_string(i) + ", ";
  }
  text += "\"m7\": 99}";

  ParsedJson parsed = parseOk(text);

  BOOST_REQUIRE_EQUAL(parsed.issues.size(), 1u);
  BOOST_CHECK_EQUAL(parsed.issues[0].expression, "$.m7");
  BOOST_CHECK_EQUAL(parsed.issues[0].column, static_cast<int>(text.rfind("\"m7\"")) + 1);
  BOOST_CHECK_EQUAL(parsed.root.members().size(), 40u);
  BOOST_CHECK_EQUAL(member(parsed.root, "m7").text(), "7");
}

BOOST_AUTO_TEST_CASE(reports_null_as_a_member_value) {
  Issue issue = onlyIssue("{\"resourceType\": \"Patient\",\n \"gender\": null}");

  BOOST_CHECK(issue.severity == IssueSeverity::Error);
  BOOST_CHECK_EQUAL(issue.code, "structure");
  BOOST_CHECK_EQUAL(issue.expression, "Patient.gender");
  BOOST_CHECK_EQUAL(issue.line, 2);
  BOOST_CHECK_EQUAL(issue.column, 12);
}

BOOST_AUTO_TEST_CASE(keeps_null_inside_arrays_without_an_issue) {
  ParsedJson parsed = parseOk(R"({"given": ["A", null], "_given": [null, {"id": "x"}]})");

  BOOST_CHECK(parsed.issues.empty());
  BOOST_REQUIRE_EQUAL(member(parsed.root, "given").elements().size(), 2u);
  BOOST_CHECK(member(parsed.root, "given").elements()[1].isNull());
}

BOOST_AUTO_TEST_CASE(reports_an_empty_object) {
  Issue issue = onlyIssue("{\"resourceType\": \"Patient\", \"name\": [{\"given\": [\"A\"]}, {}]}");

  BOOST_CHECK(issue.severity == IssueSeverity::Error);
  BOOST_CHECK_EQUAL(issue.expression, "Patient.name[1]");
  BOOST_CHECK_EQUAL(issue.line, 1);
  BOOST_CHECK_EQUAL(issue.column, 56);
}

BOOST_AUTO_TEST_CASE(reports_an_empty_array) {
  Issue issue = onlyIssue("{\n\"resourceType\": \"List\",\n\"entry\": [\n]\n}");

  BOOST_CHECK(issue.severity == IssueSeverity::Error);
  BOOST_CHECK_EQUAL(issue.expression, "List.entry");
  BOOST_CHECK_EQUAL(issue.line, 3);
  BOOST_CHECK_EQUAL(issue.column, 10);
}

BOOST_AUTO_TEST_CASE(reports_an_empty_string_with_its_array_index) {
  Issue issue =
      onlyIssue("{\"resourceType\": \"Patient\", \"name\": [{\"given\": [\"A\", \"\"]}]}");

  BOOST_CHECK(issue.severity == IssueSeverity::Error);
  BOOST_CHECK_EQUAL(issue.code, "structure");
  BOOST_CHECK_EQUAL(issue.expression, "Patient.name[0].given[1]");
  BOOST_CHECK_EQUAL(issue.column, 54);
}

BOOST_AUTO_TEST_CASE(reports_a_string_of_only_whitespace) {
  Issue issue = onlyIssue("{\"resourceType\": \"Patient\", \"id\": \" \\t\\n \"}");

  BOOST_CHECK(issue.severity == IssueSeverity::Error);
  BOOST_CHECK_EQUAL(issue.expression, "Patient.id");
  BOOST_CHECK_EQUAL(issue.column, 35);
}

BOOST_AUTO_TEST_CASE(accepts_strings_with_surrounding_whitespace) {
  ParsedJson parsed = parseOk(R"({"text": " padded "})");

  BOOST_CHECK(parsed.issues.empty());
}

BOOST_AUTO_TEST_CASE(names_the_root_by_a_resource_type_written_after_the_problem) {
  Issue issue = onlyIssue(R"({"id": "", "resourceType": "Observation"})");

  BOOST_CHECK_EQUAL(issue.expression, "Observation.id");
}

BOOST_AUTO_TEST_CASE(names_the_root_dollar_without_a_resource_type) {
  BOOST_CHECK_EQUAL(onlyIssue(R"({"a": {}})").expression, "$.a");
  BOOST_CHECK_EQUAL(onlyIssue(R"([1, ""])").expression, "$[1]");
  BOOST_CHECK_EQUAL(onlyIssue(R"({"resourceType": "not a type", "a": []})").expression, "$.a");
}

BOOST_AUTO_TEST_CASE(hides_member_names_that_are_not_element_names) {
  Issue issue = onlyIssue(R"({"resourceType": "Patient", "Doe, Jane": {"x": null}})");

  BOOST_CHECK_EQUAL(issue.expression, "Patient.?.x");
}

BOOST_AUTO_TEST_CASE(lists_issues_in_document_order) {
  ParsedJson parsed = parseOk(R"({"a": {"b": "", "c": []}, "d": null, "a": 1})");

  BOOST_REQUIRE_EQUAL(parsed.issues.size(), 4u);
  BOOST_CHECK_EQUAL(parsed.issues[0].expression, "$.a.b");
  BOOST_CHECK_EQUAL(parsed.issues[1].expression, "$.a.c");
  BOOST_CHECK_EQUAL(parsed.issues[2].expression, "$.d");
  BOOST_CHECK_EQUAL(parsed.issues[3].expression, "$.a");
}

BOOST_AUTO_TEST_CASE(sums_up_issues_past_the_issue_limit) {
  JsonLimits limits;
  limits.max_issues = 3;

  ParsedJson parsed = parseOk(R"(["", "", "", "", ""])", limits);

  BOOST_REQUIRE_EQUAL(parsed.issues.size(), 4u);
  BOOST_CHECK_EQUAL(parsed.issues[2].expression, "$[2]");
  BOOST_CHECK(parsed.issues[3].severity == IssueSeverity::Error);
  BOOST_CHECK(parsed.issues[3].diagnostics.find('2') != std::string::npos);
}

BOOST_AUTO_TEST_CASE(sums_up_every_issue_when_the_issue_limit_is_zero) {
  JsonLimits limits;
  limits.max_issues = 0;

  ParsedJson parsed = parseOk(R"({"a": "", "b": []})", limits);

  BOOST_REQUIRE_EQUAL(parsed.issues.size(), 1u);
  BOOST_CHECK(parsed.issues[0].severity == IssueSeverity::Error);
}

BOOST_AUTO_TEST_CASE(skips_a_leading_bom_with_a_warning) {
  const std::string text = "\xEF\xBB\xBF{\"resourceType\": \"Patient\"}";

  ParsedJson parsed = parseOk(text);

  BOOST_REQUIRE_EQUAL(parsed.issues.size(), 1u);
  BOOST_CHECK(parsed.issues[0].severity == IssueSeverity::Warning);
  BOOST_CHECK_EQUAL(parsed.issues[0].line, 1);
  BOOST_CHECK_EQUAL(parsed.issues[0].column, 1);
  BOOST_CHECK_EQUAL(member(parsed.root, "resourceType").text(), "Patient");
  BOOST_CHECK_EQUAL(parsed.root.offset(), 3u);
}

BOOST_AUTO_TEST_CASE(fails_on_a_syntax_error_with_line_column_and_path) {
  const std::string text =
      "{\n  \"resourceType\": \"Patient\",\n  \"name\": [{\"family\": \"A\"\n"
      "    \"given\": [\"B\"]}]\n}";

  Issue issue = fatalIssue(text);

  BOOST_CHECK_EQUAL(issue.code, "structure");
  BOOST_CHECK_EQUAL(issue.line, 4);
  BOOST_CHECK_EQUAL(issue.column, 5);
  BOOST_CHECK_EQUAL(issue.expression, "Patient.name[0]");
}

BOOST_AUTO_TEST_CASE(never_quotes_content_in_the_error_context) {
  auto result = parseFhirJson(R"({"name": "SECRETVALUE" "x"})");

  BOOST_REQUIRE(!result.isOk());
  BOOST_CHECK(result.status().context().find("SECRETVALUE") == std::string::npos);
  BOOST_CHECK(result.status().context().find("line 1") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(refuses_comments_and_trailing_commas) {
  BOOST_CHECK_EQUAL(fatalIssue("// note\n{\"a\": 1}").line, 1);
  BOOST_CHECK_EQUAL(fatalIssue("{\"a\": [1, 2,]}").column, 13);
  BOOST_CHECK_EQUAL(fatalIssue("{\"a\": 1,}").column, 9);
}

BOOST_AUTO_TEST_CASE(refuses_content_after_the_document) {
  BOOST_CHECK_EQUAL(fatalIssue("{\"a\": 1} {").column, 10);
  BOOST_CHECK_EQUAL(fatalIssue(std::string("{\"a\": 1}\0{", 10)).column, 9);
  BOOST_CHECK_EQUAL(fatalIssue(std::string("{\"a\": \0 1}", 10)).column, 7);
}

BOOST_AUTO_TEST_CASE(refuses_an_empty_document) {
  BOOST_CHECK_EQUAL(fatalIssue("").line, 1);
  BOOST_CHECK_EQUAL(fatalIssue("\xEF\xBB\xBF  \n").line, 2);
}

BOOST_AUTO_TEST_CASE(refuses_invalid_utf8) {
  const std::vector<std::string> bad = {
      "\xC3\x28",          // lead byte without continuation
      "\xC0\xAF",          // overlong '/'
      "\xED\xA0\x80",      // UTF-16 surrogate encoded in UTF-8
      "\xF4\x90\x80\x80",  // past U+10FFFF
      "\xFF",              // never valid
  };
  for (const auto& bytes : bad) {
    Issue issue = fatalIssue("{\n \"a\": \"ok" + bytes + "\"}");

    BOOST_CHECK_EQUAL(issue.line, 2);
    BOOST_CHECK_EQUAL(issue.column, 10);
  }
}

BOOST_AUTO_TEST_CASE(refuses_unpaired_surrogate_escapes) {
  BOOST_CHECK_EQUAL(fatalIssue(R"({"a": "\udc00"})").column, 7);
  BOOST_CHECK_EQUAL(fatalIssue(R"({"a": "\ud800"})").column, 8);
  BOOST_CHECK_EQUAL(fatalIssue(R"({"\udfff": 1})").column, 2);
}

BOOST_AUTO_TEST_CASE(refuses_numbers_json_does_not_allow) {
  BOOST_CHECK_EQUAL(fatalIssue("[01]").column, 3);
  BOOST_CHECK_EQUAL(fatalIssue("[1.]").column, 4);
  BOOST_CHECK_EQUAL(fatalIssue("[+1]").column, 2);
  BOOST_CHECK_EQUAL(fatalIssue("[NaN]").column, 2);
}

BOOST_AUTO_TEST_CASE(fails_cleanly_on_one_hundred_thousand_open_brackets) {
  const std::string text(100000, '[');

  Issue issue = fatalIssue(text);

  BOOST_CHECK_EQUAL(issue.code, "too-costly");
  BOOST_CHECK_EQUAL(issue.column, 65);
}

BOOST_AUTO_TEST_CASE(fails_cleanly_on_deeply_nested_objects) {
  std::string text;
  for (int i = 0; i < 100000; ++i) {
    text += "{\"a\":";
  }

  Issue issue = fatalIssue(text);

  BOOST_CHECK_EQUAL(issue.code, "too-costly");
}

BOOST_AUTO_TEST_CASE(allows_nesting_up_to_the_depth_limit) {
  JsonLimits limits;
  limits.max_depth = 10;

  BOOST_CHECK(parseFhirJson(nested(10), limits).isOk());
  Issue issue = fatalIssue(nested(11), limits);

  BOOST_CHECK_EQUAL(issue.column, 11);
}

BOOST_AUTO_TEST_CASE(refuses_a_document_over_the_size_limit) {
  JsonLimits limits;
  limits.max_bytes = 16;

  BOOST_CHECK(parseFhirJson(R"({"a": "1234567"})", limits).isOk());
  Issue issue = fatalIssue(R"({"a": "12345678"})", limits);

  BOOST_CHECK_EQUAL(issue.code, "too-costly");
  BOOST_CHECK_EQUAL(issue.column, 17);
  BOOST_CHECK(issue.expression.empty());
}

BOOST_AUTO_TEST_CASE(refuses_more_values_than_the_node_limit) {
  JsonLimits limits;
  limits.max_nodes = 4;

  BOOST_CHECK(parseFhirJson("[1, 2, 3]", limits).isOk());
  Issue issue = fatalIssue("[1, 2, 3, 4]", limits);

  BOOST_CHECK_EQUAL(issue.code, "too-costly");
  BOOST_CHECK_EQUAL(issue.column, 11);
  BOOST_CHECK_EQUAL(issue.expression, "$[3]");
}

BOOST_AUTO_TEST_CASE(fatal_issues_receive_nothing_on_success) {
  std::vector<Issue> fatal;

  auto result = parseFhirJson(R"({"a": ""})", {}, &fatal);

  BOOST_CHECK(result.isOk());
  BOOST_CHECK(fatal.empty());
}

BOOST_AUTO_TEST_CASE(line_and_column_count_lf_crlf_and_cr_line_ends) {
  const std::string text = "ab\ncd\r\nef\rgh";

  BOOST_CHECK(lineAndColumn(text, 0) == std::make_pair(1, 1));
  BOOST_CHECK(lineAndColumn(text, 4) == std::make_pair(2, 2));
  BOOST_CHECK(lineAndColumn(text, 7) == std::make_pair(3, 1));
  BOOST_CHECK(lineAndColumn(text, 11) == std::make_pair(4, 2));
  BOOST_CHECK(lineAndColumn(text, 999) == std::make_pair(4, 3));
}

BOOST_AUTO_TEST_CASE(line_index_agrees_with_line_and_column_at_every_offset) {
  const std::string text = "{\r\n\"a\":\r1,\n\n\"b\" : 2\r\n}\r";

  engine::fhir::LineIndex index(text);

  for (std::size_t offset = 0; offset <= text.size() + 1; ++offset) {
    BOOST_CHECK_MESSAGE(index.locate(offset) == lineAndColumn(text, offset), "offset " << offset);
  }
}

BOOST_AUTO_TEST_CASE(parses_every_well_formed_corpus_file) {
  auto files = corpusJsonFiles();
  if (files.empty()) {
    BOOST_TEST_MESSAGE("corpus fhir/ absent: skipped");
    return;
  }

  int parsed = 0;
  for (const auto& path : files) {
    if (malformedCorpusFiles().count(path.filename().string()) != 0) {
      continue;
    }
    std::vector<Issue> fatal;
    auto result = parseFhirJson(readFile(path), {}, &fatal);
    BOOST_CHECK_MESSAGE(result.isOk(), path.filename() << ": " << result.status().toString());
    parsed += result.isOk() ? 1 : 0;
  }

  BOOST_CHECK_GT(parsed, 50);
}

BOOST_AUTO_TEST_CASE(refuses_malformed_corpus_files_at_the_right_line) {
  auto files = corpusJsonFiles();
  if (files.empty()) {
    BOOST_TEST_MESSAGE("corpus fhir/ absent: skipped");
    return;
  }

  std::size_t seen = 0;
  for (const auto& path : files) {
    auto expected = malformedCorpusFiles().find(path.filename().string());
    if (expected == malformedCorpusFiles().end()) {
      continue;
    }
    ++seen;
    std::vector<Issue> fatal;
    auto result = parseFhirJson(readFile(path), {}, &fatal);

    BOOST_REQUIRE_MESSAGE(!result.isOk(), path.filename());
    BOOST_CHECK(result.status().code() == ErrorCode::ParseError);
    BOOST_REQUIRE_EQUAL(fatal.size(), 1u);
    BOOST_CHECK_MESSAGE(fatal[0].line == expected->second, path.filename()
                                                               << ": line " << fatal[0].line);
    BOOST_CHECK(result.status().context().find("line " + std::to_string(expected->second) + ",") ==
                0);
  }

  BOOST_CHECK_EQUAL(seen, malformedCorpusFiles().size());
}

BOOST_AUTO_TEST_CASE(survives_truncated_and_corrupted_corpus_files) {
  std::vector<std::string> documents;
  for (const auto& path : corpusJsonFiles()) {
    documents.push_back(readFile(path));
  }
  if (documents.empty()) {
    BOOST_TEST_MESSAGE("corpus fhir/ absent: skipped");
    return;
  }
  // Structural characters, a NUL byte and bytes that start or break UTF-8 sequences.
  const std::string noise("{}[]\":,\\ \n0-.eEu\0\xff\xc3\xed", 20);
  std::mt19937 random(20240607);
  auto pick = [&random](std::size_t bound) {
    return std::uniform_int_distribution<std::size_t>(0, bound - 1)(random);
  };

  int trees = 0;
  int errors = 0;
  for (int round = 0; round < 4000; ++round) {
    std::string bytes = documents[pick(documents.size())];
    if (bytes.empty()) {
      continue;
    }
    switch (round % 4) {
      case 0:
        bytes.resize(pick(bytes.size()));
        break;
      case 1:
        for (int flips = 0; flips < 3; ++flips) {
          bytes[pick(bytes.size())] ^= static_cast<char>(1 + pick(255));
        }
        break;
      case 2:
        bytes[pick(bytes.size())] = noise[pick(noise.size())];
        break;
      default:
        bytes.erase(pick(bytes.size()), 1 + pick(8));
        break;
    }
    std::vector<Issue> fatal;
    auto result = parseFhirJson(bytes, {}, &fatal);

    if (result.isOk()) {
      ++trees;
      BOOST_CHECK(fatal.empty());
      auto again = parseFhirJson(writeJson(result.value().root));
      BOOST_REQUIRE(again.isOk());
      BOOST_CHECK(again.value().root == result.value().root);
    } else {
      ++errors;
      BOOST_CHECK(result.status().code() == ErrorCode::ParseError);
      BOOST_CHECK_EQUAL(result.status().context().rfind("line ", 0), 0u);
      BOOST_CHECK_EQUAL(fatal.size(), 1u);
    }
  }

  BOOST_TEST_MESSAGE("mutations: " << trees << " trees, " << errors << " errors");
  BOOST_CHECK_GT(errors, 0);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace ferry::testing
