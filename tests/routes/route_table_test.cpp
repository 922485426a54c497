#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "engine/config/config_node.h"
#include "engine/pipeline/registry.h"
#include "engine/pipeline/router.h"
#include "routes/route_table.h"

namespace {

using ferry::engine::config::ConfigErrors;
using ferry::engine::config::ConfigNode;
using ferry::engine::pipeline::MessageFacts;
using ferry::engine::pipeline::RouteTarget;
using ferry::routes::RouteTable;

using Pair = std::pair<std::string, std::string>;

bool contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

// Parses `{"routes": <text>}` and returns the "routes" node.
ConfigNode routesNode(std::string_view text) {
  auto parsed = ConfigNode::parse("{\"routes\": " + std::string(text) + "}", "routes.json");
  BOOST_REQUIRE_MESSAGE(parsed.isOk(), parsed.status().toString());
  auto routes = parsed.value().member("routes");
  BOOST_REQUIRE(routes.has_value());
  return *routes;
}

std::unique_ptr<RouteTable> tableFrom(std::string_view text, ConfigErrors& errors) {
  return RouteTable::fromConfig(routesNode(text), errors);
}

std::unique_ptr<RouteTable> validTable(std::string_view text) {
  ConfigErrors errors;
  auto table = tableFrom(text, errors);
  BOOST_REQUIRE_MESSAGE(errors.empty(), errors.format());
  BOOST_REQUIRE(table != nullptr);
  return table;
}

MessageFacts facts(std::string source, std::string type, std::string trigger,
                   std::string application = "APP", std::string facility = "FAC") {
  return MessageFacts{std::move(source), std::move(type), std::move(trigger),
                      std::move(application), std::move(facility)};
}

std::vector<Pair> pairs(const std::vector<RouteTarget>& targets) {
  std::vector<Pair> result;
  for (const auto& target : targets) {
    result.emplace_back(target.route, target.destination);
  }
  return result;
}

void checkTargets(const std::vector<RouteTarget>& targets, const std::vector<Pair>& expected) {
  auto actual = pairs(targets);
  BOOST_REQUIRE_EQUAL(actual.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    BOOST_CHECK_EQUAL(actual[i].first, expected[i].first);
    BOOST_CHECK_EQUAL(actual[i].second, expected[i].second);
  }
}

constexpr std::string_view kThreeRoutes = R"([
  {"name": "adt-all", "source": "emr", "filter": {"message_types": ["ADT"]},
   "destinations": [{"name": "adt-archive", "type": "file"},
                    {"name": "adt-lab", "type": "mllp"}]},
  {"name": "lab-results", "source": ["lab", "emr"], "filter": {"message_types": ["ORU^R01"]},
   "destinations": [{"name": "results-db", "type": "file"}]},
  {"name": "everything", "source": ["emr"],
   "destinations": [{"name": "audit-copy", "type": "file"},
                    {"name": "warehouse", "type": "file"},
                    {"name": "backup", "type": "file"}]}
])";

}  // namespace

BOOST_AUTO_TEST_SUITE(route_table)

BOOST_AUTO_TEST_CASE(fans_out_to_every_destination_of_every_matching_route_in_config_order) {
  auto table = validTable(kThreeRoutes);

  auto targets = table->match(facts("emr", "ADT", "A01"));

  checkTargets(targets, {{"adt-all", "adt-archive"},
                         {"adt-all", "adt-lab"},
                         {"everything", "audit-copy"},
                         {"everything", "warehouse"},
                         {"everything", "backup"}});
}

BOOST_AUTO_TEST_CASE(skips_routes_whose_filter_refuses_the_message) {
  auto table = validTable(kThreeRoutes);

  auto targets = table->match(facts("emr", "ORU", "R01"));

  checkTargets(targets, {{"lab-results", "results-db"},
                         {"everything", "audit-copy"},
                         {"everything", "warehouse"},
                         {"everything", "backup"}});
}

BOOST_AUTO_TEST_CASE(matches_a_source_listed_anywhere_in_a_source_list) {
  auto table = validTable(kThreeRoutes);

  auto targets = table->match(facts("lab", "ORU", "R01"));

  checkTargets(targets, {{"lab-results", "results-db"}});
}

BOOST_AUTO_TEST_CASE(returns_no_target_for_a_source_no_route_lists) {
  auto table = validTable(kThreeRoutes);

  auto targets = table->match(facts("pharmacy", "ADT", "A01"));

  BOOST_CHECK(targets.empty());
}

BOOST_AUTO_TEST_CASE(source_given_as_one_name_matches_only_that_listener) {
  auto table = validTable(R"([
    {"name": "r", "source": "emr", "destinations": [{"name": "d", "type": "file"}]}
  ])");

  checkTargets(table->match(facts("emr", "ADT", "A01")), {{"r", "d"}});
  BOOST_CHECK(table->match(facts("emr2", "ADT", "A01")).empty());
  BOOST_CHECK(table->match(facts("em", "ADT", "A01")).empty());
}

