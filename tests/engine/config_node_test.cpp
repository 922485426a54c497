#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "engine/config/config_node.h"
#include "support/test_support.h"

namespace {

using ferry::engine::ErrorCode;
using ferry::engine::config::ConfigError;
using ferry::engine::config::ConfigErrors;
using ferry::engine::config::ConfigNode;

constexpr std::int64_t kInt64Min = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t kInt64Max = std::numeric_limits<std::int64_t>::max();

ConfigNode parseOrFail(std::string_view text, std::string file = "test.json") {
  auto parsed = ConfigNode::parse(text, std::move(file));
  BOOST_REQUIRE_MESSAGE(parsed.isOk(), parsed.status().toString());
  return parsed.value();
}

// The context of a parse failure; fails the test when the text parsed.
std::string parseFailure(std::string_view text, std::string file = "test.json") {
  auto parsed = ConfigNode::parse(text, std::move(file));
  BOOST_REQUIRE_MESSAGE(!parsed.isOk(), "parsed although it should not have");
  BOOST_CHECK(parsed.status().code() == ErrorCode::ConfigError);
  return parsed.status().context();
}

bool contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

// Follows a JSON pointer made of plain keys and array indexes ("/a/0/b").
ConfigNode at(const ConfigNode& root, std::string_view pointer) {
  ConfigNode node = root;
  std::size_t start = 1;
  while (start <= pointer.size() && !pointer.empty()) {
    std::size_t end = pointer.find('/', start);
    std::string token(pointer.substr(start, end == std::string_view::npos ? end : end - start));
    if (node.isArray()) {
      auto elements = node.elements();
      std::size_t index = std::stoul(token);
      BOOST_REQUIRE_LT(index, elements.size());
      node = elements[index];
    } else {
      auto child = node.member(token);
      BOOST_REQUIRE_MESSAGE(child.has_value(), "no member '" + token + "'");
      node = *child;
    }
    if (end == std::string_view::npos) {
      break;
    }
    start = end + 1;
  }
  return node;
}

std::string deeplyNestedArrays(int depth) {
  return std::string(static_cast<std::size_t>(depth), '[') +
         std::string(static_cast<std::size_t>(depth), ']');
}

}  // namespace

BOOST_AUTO_TEST_SUITE(config_node)

BOOST_AUTO_TEST_CASE(reads_values_of_every_type) {
  ConfigNode root = parseOrFail(
      R"({"s": "text", "i": 42, "d": 2.5, "t": true, "f": false, "n": null, "a": [], "o": {}})");

  BOOST_REQUIRE(root.isObject());
  BOOST_CHECK(at(root, "/s").type() == ConfigNode::Type::String);
  BOOST_CHECK_EQUAL(at(root, "/s").asString(), "text");
  BOOST_CHECK(at(root, "/i").type() == ConfigNode::Type::Number);
  BOOST_CHECK_EQUAL(at(root, "/i").asNumber(), 42.0);
  BOOST_CHECK(at(root, "/i").isInteger());
  BOOST_CHECK_EQUAL(at(root, "/d").asNumber(), 2.5);
  BOOST_CHECK(!at(root, "/d").isInteger());
  BOOST_CHECK(at(root, "/t").type() == ConfigNode::Type::Bool);
  BOOST_CHECK(at(root, "/t").asBool());
  BOOST_CHECK(!at(root, "/f").asBool());
  BOOST_CHECK(at(root, "/n").type() == ConfigNode::Type::Null);
  BOOST_CHECK(at(root, "/a").isArray());
  BOOST_CHECK(at(root, "/o").isObject());
}

BOOST_AUTO_TEST_CASE(names_each_type_in_words) {
  ConfigNode root = parseOrFail(R"({"s": "x", "i": 1, "t": true, "n": null, "a": [], "o": {}})");

  BOOST_CHECK_EQUAL(at(root, "/s").typeName(), "string");
  BOOST_CHECK_EQUAL(at(root, "/i").typeName(), "number");
  BOOST_CHECK_EQUAL(at(root, "/t").typeName(), "boolean");
  BOOST_CHECK_EQUAL(at(root, "/n").typeName(), "null");
  BOOST_CHECK_EQUAL(at(root, "/a").typeName(), "array");
  BOOST_CHECK_EQUAL(at(root, "/o").typeName(), "object");
}

