#include <boost/test/unit_test.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/config/config_node.h"
#include "engine/config/engine_config.h"
#include "engine/fhir/json_parser.h"
#include "engine/hl7/message.h"
#include "engine/pipeline/transform.h"
#include "engine/pipeline/transform_chain.h"

namespace config = ferry::engine::config;
namespace pipeline = ferry::engine::pipeline;
namespace hl7 = ferry::engine::hl7;

namespace {

constexpr std::string_view kConfig = R"({
  // Synthetic profiles for the tests.
  "strip_profiles": {
    "lab-minimum": {
      "mode": "allow",
      "hl7v2": ["PID-3", "PID-8", "OBR-4", "OBX[*]-3", "OBX[*]-5"],
      "fhir": ["Patient.identifier", "Patient.gender"]
    },
    "no-names": {"mode": "deny", "hl7v2": ["PID-5", "NK1"]},
    "broken": {
      "mode": "deny",
      "hl7v2": ["MSH-9", "not a path"],
      "fhir": ["Observation.status", "Patient.nickname"],
      "colour": "blue"
    },
    "incomplete": {"mode": "allow", "fhir": ["Observation.code"]}
  },
  "routes": [{"name": "lab", "destinations": [
    {"name": "minimum", "transforms": [{"type": "strip", "profile": "lab-minimum"}]},
    {"name": "full"}
  ]}]
})";

constexpr std::string_view kMessage =
    "MSH|^~\\&|SENDAPP|SENDFAC|RECVAPP|RECVFAC|20240102030405||ORU^R01^ORU_R01|CTRL0001|P|2.5.1\r"
    "PID|1||MRN0001^^^HOSPA^MR||TESTPATIENT^ALPHA||19700101|F\r"
    "NK1|1|TESTKIN^BETA|SPO\r"
    "OBR|1|PLACER1|FILLER1|CBC^Complete blood count\r"
    "OBX|1|NM|HGB^Hemoglobin||13.5|g/dL|||||F\r";

config::ConfigNode root() {
  auto parsed = config::ConfigNode::parse(kConfig, "ferry.json");
  BOOST_REQUIRE_MESSAGE(parsed.isOk(), parsed.status().toString());
  return parsed.value();
}

config::ConfigNode transformNode(std::string_view json) {
  auto parsed = config::ConfigNode::parse(json, "route.json");
  BOOST_REQUIRE_MESSAGE(parsed.isOk(), parsed.status().toString());
  return parsed.value();
}

std::unique_ptr<pipeline::PayloadTransform> build(std::string_view json,
                                                  config::ConfigErrors& errors) {
  const pipeline::TransformFactory* factory = pipeline::findTransformType("strip");
  BOOST_REQUIRE(factory != nullptr);
  config::ConfigNode document = root();
  pipeline::TransformEnvironment environment{nullptr, &document};
  return (*factory)(transformNode(json), errors, environment);
}

bool anyErrorMentions(const config::ConfigErrors& errors, std::string_view text) {
  for (const auto& error : errors.all()) {
    if (error.message.find(text) != std::string::npos) {
      return true;
    }
  }
  return false;
}

std::string valueOrEmpty(const hl7::Message& message, std::string_view path) {
  auto value = message.get(path);
  return value.isOk() && value.value() ? *value.value() : std::string();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(strip_transform)

BOOST_AUTO_TEST_CASE(is_registered_and_names_its_profile) {
  config::ConfigErrors errors;

  auto transform = build(R"({"type": "strip", "profile": "lab-minimum"})", errors);

  BOOST_REQUIRE_MESSAGE(transform, errors.format());
  BOOST_CHECK_EQUAL(transform->name(), "strip:lab-minimum");
  BOOST_CHECK(!transform->deidentifies());
}

BOOST_AUTO_TEST_CASE(strips_hl7_and_fhir_payloads_with_one_profile) {
  config::ConfigErrors errors;
  auto transform = build(R"({"type": "strip", "profile": "lab-minimum"})", errors);
  BOOST_REQUIRE(transform);

  auto hl7_result = transform->apply(kMessage, {});
  auto fhir_result = transform->apply(
      R"({"resourceType": "Patient", "id": "p1", "gender": "female",
          "name": [{"family": "Testpatient"}]})",
      {});

  BOOST_REQUIRE_MESSAGE(hl7_result.isOk(), hl7_result.status().toString());
  BOOST_REQUIRE_MESSAGE(fhir_result.isOk(), fhir_result.status().toString());
  auto message = hl7::Message::parse(hl7_result.value().payload);
  BOOST_REQUIRE(message.isOk());
  BOOST_CHECK_EQUAL(valueOrEmpty(message.value(), "PID-3.1"), "MRN0001");
  BOOST_CHECK_EQUAL(valueOrEmpty(message.value(), "PID-5"), "");
  BOOST_CHECK_EQUAL(fhir_result.value().payload,
                    R"({"resourceType":"Patient","id":"p1","gender":"female"})");
  BOOST_CHECK(!hl7_result.value().actions.empty());
}

