#include "mappings/fhir_v2/fhir_v2_transform.h"

#include <algorithm>

#include <boost/test/unit_test.hpp>

#include "engine/hl7/message.h"
#include "engine/hl7/validator.h"
#include "mappings/v2_fhir/mapping_metrics.h"

namespace ferry::mappings::fhirv2 {

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

bool contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

const std::string kBundle = R"({"resourceType": "Bundle", "type": "collection",
  "timestamp": "2024-04-01T10:00:00Z",
  "entry": [{"resource": {"resourceType": "Patient", "id": "p",
    "identifier": [{"value": "MRN3", "assigner": {"display": "TESTHOSP"}}],
    "name": [{"family": "TESTPATIENT", "given": ["KAPPA"]}],
    "photo": [{"contentType": "image/png", "data": "SECRETPIXELS"}],
    "gender": "robot"}}]})";

}  // namespace

BOOST_AUTO_TEST_SUITE(fhir_to_v2_transform)

BOOST_AUTO_TEST_CASE(mapping_type_with_fhir_to_v2_returns_an_hl7_message) {
  std::string errors;
  auto transform = makeTransform(
      R"({"type": "mapping", "mapping": "fhir-to-v2", "message": "ADT^A08",
          "sending_application": "TESTAPP", "receiving_facility": "TESTRCV"})",
      errors);
  BOOST_REQUIRE_MESSAGE(transform, errors);

  auto result = transform->apply(kBundle, engine::pipeline::TransformContext{"1", "r", "d"});

  BOOST_REQUIRE_MESSAGE(result.isOk(), result.status().toString());
  BOOST_CHECK_EQUAL(transform->name(), "mapping:fhir-to-v2");
  auto message = engine::hl7::Message::parse(result.value().payload);
  BOOST_REQUIRE(message.isOk());
  std::vector<engine::hl7::AckErrorDetail> problems;
  BOOST_CHECK(engine::hl7::validateForIngest(message.value(), problems).isOk());
  BOOST_CHECK_EQUAL(message.value().sendingApplication(), "TESTAPP");
  BOOST_CHECK_EQUAL(message.value().receivingFacility(), "TESTRCV");
  BOOST_CHECK_EQUAL(message.value().triggerEvent(), "A08");
}

BOOST_AUTO_TEST_CASE(actions_list_coverage_paths_never_values) {
  std::string errors;
  auto transform = makeTransform(R"({"type": "mapping", "mapping": "fhir-to-v2"})", errors);
  BOOST_REQUIRE_MESSAGE(transform, errors);
  auto before = v2fhir::mappingCounters()["fhir-to-v2"];

  auto result = transform->apply(kBundle, {});

  BOOST_REQUIRE(result.isOk());
  const std::vector<std::string>& actions = result.value().actions;
  BOOST_CHECK_EQUAL(actions.front(), "mapped Bundle -> ADT^A08 (4 segments)");
  BOOST_CHECK(contains(actions, "unmapped Patient.photo"));
  BOOST_CHECK(contains(actions, "unconverted Patient.gender"));
  for (const std::string& action : actions) {
    BOOST_CHECK_MESSAGE(action.find("SECRETPIXELS") == std::string::npos &&
                            action.find("robot") == std::string::npos &&
                            action.find("MRN3") == std::string::npos,
                        "an action holds a value");
  }
  auto after = v2fhir::mappingCounters()["fhir-to-v2"];
  BOOST_CHECK_EQUAL(after.messages, before.messages + 1);
  BOOST_CHECK_EQUAL(after.unmapped_fields, before.unmapped_fields + 1);
  BOOST_CHECK_EQUAL(after.unconverted_fields, before.unconverted_fields + 1);
}

BOOST_AUTO_TEST_CASE(applying_twice_gives_the_same_bytes) {
  std::string errors;
  auto transform = makeTransform(R"({"type": "mapping", "mapping": "fhir-to-v2"})", errors);
  BOOST_REQUIRE(transform);

  auto first = transform->apply(kBundle, {});
  auto second = transform->apply(kBundle, {});

  BOOST_REQUIRE(first.isOk() && second.isOk());
  BOOST_CHECK(first.value().payload == second.value().payload);
}

BOOST_AUTO_TEST_CASE(hl7_payload_fails_and_is_counted) {
  std::string errors;
  auto transform = makeTransform(R"({"type": "mapping", "mapping": "fhir-to-v2"})", errors);
  BOOST_REQUIRE(transform);
  auto before = v2fhir::mappingCounters()["fhir-to-v2"].failures;

  auto result = transform->apply("MSH|^~\\&|A|B|C|D|20240101||ADT^A01|1|P|2.5.1\r", {});

  BOOST_REQUIRE(!result.isOk());
  BOOST_CHECK(result.status().code() == engine::ErrorCode::Unsupported);
  BOOST_CHECK_EQUAL(v2fhir::mappingCounters()["fhir-to-v2"].failures, before + 1);
}

BOOST_AUTO_TEST_CASE(json_breaking_fhir_rules_is_refused_without_values) {
  std::string errors;
  auto transform = makeTransform(R"({"type": "mapping", "mapping": "fhir-to-v2"})", errors);
  BOOST_REQUIRE(transform);

  auto result = transform->apply(
      R"({"resourceType": "Patient", "gender": "male", "gender": "SECRETVALUE"})", {});

  BOOST_REQUIRE(!result.isOk());
  BOOST_CHECK(result.status().code() == engine::ErrorCode::InvalidMessage);
  BOOST_CHECK(result.status().context().find("SECRETVALUE") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(config_errors_name_the_key) {
  std::string errors;
  auto transform = makeTransform(
      R"({"type": "mapping", "mapping": "fhir-to-v2", "message": "ADT^A99",
          "sending_facility": "A|B", "bundle_type": "collection"})",
      errors);

  BOOST_CHECK(!transform);
  BOOST_CHECK(errors.find("/message") != std::string::npos);
  BOOST_CHECK(errors.find("/sending_facility") != std::string::npos);
  BOOST_CHECK(errors.find("bundle_type") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(v2_to_fhir_is_still_selected_by_its_name) {
  std::string errors;
  auto transform = makeTransform(R"({"type": "mapping", "mapping": "v2-to-fhir"})", errors);
  BOOST_REQUIRE_MESSAGE(transform, errors);

  auto result = transform->apply(
      "MSH|^~\\&|A|B|C|D|20240101||ADT^A08^ADT_A01|1|P|2.5.1\rPID|1||MRN1||TESTPATIENT\r", {});

  BOOST_REQUIRE_MESSAGE(result.isOk(), result.status().toString());
  BOOST_CHECK(result.value().payload.find("\"Bundle\"") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace ferry::mappings::fhirv2