BOOST_AUTO_TEST_CASE(empty_source_list_accepts_every_listener) {
  auto table = validTable(R"([
    {"name": "r", "source": [], "destinations": [{"name": "d", "type": "file"}]}
  ])");

  checkTargets(table->match(facts("any-listener", "ADT", "A01")), {{"r", "d"}});
  checkTargets(table->match(facts("another", "ORU", "R01")), {{"r", "d"}});
}

BOOST_AUTO_TEST_CASE(applies_type_application_and_facility_filters_together) {
  auto table = validTable(R"([
    {"name": "strict", "source": "emr",
     "filter": {"message_types": ["ADT^A01", "ADT^A04"], "sending_applications": ["EPIC"],
                "sending_facilities": ["MAIN", "ANNEX"]},
     "destinations": [{"name": "d", "type": "file"}]}
  ])");

  checkTargets(table->match(facts("emr", "ADT", "A04", "EPIC", "ANNEX")), {{"strict", "d"}});
  BOOST_CHECK(table->match(facts("emr", "ADT", "A08", "EPIC", "MAIN")).empty());
  BOOST_CHECK(table->match(facts("emr", "ADT", "A01", "OTHER", "MAIN")).empty());
  BOOST_CHECK(table->match(facts("emr", "ADT", "A01", "EPIC", "REMOTE")).empty());
  BOOST_CHECK(table->match(facts("lab", "ADT", "A01", "EPIC", "MAIN")).empty());
}

BOOST_AUTO_TEST_CASE(star_trigger_and_bare_type_patterns_route_every_trigger) {
  auto table = validTable(R"([
    {"name": "star", "source": [], "filter": {"message_types": ["ADT^*"]},
     "destinations": [{"name": "d1", "type": "file"}]},
    {"name": "bare", "source": [], "filter": {"message_types": ["ADT"]},
     "destinations": [{"name": "d2", "type": "file"}]}
  ])");

  checkTargets(table->match(facts("x", "ADT", "A31")), {{"star", "d1"}, {"bare", "d2"}});
  BOOST_CHECK(table->match(facts("x", "SIU", "S12")).empty());
}

BOOST_AUTO_TEST_CASE(explanation_of_no_match_names_routes_and_rules_never_values) {
  auto table = validTable(R"([
    {"name": "from-lab", "source": "lab", "destinations": [{"name": "d1", "type": "file"}]},
    {"name": "adt-only", "source": "emr", "filter": {"message_types": ["ADT"]},
     "destinations": [{"name": "d2", "type": "file"}]},
    {"name": "epic-only", "source": "emr", "filter": {"sending_applications": ["EPIC"]},
     "destinations": [{"name": "d3", "type": "file"}]},
    {"name": "main-only", "source": "emr",
     "filter": {"sending_applications": ["TESTAPPOMEGA"], "sending_facilities": ["MAIN"]},
     "destinations": [{"name": "d4", "type": "file"}]}
  ])");
  MessageFacts refused = facts("emr", "ORU", "R01", "TESTAPPOMEGA", "TESTFACOMEGA");
  BOOST_REQUIRE(table->match(refused).empty());

  std::string why = table->explainNoMatch(refused);

  BOOST_CHECK_EQUAL(why,
                    "route 'from-lab': source not listed; "
                    "route 'adt-only': message type not in filter; "
                    "route 'epic-only': sending application not in filter; "
                    "route 'main-only': sending facility not in filter");
  BOOST_CHECK(!contains(why, "TESTAPPOMEGA"));
  BOOST_CHECK(!contains(why, "TESTFACOMEGA"));
  BOOST_CHECK(!contains(why, "ORU"));
  BOOST_CHECK(!contains(why, "R01"));
}

BOOST_AUTO_TEST_CASE(explains_that_no_routes_are_configured) {
  auto table = validTable("[]");

  BOOST_CHECK(table->match(facts("emr", "ADT", "A01")).empty());
  BOOST_CHECK_EQUAL(table->explainNoMatch(facts("emr", "ADT", "A01")), "no routes configured");
}

BOOST_AUTO_TEST_CASE(reports_duplicate_route_names_at_the_second_name) {
  ConfigErrors errors;

  (void)tableFrom(R"([
    {"name": "r", "source": [], "destinations": [{"name": "d1", "type": "file"}]},
    {"name": "r", "source": [], "destinations": [{"name": "d2", "type": "file"}]}
  ])",
                  errors);

  BOOST_REQUIRE_EQUAL(errors.all().size(), 1u);
  BOOST_CHECK_EQUAL(errors.all()[0].json_path, "/routes/1/name");
  BOOST_CHECK_MESSAGE(contains(errors.all()[0].message, "duplicate route name 'r'"),
                      errors.all()[0].message);
}