BOOST_AUTO_TEST_CASE(keeps_members_and_elements_in_document_order) {
  ConfigNode root = parseOrFail(R"({"zeta": 1, "alpha": 2, "mid": [3, "x", 5]})");

  auto members = root.members();
  BOOST_REQUIRE_EQUAL(members.size(), 3u);
  BOOST_CHECK_EQUAL(members[0].first, "zeta");
  BOOST_CHECK_EQUAL(members[1].first, "alpha");
  BOOST_CHECK_EQUAL(members[2].first, "mid");
  auto elements = members[2].second.elements();
  BOOST_REQUIRE_EQUAL(elements.size(), 3u);
  BOOST_CHECK_EQUAL(elements[0].asNumber(), 3.0);
  BOOST_CHECK_EQUAL(elements[1].asString(), "x");
  BOOST_CHECK_EQUAL(elements[2].asNumber(), 5.0);
}

BOOST_AUTO_TEST_CASE(returns_no_member_for_an_absent_key) {
  ConfigNode root = parseOrFail(R"({"present": 1})");

  BOOST_CHECK(!root.member("absent").has_value());
  BOOST_CHECK(root.member("present").has_value());
}

BOOST_AUTO_TEST_CASE(root_has_empty_pointer_and_remembers_its_file) {
  ConfigNode root = parseOrFail("{}", "engine.jsonc");

  BOOST_CHECK_EQUAL(root.path(), "");
  BOOST_CHECK_EQUAL(root.file(), "engine.jsonc");
  BOOST_CHECK_EQUAL(root.line(), 1);
}

BOOST_AUTO_TEST_CASE(records_line_of_every_member_value) {
  ConfigNode root = parseOrFail(
      "{\n"
      "  \"first\": 1,\n"
      "  \"second\": \"two\",\n"
      "\n"
      "  \"third\": {\n"
      "    \"inner\": true\n"
      "  }\n"
      "}\n");

  BOOST_CHECK_EQUAL(at(root, "/first").line(), 2);
  BOOST_CHECK_EQUAL(at(root, "/second").line(), 3);
  BOOST_CHECK_EQUAL(at(root, "/third").line(), 5);
  BOOST_CHECK_EQUAL(at(root, "/third/inner").line(), 6);
}

BOOST_AUTO_TEST_CASE(records_line_and_pointer_of_values_in_arrays_in_objects_in_arrays) {
  ConfigNode root = parseOrFail(
      "{\n"                                                               // 1
      "  \"routes\": [\n"                                                 // 2
      "    {\n"                                                           // 3
      "      \"name\": \"r0\",\n"                                         // 4
      "      \"destinations\": [\n"                                       // 5
      "        {\"name\": \"d0\"},\n"                                     // 6
      "        {\n"                                                       // 7
      "          \"name\": \"d1\",\n"                                     // 8
      "          \"tags\": [\"a\",\n"                                     // 9
      "                   \"b\"]\n"                                       // 10
      "        }\n"                                                       // 11
      "      ]\n"                                                         // 12
      "    },\n"                                                          // 13
      "    {\"name\": \"r1\", \"destinations\": [{\"name\": \"d2\"}]}\n"  // 14
      "  ]\n"                                                             // 15
      "}\n");

  ConfigNode d1_name = at(root, "/routes/0/destinations/1/name");
  BOOST_CHECK_EQUAL(d1_name.asString(), "d1");
  BOOST_CHECK_EQUAL(d1_name.path(), "/routes/0/destinations/1/name");
  BOOST_CHECK_EQUAL(d1_name.line(), 8);

  BOOST_CHECK_EQUAL(at(root, "/routes/0/destinations/0").path(), "/routes/0/destinations/0");
  BOOST_CHECK_EQUAL(at(root, "/routes/0/destinations/0").line(), 6);
  BOOST_CHECK_EQUAL(at(root, "/routes/0/destinations/1").line(), 7);
  BOOST_CHECK_EQUAL(at(root, "/routes/0/destinations/1/tags/0").path(),
                    "/routes/0/destinations/1/tags/0");
  BOOST_CHECK_EQUAL(at(root, "/routes/0/destinations/1/tags/0").line(), 9);
  BOOST_CHECK_EQUAL(at(root, "/routes/0/destinations/1/tags/1").path(),
                    "/routes/0/destinations/1/tags/1");
  BOOST_CHECK_EQUAL(at(root, "/routes/0/destinations/1/tags/1").line(), 10);
  BOOST_CHECK_EQUAL(at(root, "/routes/1").path(), "/routes/1");
  BOOST_CHECK_EQUAL(at(root, "/routes/1").line(), 14);
  BOOST_CHECK_EQUAL(at(root, "/routes/1/destinations/0/name").path(),
                    "/routes/1/destinations/0/name");
  BOOST_CHECK_EQUAL(at(root, "/routes/1/destinations/0/name").line(), 14);
  BOOST_CHECK_EQUAL(at(root, "/routes/1/destinations/0/name").file(), "test.json");
}

