#include "mappings/v2_fhir/mapping_transform.h"

#include <boost/test/unit_test.hpp>

#include "engine/config/config_node.h"
#include "mapping_test_support.h"
#include "mappings/v2_fhir/mapping_metrics.h"

namespace ferry::mappings::v2fhir {

namespace {

std::unique_ptr<engine::pipeline::PayloadTransform> makeTransform(const std::string& json,
                                                                  std::string& errors_text) {
  auto node = engine::config::ConfigNode::parse(json, "test");
  BOOST_REQUIRE(node.isOk());
  const auto* factory = engine::pipeline::findTransformType("mapping");
  BOOST_REQUIRE(factory != nullptr);
  engine::config::ConfigErrors errors;
  auto transform = (*factory)(node.value(), errors, engine::pipeline::TransformEnvironment{});
  errors_text = errors.format();
  return transform;
}

const std::string kMessage = ferry::testing::hl7(
    {"MSH|^~\\&|TESTAPP|TESTFAC|RCV|RCVFAC|20240105103000||ADT^A04^ADT_A01|CTRL9|P|2.5.1",
     "PID|1||MRN0001^^^TESTHOSP^MR||TESTPATIENT^ALPHA||19800214|M", "ZXY|1|SECRET"});

}  // namespace

BOOST_AUTO_TEST_SUITE(mapping_transform)

BOOST_AUTO_TEST_CASE(registered_transform_returns_bundle_and_coverage_actions) {
  std::string errors;
  auto transform = makeTransform(
      R"({"type": "mapping", "mapping": "v2-to-fhir", "bundle_type": "collection",
          "timezone": "+05:00"})",
      errors);
  BOOST_REQUIRE_MESSAGE(transform, errors);
  auto before = mappingCounters()["v2-to-fhir"];

  auto result = transform->apply(kMessage, engine::pipeline::TransformContext{"1", "r", "d"});

  BOOST_REQUIRE_MESSAGE(result.isOk(), result.status().toString());
  BOOST_CHECK(result.value().payload.find("\"collection\"") != std::string::npos);
  BOOST_CHECK(result.value().payload.find("2024-01-05T10:30:00+05:00") != std::string::npos);
  BOOST_CHECK(result.value().actions.front().rfind("mapped ADT_A01 -> Bundle (", 0) == 0);
  BOOST_CHECK(ferry::testing::contains(result.value().actions, "unmapped ZXY-2"));
  auto after = mappingCounters()["v2-to-fhir"];
  BOOST_CHECK_EQUAL(after.messages, before.messages + 1);
  BOOST_CHECK_GE(after.unmapped_fields, before.unmapped_fields + 2);
}

