#include <string>
#include <string_view>

#include <boost/test/unit_test.hpp>

#include "engine/config/config_node.h"
#include "engine/pipeline/router.h"
#include "routes/message_filter.h"

namespace {

using ferry::engine::config::ConfigErrors;
using ferry::engine::config::ConfigNode;
using ferry::engine::pipeline::MessageFacts;
using ferry::routes::MessageFilter;

bool contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

// Parses `{"filter": <text>}` and builds the filter from the "filter" member.
MessageFilter filterFrom(std::string_view text, ConfigErrors& errors) {
  auto parsed = ConfigNode::parse("{\"filter\": " + std::string(text) + "}", "route.json");
  BOOST_REQUIRE_MESSAGE(parsed.isOk(), parsed.status().toString());
  auto node = parsed.value().member("filter");
  BOOST_REQUIRE(node.has_value());
  return MessageFilter::fromConfig(*node, errors);
}

MessageFilter validFilter(std::string_view text) {
  ConfigErrors errors;
  MessageFilter filter = filterFrom(text, errors);
  BOOST_REQUIRE_MESSAGE(errors.empty(), errors.format());
  return filter;
}

MessageFacts facts(std::string type, std::string trigger, std::string application = "APP",
                   std::string facility = "FAC") {
  return MessageFacts{"in", std::move(type), std::move(trigger), std::move(application),
                      std::move(facility)};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(message_filter)

BOOST_AUTO_TEST_CASE(empty_filter_accepts_any_message) {
  MessageFilter filter = validFilter("{}");

  BOOST_CHECK(filter.accepts(facts("ADT", "A01")));
  BOOST_CHECK(filter.accepts(facts("ORU", "R01", "", "")));
  BOOST_CHECK_EQUAL(filter.explainRefusal(facts("ADT", "A01")), "accepted");
}

BOOST_AUTO_TEST_CASE(type_without_trigger_accepts_every_trigger_of_that_type) {
  MessageFilter filter = validFilter(R"({"message_types": ["ADT"]})");

  BOOST_CHECK(filter.accepts(facts("ADT", "A01")));
  BOOST_CHECK(filter.accepts(facts("ADT", "A08")));
  BOOST_CHECK(filter.accepts(facts("ADT", "")));
  BOOST_CHECK(!filter.accepts(facts("ORU", "R01")));
}

BOOST_AUTO_TEST_CASE(type_with_trigger_accepts_only_that_trigger) {
  MessageFilter filter = validFilter(R"({"message_types": ["ADT^A01"]})");

  BOOST_CHECK(filter.accepts(facts("ADT", "A01")));
  BOOST_CHECK(!filter.accepts(facts("ADT", "A04")));
  BOOST_CHECK(!filter.accepts(facts("ADT", "")));
  BOOST_CHECK(!filter.accepts(facts("ORU", "A01")));
}

BOOST_AUTO_TEST_CASE(type_with_star_trigger_accepts_every_trigger_of_that_type) {
  MessageFilter filter = validFilter(R"({"message_types": ["ADT^*"]})");

  BOOST_CHECK(filter.accepts(facts("ADT", "A01")));
  BOOST_CHECK(filter.accepts(facts("ADT", "A40")));
  BOOST_CHECK(!filter.accepts(facts("ORM", "O01")));
}

BOOST_AUTO_TEST_CASE(type_pattern_matches_whole_type_not_a_prefix) {
  MessageFilter filter = validFilter(R"({"message_types": ["AD", "ORU^R0"]})");

  BOOST_CHECK(!filter.accepts(facts("ADT", "A01")));
  BOOST_CHECK(!filter.accepts(facts("ORU", "R01")));
  BOOST_CHECK(filter.accepts(facts("AD", "X")));
}

BOOST_AUTO_TEST_CASE(several_type_patterns_accept_a_message_matching_any_of_them) {
  MessageFilter filter = validFilter(R"({"message_types": ["ADT^A01", "ADT^A04", "ORU"]})");

  BOOST_CHECK(filter.accepts(facts("ADT", "A01")));
  BOOST_CHECK(filter.accepts(facts("ADT", "A04")));
  BOOST_CHECK(filter.accepts(facts("ORU", "R30")));
  BOOST_CHECK(!filter.accepts(facts("ADT", "A08")));
}

BOOST_AUTO_TEST_CASE(sending_application_list_accepts_only_listed_applications) {
  MessageFilter filter = validFilter(R"({"sending_applications": ["EPIC", "CERNER"]})");

  BOOST_CHECK(filter.accepts(facts("ADT", "A01", "EPIC")));
  BOOST_CHECK(filter.accepts(facts("ORU", "R01", "CERNER")));
  BOOST_CHECK(!filter.accepts(facts("ADT", "A01", "OTHER")));
  BOOST_CHECK(!filter.accepts(facts("ADT", "A01", "")));
}

BOOST_AUTO_TEST_CASE(sending_facility_list_accepts_only_listed_facilities) {
  MessageFilter filter = validFilter(R"({"sending_facilities": ["MAIN"]})");

  BOOST_CHECK(filter.accepts(facts("ADT", "A01", "ANY", "MAIN")));
  BOOST_CHECK(!filter.accepts(facts("ADT", "A01", "ANY", "ANNEX")));
}

BOOST_AUTO_TEST_CASE(every_present_list_must_accept_the_message) {
  MessageFilter filter = validFilter(R"({
    "message_types": ["ADT^A01"],
    "sending_applications": ["EPIC"],
    "sending_facilities": ["MAIN"]
  })");

  BOOST_CHECK(filter.accepts(facts("ADT", "A01", "EPIC", "MAIN")));
  BOOST_CHECK(!filter.accepts(facts("ADT", "A02", "EPIC", "MAIN")));
  BOOST_CHECK(!filter.accepts(facts("ADT", "A01", "OTHER", "MAIN")));
  BOOST_CHECK(!filter.accepts(facts("ADT", "A01", "EPIC", "ANNEX")));
}

BOOST_AUTO_TEST_CASE(explains_the_first_rule_that_refuses) {
  MessageFilter filter = validFilter(R"({
    "message_types": ["ADT"],
    "sending_applications": ["EPIC"],
    "sending_facilities": ["MAIN"]
  })");