BOOST_AUTO_TEST_CASE(escapes_slash_and_tilde_in_pointer_tokens) {
  ConfigNode root = parseOrFail(R"({"a/b~c": {"x": 1}})");

  auto child = root.member("a/b~c");
  BOOST_REQUIRE(child.has_value());
  BOOST_CHECK_EQUAL(child->path(), "/a~1b~0c");
  BOOST_CHECK_EQUAL(child->member("x")->path(), "/a~1b~0c/x");
}

BOOST_AUTO_TEST_CASE(counts_lines_of_crlf_text) {
  ConfigNode root = parseOrFail("{\r\n  \"a\": 1,\r\n  \"b\": 2\r\n}\r\n");

  BOOST_CHECK_EQUAL(at(root, "/a").line(), 2);
  BOOST_CHECK_EQUAL(at(root, "/b").line(), 3);
}

BOOST_AUTO_TEST_CASE(accepts_line_and_block_comments_anywhere_between_tokens) {
  ConfigNode root = parseOrFail(
      "// leading line comment\n"
      "/* leading block comment */\n"
      "{\n"
      "  \"a\": 1, // after a value\n"
      "  /* before a key */ \"b\": /* before a value */ [1, /* inside */ 2],\n"
      "  \"c\": \"// not a comment /* either */\"\n"
      "}\n");

  BOOST_CHECK_EQUAL(at(root, "/a").asNumber(), 1.0);
  BOOST_CHECK_EQUAL(at(root, "/b").elements().size(), 2u);
  BOOST_CHECK_EQUAL(at(root, "/c").asString(), "// not a comment /* either */");
}

BOOST_AUTO_TEST_CASE(counts_lines_inside_multi_line_block_comments) {
  ConfigNode root = parseOrFail(
      "{\n"
      "  /* one\n"
      "     two\n"
      "     three */\n"
      "  \"after\": 1\n"
      "}\n");

  BOOST_CHECK_EQUAL(at(root, "/after").line(), 5);
}

BOOST_AUTO_TEST_CASE(accepts_comments_and_whitespace_after_the_document) {
  ConfigNode root = parseOrFail("{\"a\": 1}\n// trailing line comment\n/* trailing block */\n\n");

  BOOST_CHECK_EQUAL(at(root, "/a").asNumber(), 1.0);
}

BOOST_AUTO_TEST_CASE(rejects_text_after_the_document_with_its_line) {
  std::string why = parseFailure("{\"a\": 1}\n\nextra\n", "trailing.json");

  BOOST_CHECK_MESSAGE(contains(why, "trailing.json:3"), why);
}

BOOST_AUTO_TEST_CASE(rejects_a_second_document) {
  std::string why = parseFailure("{\"a\": 1}\n{\"b\": 2}\n");

  BOOST_CHECK_MESSAGE(contains(why, "test.json:2"), why);
}

BOOST_AUTO_TEST_CASE(rejects_a_stray_slash_after_the_document) {
  std::string why = parseFailure("{\"a\": 1} /oops\n");

  BOOST_CHECK_MESSAGE(contains(why, "test.json:1"), why);
}

BOOST_AUTO_TEST_CASE(rejects_text_following_a_trailing_comment) {
  std::string why = parseFailure("{\"a\": 1}\n// a comment\ngarbage\n");

  BOOST_CHECK_MESSAGE(contains(why, "test.json:3"), why);
}

BOOST_AUTO_TEST_CASE(rejects_an_unterminated_trailing_block_comment) {
  std::string why = parseFailure("{\"a\": 1}\n/* never closed\n");

  BOOST_CHECK_MESSAGE(contains(why, "test.json:"), why);
}

BOOST_AUTO_TEST_CASE(rejects_text_hidden_after_a_nul_byte) {
  const std::string text("{\"a\": 1}\n\0{\"b\": 2}\n", 19);

  std::string why = parseFailure(text);

  BOOST_CHECK_MESSAGE(contains(why, "test.json:2"), why);
}

BOOST_AUTO_TEST_CASE(reports_syntax_error_with_file_and_line) {
  std::string why = parseFailure(
      "{\n"
      "  \"a\": 1,\n"
      "  \"b\" 2\n"
      "}\n",
      "broken.json");

  BOOST_CHECK_MESSAGE(contains(why, "broken.json:3: "), why);
}

BOOST_AUTO_TEST_CASE(rejects_an_empty_document) {
  std::string why = parseFailure("  // only a comment\n");

  BOOST_CHECK_MESSAGE(contains(why, "test.json:"), why);
}

BOOST_AUTO_TEST_CASE(rejects_invalid_utf8_in_a_string) {
  std::string why = parseFailure("{\"a\": \"\xC3\x28\"}");

  BOOST_CHECK_MESSAGE(contains(why, "test.json:1"), why);
}