BOOST_AUTO_TEST_CASE(allow_list_destination_and_full_destination_get_their_own_copy) {
  config::ConfigNode document = root();
  config::ConfigNode route = document.member("routes")->elements().front();
  std::vector<pipeline::TransformChain> chains;
  config::ConfigErrors errors;
  for (const config::ConfigNode& node : route.member("destinations")->elements()) {
    config::DestinationSettings destination{.name = node.getString("name", errors),
                                            .type = "file",
                                            .route = "lab",
                                            .retry = {},
                                            .ordered = true,
                                            .node = node,
                                            .transforms = node.member("transforms"),
                                            .baa_covered = true,
                                            .baa_agreement = "synthetic test agreement"};
    chains.push_back(pipeline::TransformChain::build(
        destination, pipeline::TransformEnvironment{nullptr, &document}, errors));
  }
  BOOST_REQUIRE_MESSAGE(errors.empty(), errors.format());

  auto minimum = chains[0].apply(kMessage, {});
  auto full = chains[1].apply(kMessage, {});

  BOOST_REQUIRE(minimum.isOk() && full.isOk());
  BOOST_CHECK_EQUAL(full.value().payload, kMessage);
  BOOST_CHECK(full.value().actions.empty());
  auto stripped = hl7::Message::parse(minimum.value().payload);
  BOOST_REQUIRE(stripped.isOk());
  BOOST_CHECK_EQUAL(valueOrEmpty(stripped.value(), "PID-3.1"), "MRN0001");
  BOOST_CHECK_EQUAL(valueOrEmpty(stripped.value(), "PID-8"), "F");
  BOOST_CHECK_EQUAL(valueOrEmpty(stripped.value(), "OBX-5"), "13.5");
  BOOST_CHECK_EQUAL(valueOrEmpty(stripped.value(), "PID-5"), "");
  BOOST_CHECK_EQUAL(valueOrEmpty(stripped.value(), "PID-7"), "");
  BOOST_CHECK_EQUAL(valueOrEmpty(stripped.value(), "OBR-2"), "");
  BOOST_CHECK_EQUAL(valueOrEmpty(stripped.value(), "OBX-6"), "");
  BOOST_CHECK(minimum.value().payload.find("NK1") == std::string::npos);
  BOOST_CHECK_EQUAL(stripped.value().controlId(), "CTRL0001");
}

BOOST_AUTO_TEST_CASE(deny_profile_passes_formats_it_has_no_list_for_unchanged) {
  config::ConfigErrors errors;
  auto transform = build(R"({"type": "strip", "profile": "no-names"})", errors);
  BOOST_REQUIRE(transform);
  const std::string patient = R"({"resourceType":"Patient","id":"p1"})";

  auto result = transform->apply(patient, {});

  BOOST_REQUIRE(result.isOk());
  BOOST_CHECK_EQUAL(result.value().payload, patient);
}

BOOST_AUTO_TEST_CASE(reports_every_problem_of_a_profile_with_file_and_line) {
  config::ConfigErrors errors;

  auto transform = build(R"({"type": "strip", "profile": "broken"})", errors);

  BOOST_CHECK(!transform);
  BOOST_CHECK(anyErrorMentions(errors, "not a path"));
  BOOST_CHECK(anyErrorMentions(errors, "Observation.status"));
  BOOST_CHECK(anyErrorMentions(errors, "nickname"));
  BOOST_CHECK(anyErrorMentions(errors, "colour"));
  bool located = false;
  for (const auto& error : errors.all()) {
    if (error.message.find("nickname") != std::string::npos) {
      located = error.file == "ferry.json" && error.line == 13 &&
                error.json_path == "/strip_profiles/broken/fhir/1";
    }
  }
  BOOST_CHECK_MESSAGE(located, errors.format());
}

BOOST_AUTO_TEST_CASE(refuses_an_allow_list_missing_required_elements) {
  config::ConfigErrors errors;

  auto transform = build(R"({"type": "strip", "profile": "incomplete"})", errors);

  BOOST_CHECK(!transform);
  BOOST_CHECK(anyErrorMentions(errors, "Observation.status"));
}

BOOST_AUTO_TEST_CASE(refuses_an_unknown_profile_and_unknown_keys) {
  config::ConfigErrors errors;

  auto unknown = build(R"({"type": "strip", "profile": "nope"})", errors);
  auto extra = build(R"({"type": "strip", "profile": "no-names", "mode": "allow"})", errors);

  BOOST_CHECK(!unknown);
  BOOST_CHECK(!extra);
  BOOST_CHECK(anyErrorMentions(errors, "lab-minimum"));
  BOOST_CHECK(anyErrorMentions(errors, "mode"));
}

BOOST_AUTO_TEST_SUITE_END()