BOOST_AUTO_TEST_CASE(a_configured_iana_zone_applies_daylight_saving_time) {
  std::string errors;
  auto transform = makeTransform(
      R"({"type": "mapping", "mapping": "v2-to-fhir", "timezone": "America/Chicago"})", errors);
  BOOST_REQUIRE_MESSAGE(transform, errors);
  std::string summer = kMessage;
  summer.replace(summer.find("20240105103000"), 14, "20240705103000");

  auto winter_result = transform->apply(kMessage, engine::pipeline::TransformContext{});
  auto summer_result = transform->apply(summer, engine::pipeline::TransformContext{});

  BOOST_REQUIRE_MESSAGE(winter_result.isOk(), winter_result.status().toString());
  BOOST_REQUIRE_MESSAGE(summer_result.isOk(), summer_result.status().toString());
  BOOST_CHECK(winter_result.value().payload.find("2024-01-05T10:30:00-06:00") != std::string::npos);
  BOOST_CHECK(summer_result.value().payload.find("2024-07-05T10:30:00-05:00") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_unknown_zone_name_is_a_config_error_naming_the_zone) {
  std::string errors;
  auto transform = makeTransform(
      R"({"type": "mapping", "mapping": "v2-to-fhir", "timezone": "America/Atlantis"})", errors);
  BOOST_CHECK(!transform);
  BOOST_CHECK(errors.find("/timezone") != std::string::npos);
  BOOST_CHECK(errors.find("no such time zone 'America/Atlantis'") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(non_hl7_payload_fails_and_is_counted) {
  std::string errors;
  auto transform = makeTransform(R"({"type": "mapping", "mapping": "v2-to-fhir"})", errors);
  BOOST_REQUIRE(transform);
  auto before = mappingCounters()["v2-to-fhir"].failures;

  auto result = transform->apply("{\"resourceType\": \"Patient\"}", {});

  BOOST_CHECK(!result.isOk());
  BOOST_CHECK_EQUAL(mappingCounters()["v2-to-fhir"].failures, before + 1);
}

BOOST_AUTO_TEST_CASE(output_that_would_not_be_valid_fhir_is_refused_not_delivered) {
  std::string errors;
  auto transform = makeTransform(R"({"type": "mapping", "mapping": "v2-to-fhir"})", errors);
  BOOST_REQUIRE(transform);
  // A numeric result of 400 digits: no FHIR decimal can hold it.
  std::string message = ferry::testing::hl7(
      {"MSH|^~\\&|TESTAPP|TESTFAC|RCV|RCVFAC|20240105103000||ORU^R01^ORU_R01|CTRL10|P|2.5.1",
       "PID|1||MRN0002^^^TESTHOSP^MR||TESTPATIENT^BETA||19800214|F",
       "OBR|1|ORD1|FIL1|GLU^Glucose^L",
       "OBX|1|NM|GLU^Glucose^L||" + std::string(400, '9') + "|mg/dL|||||F"});

  auto result = transform->apply(message, engine::pipeline::TransformContext{"2", "r", "d"});

  BOOST_REQUIRE(!result.isOk());
  BOOST_CHECK(result.status().code() == engine::ErrorCode::InvalidMessage);
  BOOST_CHECK(result.status().context().find("not valid FHIR") != std::string::npos);
  BOOST_CHECK(result.status().context().find("99999") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_field_of_only_spaces_reads_as_absent_and_the_message_still_maps) {
  std::string errors;
  auto transform = makeTransform(R"({"type": "mapping", "mapping": "v2-to-fhir"})", errors);
  BOOST_REQUIRE(transform);
  // Senders pad fields with spaces; FHIR forbids strings of only white space. Such a value is
  // left out rather than sending the whole message to the dead letters (attack finding).
  std::string message = ferry::testing::hl7(
      {"MSH|^~\\&|TESTAPP|TESTFAC|RCV|RCVFAC|20240105103000||ADT^A04^ADT_A01|CTRL11|P|2.5.1",
       "PID|1|| ^^^TESTHOSP^MR~MRN0003^^^TESTHOSP^MR||  ^GAMMA||19800214|M"});

  auto result = transform->apply(message, engine::pipeline::TransformContext{"3", "r", "d"});

  BOOST_REQUIRE_MESSAGE(result.isOk(), result.status().toString());
  const std::string& bundle = result.value().payload;
  BOOST_CHECK(bundle.find("\"given\": [\"GAMMA\"]") != std::string::npos ||
              bundle.find("\"given\":[\"GAMMA\"]") != std::string::npos);
  BOOST_CHECK(bundle.find("\"family\"") == std::string::npos);
  BOOST_CHECK(bundle.find("MRN0003") != std::string::npos);
  BOOST_CHECK(bundle.find("\"  \"") == std::string::npos);
  BOOST_CHECK(bundle.find("\" \"") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(config_errors_name_the_key) {
  std::string errors;
  auto transform = makeTransform(
      R"({"type": "mapping", "mapping": "nope", "timezone": "Mars/Olympus", "extra": 1})", errors);

  BOOST_CHECK(!transform);
  BOOST_CHECK(errors.find("/mapping") != std::string::npos);
  BOOST_CHECK(errors.find("/timezone") != std::string::npos);
  BOOST_CHECK(errors.find("extra") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace ferry::mappings::v2fhir