BOOST_AUTO_TEST_CASE(reports_duplicate_key_with_its_line) {
  std::string why = parseFailure(
      "{\n"
      "  \"name\": \"a\",\n"
      "  \"port\": 1,\n"
      "  \"name\": \"b\"\n"
      "}\n",
      "dup.json");

  BOOST_CHECK_MESSAGE(contains(why, "dup.json:4: "), why);
  BOOST_CHECK_MESSAGE(contains(why, "duplicate key 'name'"), why);
}

BOOST_AUTO_TEST_CASE(reports_duplicate_key_inside_a_nested_object) {
  std::string why = parseFailure(
      "{\"routes\": [\n"
      "  {\"retry\": {\"max_attempts\": 1,\n"
      "             \"max_attempts\": 2}}\n"
      "]}\n");

  BOOST_CHECK_MESSAGE(contains(why, "test.json:3: "), why);
  BOOST_CHECK_MESSAGE(contains(why, "duplicate key 'max_attempts'"), why);
}

BOOST_AUTO_TEST_CASE(allows_the_same_key_in_different_objects) {
  ConfigNode root = parseOrFail(R"({"a": {"name": 1}, "b": {"name": 2}, "name": 3})");

  BOOST_CHECK_EQUAL(at(root, "/a/name").asNumber(), 1.0);
  BOOST_CHECK_EQUAL(at(root, "/b/name").asNumber(), 2.0);
  BOOST_CHECK_EQUAL(at(root, "/name").asNumber(), 3.0);
}

BOOST_AUTO_TEST_CASE(accepts_nesting_up_to_sixty_four_levels) {
  ConfigNode root = parseOrFail(deeplyNestedArrays(64));

  int depth = 1;
  ConfigNode node = root;
  while (!node.elements().empty()) {
    node = node.elements()[0];
    ++depth;
  }
  BOOST_CHECK_EQUAL(depth, 64);
}

BOOST_AUTO_TEST_CASE(refuses_nesting_deeper_than_sixty_four_levels) {
  std::string why = parseFailure(deeplyNestedArrays(65));

  BOOST_CHECK_MESSAGE(contains(why, "nesting deeper than 64"), why);
  BOOST_CHECK_MESSAGE(contains(why, "test.json:1"), why);
}

BOOST_AUTO_TEST_CASE(refuses_hostile_nesting_without_crashing) {
  std::string why = parseFailure(deeplyNestedArrays(100000));

  BOOST_CHECK_MESSAGE(contains(why, "nesting deeper than"), why);
}

BOOST_AUTO_TEST_CASE(parse_file_remembers_the_path_for_line_and_errors) {
  ferry::testing::TempDir dir;
  auto path = dir.path() / "engine.jsonc";
  ferry::testing::writeFile(path, "{\n  \"a\": 1\n}\n");

  auto parsed = ConfigNode::parseFile(path.string());

  BOOST_REQUIRE_MESSAGE(parsed.isOk(), parsed.status().toString());
  BOOST_CHECK_EQUAL(parsed.value().file(), path.string());
  BOOST_CHECK_EQUAL(at(parsed.value(), "/a").line(), 2);
}

BOOST_AUTO_TEST_CASE(parse_file_reports_a_missing_file_by_path) {
  ferry::testing::TempDir dir;
  std::string path = (dir.path() / "absent.json").string();

  auto parsed = ConfigNode::parseFile(path);

  BOOST_REQUIRE(!parsed.isOk());
  BOOST_CHECK(parsed.status().code() == ErrorCode::ConfigError);
  BOOST_CHECK_MESSAGE(contains(parsed.status().context(), path), parsed.status().context());
}

BOOST_AUTO_TEST_CASE(nodes_keep_the_tree_alive_after_the_root_is_gone) {
  std::optional<ConfigNode> leaf;
  {
    ConfigNode root = parseOrFail(R"({"a": {"b": ["kept"]}})");
    leaf = at(root, "/a/b/0");
  }

  BOOST_CHECK_EQUAL(leaf->asString(), "kept");
  BOOST_CHECK_EQUAL(leaf->path(), "/a/b/0");
  BOOST_CHECK_EQUAL(leaf->file(), "test.json");
}

BOOST_AUTO_TEST_CASE(get_string_returns_the_value_without_errors) {
  ConfigNode root = parseOrFail(R"({"name": "ferry"})");
  ConfigErrors errors;

  std::string name = root.getString("name", errors);

  BOOST_CHECK_EQUAL(name, "ferry");
  BOOST_CHECK(errors.empty());
}