  BOOST_CHECK_EQUAL(filter.explainRefusal(facts("ORU", "R01", "OTHER", "ANNEX")),
                    "message type not in filter");
  BOOST_CHECK_EQUAL(filter.explainRefusal(facts("ADT", "A01", "OTHER", "ANNEX")),
                    "sending application not in filter");
  BOOST_CHECK_EQUAL(filter.explainRefusal(facts("ADT", "A01", "EPIC", "ANNEX")),
                    "sending facility not in filter");
  BOOST_CHECK_EQUAL(filter.explainRefusal(facts("ADT", "A01", "EPIC", "MAIN")), "accepted");
}

BOOST_AUTO_TEST_CASE(explanation_never_contains_message_values) {
  MessageFilter filter = validFilter(R"({"sending_applications": ["EPIC"]})");
  MessageFacts refused = facts("ADT", "A01", "TESTAPPZETA", "TESTFACZETA");

  std::string why = filter.explainRefusal(refused);

  BOOST_CHECK(!contains(why, "TESTAPPZETA"));
  BOOST_CHECK(!contains(why, "TESTFACZETA"));
  BOOST_CHECK(!contains(why, "A01"));
}

BOOST_AUTO_TEST_CASE(reports_a_pattern_without_message_type) {
  ConfigErrors errors;

  (void)filterFrom(R"({"message_types": ["^A01"]})", errors);

  BOOST_REQUIRE_EQUAL(errors.all().size(), 1u);
  BOOST_CHECK_EQUAL(errors.all()[0].json_path, "/filter/message_types");
}

BOOST_AUTO_TEST_CASE(reports_a_pattern_with_two_carets) {
  ConfigErrors errors;

  (void)filterFrom(R"({"message_types": ["ADT^A01^ADT_A01"]})", errors);

  BOOST_REQUIRE_EQUAL(errors.all().size(), 1u);
  BOOST_CHECK_EQUAL(errors.all()[0].json_path, "/filter/message_types");
  BOOST_CHECK_MESSAGE(contains(errors.all()[0].message, "ADT^*"), errors.all()[0].message);
}

BOOST_AUTO_TEST_CASE(reports_an_empty_pattern) {
  ConfigErrors errors;

  (void)filterFrom(R"({"message_types": ["ADT", ""]})", errors);

  BOOST_CHECK_EQUAL(errors.all().size(), 1u);
}

BOOST_AUTO_TEST_CASE(keeps_the_valid_patterns_next_to_a_bad_one) {
  ConfigErrors errors;

  MessageFilter filter = filterFrom(R"({"message_types": ["^X", "ORU"]})", errors);

  BOOST_CHECK_EQUAL(errors.all().size(), 1u);
  BOOST_CHECK(filter.accepts(facts("ORU", "R01")));
  BOOST_CHECK(!filter.accepts(facts("ADT", "A01")));
}

BOOST_AUTO_TEST_CASE(reports_unknown_filter_keys_at_their_path) {
  ConfigErrors errors;

  (void)filterFrom(R"({"message_type": ["ADT"], "sending_facility": ["MAIN"]})", errors);

  BOOST_REQUIRE_EQUAL(errors.all().size(), 2u);
  BOOST_CHECK_EQUAL(errors.all()[0].json_path, "/filter/message_type");
  BOOST_CHECK_EQUAL(errors.all()[1].json_path, "/filter/sending_facility");
}

BOOST_AUTO_TEST_CASE(reports_a_filter_that_is_not_an_object) {
  ConfigErrors errors;

  (void)filterFrom(R"(["ADT"])", errors);

  BOOST_REQUIRE_EQUAL(errors.all().size(), 1u);
  BOOST_CHECK_EQUAL(errors.all()[0].json_path, "/filter");
}

BOOST_AUTO_TEST_CASE(reports_lists_that_are_not_arrays_of_strings) {
  ConfigErrors errors;

  (void)filterFrom(
      R"({"message_types": "ADT", "sending_applications": [1], "sending_facilities": {}})", errors);

  BOOST_REQUIRE_EQUAL(errors.all().size(), 3u);
  BOOST_CHECK_EQUAL(errors.all()[0].json_path, "/filter/message_types");
  BOOST_CHECK_EQUAL(errors.all()[1].json_path, "/filter/sending_applications/0");
  BOOST_CHECK_EQUAL(errors.all()[2].json_path, "/filter/sending_facilities");
}

BOOST_AUTO_TEST_SUITE_END()