BOOST_AUTO_TEST_CASE(reports_a_route_without_name_or_source_against_the_route) {
  ConfigErrors errors;

  (void)tableFrom(R"([{"destinations": [{"name": "d", "type": "file"}]}])", errors);

  BOOST_REQUIRE_EQUAL(errors.all().size(), 2u);
  BOOST_CHECK_EQUAL(errors.all()[0].json_path, "/routes/0");
  BOOST_CHECK(contains(errors.all()[0].message, "'name'"));
  BOOST_CHECK_EQUAL(errors.all()[1].json_path, "/routes/0");
  BOOST_CHECK(contains(errors.all()[1].message, "'source'"));
}

BOOST_AUTO_TEST_CASE(reports_missing_and_empty_destination_lists) {
  ConfigErrors errors;

  (void)tableFrom(R"([
    {"name": "none", "source": []},
    {"name": "empty", "source": [], "destinations": []},
    {"name": "wrong", "source": [], "destinations": {"name": "d"}}
  ])",
                  errors);

  BOOST_REQUIRE_EQUAL(errors.all().size(), 3u);
  BOOST_CHECK_EQUAL(errors.all()[0].json_path, "/routes/0");
  BOOST_CHECK_EQUAL(errors.all()[1].json_path, "/routes/1/destinations");
  BOOST_CHECK_EQUAL(errors.all()[2].json_path, "/routes/2/destinations");
}

BOOST_AUTO_TEST_CASE(reports_unknown_route_keys_and_accepts_a_description) {
  ConfigErrors errors;

  (void)tableFrom(R"([
    {"name": "r", "source": [], "description": "documented", "filters": {},
     "destinations": [{"name": "d", "type": "file"}]}
  ])",
                  errors);

  BOOST_REQUIRE_EQUAL(errors.all().size(), 1u);
  BOOST_CHECK_EQUAL(errors.all()[0].json_path, "/routes/0/filters");
}

BOOST_AUTO_TEST_CASE(reports_routes_that_are_not_an_array) {
  ConfigErrors errors;

  (void)tableFrom(R"({"name": "r"})", errors);

  BOOST_REQUIRE_EQUAL(errors.all().size(), 1u);
  BOOST_CHECK_EQUAL(errors.all()[0].json_path, "/routes");
}

BOOST_AUTO_TEST_CASE(reports_a_route_that_is_not_an_object) {
  ConfigErrors errors;

  (void)tableFrom(R"(["r", {"name": "ok", "source": [],
                        "destinations": [{"name": "d", "type": "file"}]}])",
                  errors);

  BOOST_REQUIRE_EQUAL(errors.all().size(), 1u);
  BOOST_CHECK_EQUAL(errors.all()[0].json_path, "/routes/0");
}

BOOST_AUTO_TEST_CASE(reports_a_source_that_is_neither_name_nor_list) {
  ConfigErrors errors;

  (void)tableFrom(R"([{"name": "r", "source": 7, "destinations": [{"name": "d", "type": "file"}]},
                      {"name": "s", "source": ["a", 8],
                       "destinations": [{"name": "e", "type": "file"}]}])",
                  errors);

  BOOST_REQUIRE_EQUAL(errors.all().size(), 2u);
  BOOST_CHECK_EQUAL(errors.all()[0].json_path, "/routes/0/source");
  BOOST_CHECK_EQUAL(errors.all()[1].json_path, "/routes/1/source/1");
}

BOOST_AUTO_TEST_CASE(reports_filter_errors_with_the_route_path) {
  ConfigErrors errors;

  (void)tableFrom(R"([
    {"name": "r", "source": [], "filter": {"message_types": ["^A01"]},
     "destinations": [{"name": "d", "type": "file"}]}
  ])",
                  errors);

  BOOST_REQUIRE_EQUAL(errors.all().size(), 1u);
  BOOST_CHECK_EQUAL(errors.all()[0].json_path, "/routes/0/filter/message_types");
}

BOOST_AUTO_TEST_CASE(reports_a_destination_without_name) {
  ConfigErrors errors;

  (void)tableFrom(R"([{"name": "r", "source": [], "destinations": [{"type": "file"}]}])", errors);

  BOOST_REQUIRE_EQUAL(errors.all().size(), 1u);
  BOOST_CHECK_EQUAL(errors.all()[0].json_path, "/routes/0/destinations/0");
}

BOOST_AUTO_TEST_CASE(registered_router_factory_builds_a_route_table) {
  const auto* factory = ferry::engine::pipeline::findRouterFactory();
  BOOST_REQUIRE(factory != nullptr);
  ConfigErrors errors;

  auto router = (*factory)(routesNode(kThreeRoutes), errors);

  BOOST_REQUIRE_MESSAGE(errors.empty(), errors.format());
  BOOST_REQUIRE(router != nullptr);
  checkTargets(router->match(facts("lab", "ORU", "R01")), {{"lab-results", "results-db"}});
}

BOOST_AUTO_TEST_SUITE_END()