BOOST_AUTO_TEST_CASE(get_string_returns_the_fallback_for_a_missing_optional_key) {
  ConfigNode root = parseOrFail(R"({})");
  ConfigErrors errors;

  std::string name = root.getString("name", errors, std::string("default"));

  BOOST_CHECK_EQUAL(name, "default");
  BOOST_CHECK(errors.empty());
}

BOOST_AUTO_TEST_CASE(reports_a_missing_required_key_against_the_parent_object) {
  ConfigNode root = parseOrFail(
      "{\n"
      "  \"routes\": [\n"
      "    {\n"
      "      \"destinations\": [\n"
      "        {\"type\": \"file\"}\n"
      "      ]\n"
      "    }\n"
      "  ]\n"
      "}\n",
      "missing.json");
  ConfigNode destination = at(root, "/routes/0/destinations/0");
  ConfigErrors errors;

  std::string name = destination.getString("name", errors);

  BOOST_CHECK_EQUAL(name, "");
  BOOST_REQUIRE_EQUAL(errors.all().size(), 1u);
  const ConfigError& error = errors.all()[0];
  BOOST_CHECK_EQUAL(error.file, "missing.json");
  BOOST_CHECK_EQUAL(error.line, 5);
  BOOST_CHECK_EQUAL(error.json_path, "/routes/0/destinations/0");
  BOOST_CHECK_MESSAGE(contains(error.message, "'name'"), error.message);
  BOOST_CHECK_MESSAGE(contains(error.message, "missing"), error.message);
}

BOOST_AUTO_TEST_CASE(reports_a_missing_required_key_of_the_root_against_slash) {
  ConfigNode root = parseOrFail("{}");
  ConfigErrors errors;

  (void)root.getBool("enabled", errors);

  BOOST_REQUIRE_EQUAL(errors.all().size(), 1u);
  BOOST_CHECK_EQUAL(errors.all()[0].json_path, "/");
  BOOST_CHECK_EQUAL(errors.all()[0].line, 1);
}

BOOST_AUTO_TEST_CASE(get_string_reports_a_wrong_type_at_the_value_and_returns_the_fallback) {
  ConfigNode root = parseOrFail("{\n  \"engine\": {\n    \"name\": 7\n  }\n}\n");
  ConfigErrors errors;

  std::string name = at(root, "/engine").getString("name", errors, std::string("ferry"));

  BOOST_CHECK_EQUAL(name, "ferry");
  BOOST_REQUIRE_EQUAL(errors.all().size(), 1u);
  BOOST_CHECK_EQUAL(errors.all()[0].json_path, "/engine/name");
  BOOST_CHECK_EQUAL(errors.all()[0].line, 3);
  BOOST_CHECK_MESSAGE(contains(errors.all()[0].message, "string"), errors.all()[0].message);
  BOOST_CHECK_MESSAGE(contains(errors.all()[0].message, "number"), errors.all()[0].message);
}

BOOST_AUTO_TEST_CASE(get_int_returns_values_at_both_inclusive_bounds) {
  ConfigNode root = parseOrFail(R"({"low": 1, "high": 65535, "negative": -5})");
  ConfigErrors errors;

  BOOST_CHECK_EQUAL(root.getInt("low", errors, std::nullopt, 1, 65535), 1);
  BOOST_CHECK_EQUAL(root.getInt("high", errors, std::nullopt, 1, 65535), 65535);
  BOOST_CHECK_EQUAL(root.getInt("negative", errors, std::nullopt, -10, 0), -5);
  BOOST_CHECK(errors.empty());
}

BOOST_AUTO_TEST_CASE(get_int_reports_values_out_of_range_naming_the_path_and_bounds) {
  ConfigNode root = parseOrFail("{\n  \"listener\": {\n    \"port\": 70000\n  }\n}\n");
  ConfigErrors errors;

  std::int64_t port = at(root, "/listener").getInt("port", errors, 2575, 0, 65535);

  BOOST_CHECK_EQUAL(port, 2575);
  BOOST_REQUIRE_EQUAL(errors.all().size(), 1u);
  const ConfigError& error = errors.all()[0];
  BOOST_CHECK_EQUAL(error.json_path, "/listener/port");
  BOOST_CHECK_EQUAL(error.line, 3);
  BOOST_CHECK_MESSAGE(contains(error.message, "0") && contains(error.message, "65535"),
                      error.message);
}

BOOST_AUTO_TEST_CASE(get_int_reports_values_just_below_the_minimum) {
  ConfigNode root = parseOrFail(R"({"n": 0})");
  ConfigErrors errors;

  (void)root.getInt("n", errors, std::nullopt, 1, 10);

  BOOST_REQUIRE_EQUAL(errors.all().size(), 1u);
  BOOST_CHECK_EQUAL(errors.all()[0].json_path, "/n");
}

BOOST_AUTO_TEST_CASE(get_int_reports_a_fraction_as_a_type_error) {
  ConfigNode root = parseOrFail(R"({"n": 1.5})");
  ConfigErrors errors;

  std::int64_t n = root.getInt("n", errors, 3, 0, 10);

  BOOST_CHECK_EQUAL(n, 3);
  BOOST_REQUIRE_EQUAL(errors.all().size(), 1u);
  BOOST_CHECK_EQUAL(errors.all()[0].json_path, "/n");
  BOOST_CHECK_MESSAGE(contains(errors.all()[0].message, "integer"), errors.all()[0].message);
}

BOOST_AUTO_TEST_CASE(get_int_reports_a_string_as_a_type_error) {
  ConfigNode root = parseOrFail(R"({"n": "5"})");
  ConfigErrors errors;

  (void)root.getInt("n", errors, std::nullopt, 0, 10);

  BOOST_REQUIRE_EQUAL(errors.all().size(), 1u);
  BOOST_CHECK_EQUAL(errors.all()[0].json_path, "/n");
  BOOST_CHECK_MESSAGE(contains(errors.all()[0].message, "found string"), errors.all()[0].message);
}

BOOST_AUTO_TEST_CASE(get_int_reports_a_missing_required_key) {
  ConfigNode root = parseOrFail(R"({"other": 1})");
  ConfigErrors errors;

  (void)root.getInt("n", errors, std::nullopt, 0, 10);

  BOOST_REQUIRE_EQUAL(errors.all().size(), 1u);
  BOOST_CHECK_EQUAL(errors.all()[0].json_path, "/");
  BOOST_CHECK_MESSAGE(contains(errors.all()[0].message, "'n'"), errors.all()[0].message);
}

BOOST_AUTO_TEST_CASE(get_int_returns_large_integers_exactly) {
  // 2^53 + 1 is the first integer a double cannot hold.
  ConfigNode root = parseOrFail(R"({"n": 9007199254740993})");
  ConfigErrors errors;

  std::int64_t n = root.getInt("n", errors, std::nullopt, 0, kInt64Max);

  BOOST_CHECK(errors.empty());
  BOOST_CHECK_EQUAL(n, 9007199254740993LL);
}

BOOST_AUTO_TEST_CASE(get_int_reports_a_value_past_int64_max_as_out_of_range) {
  // 2^63: one past the largest int64.
  ConfigNode root = parseOrFail(R"({"n": 9223372036854775808})");
  ConfigErrors errors;

  std::int64_t n = root.getInt("n", errors, 0, kInt64Min, kInt64Max);

  BOOST_CHECK_EQUAL(errors.all().size(), 1u);
  BOOST_CHECK_EQUAL(n, 0);
}

BOOST_AUTO_TEST_CASE(get_int_reads_the_int64_extremes_exactly) {
  ConfigNode root = parseOrFail(R"({"max": 9223372036854775807, "min": -9223372036854775808})");
  ConfigErrors errors;

  BOOST_CHECK_EQUAL(root.getInt("max", errors, std::nullopt, kInt64Min, kInt64Max), kInt64Max);
  BOOST_CHECK_EQUAL(root.getInt("min", errors, std::nullopt, kInt64Min, kInt64Max), kInt64Min);
  BOOST_CHECK(errors.empty());
}

BOOST_AUTO_TEST_CASE(get_int_reads_an_integral_exponent_literal) {
  ConfigNode root = parseOrFail(R"({"n": 1e3})");
  ConfigErrors errors;

  BOOST_CHECK_EQUAL(root.getInt("n", errors, std::nullopt, 0, 10000), 1000);
  BOOST_CHECK(errors.empty());
}

BOOST_AUTO_TEST_CASE(keeps_the_value_of_an_integer_literal_beyond_int64) {
  ConfigNode root = parseOrFail(R"({"n": 10000000000000000000})");
  ConfigErrors errors;

  double n = root.getNumber("n", errors, std::nullopt, 0.0, 1e300);

  BOOST_CHECK(errors.empty());
  BOOST_CHECK_EQUAL(n, 1e19);
  BOOST_CHECK_EQUAL(at(root, "/n").asNumber(), 1e19);
}

BOOST_AUTO_TEST_CASE(get_number_accepts_fractions_and_integers_within_range) {
  ConfigNode root = parseOrFail(R"({"a": 1.5, "b": 3})");
  ConfigErrors errors;

  BOOST_CHECK_EQUAL(root.getNumber("a", errors, std::nullopt, 1.0, 100.0), 1.5);
  BOOST_CHECK_EQUAL(root.getNumber("b", errors, std::nullopt, 1.0, 100.0), 3.0);
  BOOST_CHECK_EQUAL(root.getNumber("c", errors, 2.0, 1.0, 100.0), 2.0);
  BOOST_CHECK(errors.empty());
}

BOOST_AUTO_TEST_CASE(get_number_reports_range_and_type_errors_at_each_path) {
  ConfigNode root = parseOrFail(R"({"retry": {"multiplier": 0.5, "jitter": "x"}})");
  ConfigNode retry = at(root, "/retry");
  ConfigErrors errors;

  double multiplier = retry.getNumber("multiplier", errors, 2.0, 1.0, 100.0);
  double jitter = retry.getNumber("jitter", errors, 0.1, 0.0, 1.0);

  BOOST_CHECK_EQUAL(multiplier, 2.0);
  BOOST_CHECK_EQUAL(jitter, 0.1);
  BOOST_REQUIRE_EQUAL(errors.all().size(), 2u);
  BOOST_CHECK_EQUAL(errors.all()[0].json_path, "/retry/multiplier");
  BOOST_CHECK_MESSAGE(contains(errors.all()[0].message, "between"), errors.all()[0].message);
  BOOST_CHECK_EQUAL(errors.all()[1].json_path, "/retry/jitter");
  BOOST_CHECK_MESSAGE(contains(errors.all()[1].message, "number"), errors.all()[1].message);
}

BOOST_AUTO_TEST_CASE(get_bool_reads_true_false_and_the_fallback) {
  ConfigNode root = parseOrFail(R"({"yes": true, "no": false})");
  ConfigErrors errors;

  BOOST_CHECK(root.getBool("yes", errors));
  BOOST_CHECK(!root.getBool("no", errors, true));
  BOOST_CHECK(root.getBool("absent", errors, true));
  BOOST_CHECK(!root.getBool("absent", errors, false));
  BOOST_CHECK(errors.empty());
}

BOOST_AUTO_TEST_CASE(get_bool_reports_a_string_that_looks_like_a_boolean) {
  ConfigNode root = parseOrFail(R"({"ordered": "true"})");
  ConfigErrors errors;

  bool ordered = root.getBool("ordered", errors, false);

  BOOST_CHECK(!ordered);
  BOOST_REQUIRE_EQUAL(errors.all().size(), 1u);
  BOOST_CHECK_EQUAL(errors.all()[0].json_path, "/ordered");
  BOOST_CHECK_MESSAGE(contains(errors.all()[0].message, "found string"), errors.all()[0].message);
}

BOOST_AUTO_TEST_CASE(get_string_list_reads_every_string_in_order) {
  ConfigNode root = parseOrFail(R"({"types": ["ADT^A01", "ORU", "ADT^*"]})");
  ConfigErrors errors;

  auto types = root.getStringList("types", errors);

  BOOST_CHECK(errors.empty());
  std::vector<std::string> expected = {"ADT^A01", "ORU", "ADT^*"};
  BOOST_CHECK_EQUAL_COLLECTIONS(types.begin(), types.end(), expected.begin(), expected.end());
}

BOOST_AUTO_TEST_CASE(get_string_list_of_a_missing_key_is_empty_without_error) {
  ConfigNode root = parseOrFail(R"({})");
  ConfigErrors errors;

  auto types = root.getStringList("types", errors);

  BOOST_CHECK(types.empty());
  BOOST_CHECK(errors.empty());
}

BOOST_AUTO_TEST_CASE(get_string_list_reports_each_non_string_element_at_its_index) {
  ConfigNode root = parseOrFail(R"({"types": ["ADT", 5, "ORU", {}]})");
  ConfigErrors errors;

  auto types = root.getStringList("types", errors);

  std::vector<std::string> expected = {"ADT", "ORU"};
  BOOST_CHECK_EQUAL_COLLECTIONS(types.begin(), types.end(), expected.begin(), expected.end());
  BOOST_REQUIRE_EQUAL(errors.all().size(), 2u);
  BOOST_CHECK_EQUAL(errors.all()[0].json_path, "/types/1");
  BOOST_CHECK_EQUAL(errors.all()[1].json_path, "/types/3");
}

BOOST_AUTO_TEST_CASE(get_string_list_reports_a_value_that_is_not_an_array) {
  ConfigNode root = parseOrFail(R"({"types": "ADT"})");
  ConfigErrors errors;

  auto types = root.getStringList("types", errors);

  BOOST_CHECK(types.empty());
  BOOST_REQUIRE_EQUAL(errors.all().size(), 1u);
  BOOST_CHECK_EQUAL(errors.all()[0].json_path, "/types");
  BOOST_CHECK_MESSAGE(contains(errors.all()[0].message, "array"), errors.all()[0].message);
}

BOOST_AUTO_TEST_CASE(reports_every_unknown_key_with_its_own_path_and_line) {
  ConfigNode root = parseOrFail(
      "{\n"
      "  \"listener\": {\n"
      "    \"name\": \"in\",\n"
      "    \"prot\": 2575,\n"
      "    \"type\": \"mllp\",\n"
      "    \"hots\": \"127.0.0.1\"\n"
      "  }\n"
      "}\n");
  ConfigErrors errors;

  at(root, "/listener").rejectUnknownKeys({"name", "type", "port", "host"}, errors);

  BOOST_REQUIRE_EQUAL(errors.all().size(), 2u);
  BOOST_CHECK_EQUAL(errors.all()[0].json_path, "/listener/prot");
  BOOST_CHECK_EQUAL(errors.all()[0].line, 4);
  BOOST_CHECK_MESSAGE(contains(errors.all()[0].message, "unknown key 'prot'"),
                      errors.all()[0].message);
  BOOST_CHECK_EQUAL(errors.all()[1].json_path, "/listener/hots");
  BOOST_CHECK_EQUAL(errors.all()[1].line, 6);
  BOOST_CHECK_MESSAGE(contains(errors.all()[1].message, "unknown key 'hots'"),
                      errors.all()[1].message);
}

BOOST_AUTO_TEST_CASE(accepts_an_object_whose_keys_are_all_known) {
  ConfigNode root = parseOrFail(R"({"name": "in", "type": "mllp"})");
  ConfigErrors errors;

  root.rejectUnknownKeys({"name", "type", "port"}, errors);

  BOOST_CHECK(errors.empty());
}

BOOST_AUTO_TEST_CASE(require_object_reports_other_types_at_their_path) {
  ConfigNode root = parseOrFail(R"({"keys": ["not", "an", "object"], "limits": {}})");
  ConfigErrors errors;

  BOOST_CHECK(!at(root, "/keys").requireObject(errors));
  BOOST_CHECK(at(root, "/limits").requireObject(errors));

  BOOST_REQUIRE_EQUAL(errors.all().size(), 1u);
  BOOST_CHECK_EQUAL(errors.all()[0].json_path, "/keys");
  BOOST_CHECK_MESSAGE(contains(errors.all()[0].message, "object"), errors.all()[0].message);
  BOOST_CHECK_MESSAGE(contains(errors.all()[0].message, "array"), errors.all()[0].message);
}

BOOST_AUTO_TEST_CASE(collects_errors_from_many_getters_in_order) {
  ConfigNode root = parseOrFail(R"({"a": 1, "b": "x", "c": 99})");
  ConfigErrors errors;

  (void)root.getString("a", errors);
  (void)root.getBool("b", errors);
  (void)root.getInt("c", errors, std::nullopt, 0, 10);
  (void)root.getString("d", errors);

  BOOST_REQUIRE_EQUAL(errors.all().size(), 4u);
  BOOST_CHECK_EQUAL(errors.all()[0].json_path, "/a");
  BOOST_CHECK_EQUAL(errors.all()[1].json_path, "/b");
  BOOST_CHECK_EQUAL(errors.all()[2].json_path, "/c");
  BOOST_CHECK_EQUAL(errors.all()[3].json_path, "/");
}

BOOST_AUTO_TEST_CASE(format_prints_file_line_path_and_message_one_per_line) {
  ConfigNode root = parseOrFail("{\n  \"engine\": {\n    \"name\": 1\n  }\n}\n", "ferry.jsonc");
  ConfigErrors errors;

  (void)at(root, "/engine").getString("name", errors);
  (void)root.getString("keys", errors);

  BOOST_CHECK_EQUAL(errors.format(),
                    "ferry.jsonc:3: /engine/name: expected a string, found number\n"
                    "ferry.jsonc:1: /: required key 'keys' is missing\n");
}

BOOST_AUTO_TEST_CASE(format_prints_an_error_without_file_as_its_message_alone) {
  ConfigErrors errors;

  errors.add(ConfigError{"", 0, "", "ferry.jsonc:7: duplicate key 'name'"});
  errors.add(ConfigError{"other.json", 2, "/x", "bad"});

  BOOST_CHECK_EQUAL(errors.format(),
                    "ferry.jsonc:7: duplicate key 'name'\n"
                    "other.json:2: /x: bad\n");
}

BOOST_AUTO_TEST_CASE(error_list_starts_empty_and_formats_to_nothing) {
  ConfigErrors errors;

  BOOST_CHECK(errors.empty());
  BOOST_CHECK_EQUAL(errors.format(), "");
}

BOOST_AUTO_TEST_SUITE_END()
