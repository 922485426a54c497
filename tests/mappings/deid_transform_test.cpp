#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "engine/config/config_node.h"
#include "engine/config/engine_config.h"
#include "engine/crypto/key_ring.h"
#include "engine/hl7/message.h"
#include "engine/pipeline/transform.h"
#include "engine/pipeline/transform_chain.h"
#include "support/test_support.h"

namespace config = ferry::engine::config;
namespace pipeline = ferry::engine::pipeline;
namespace hl7 = ferry::engine::hl7;
using ferry::engine::ErrorCode;

namespace {

constexpr std::string_view kMessage =
    "MSH|^~\\&|SENDAPP|SENDFAC|RECVAPP|RECVFAC|20240102030405||ADT^A01^ADT_A01|CTRL0001|P|2.5.1\r"
    "PID|1||MRN0001^^^HOSPA^MR||TESTPATIENT^ALPHA||19700101|F\r"
    "OBX|1|ST|NOTE^Note^L||Synthetic note||||||F\r";

config::ConfigNode node(std::string_view json) {
  auto parsed = config::ConfigNode::parse(json, "route.json");
  BOOST_REQUIRE_MESSAGE(parsed.isOk(), parsed.status().toString());
  return parsed.value();
}

std::shared_ptr<const ferry::engine::crypto::KeyRing> keys(const ferry::testing::TempDir& dir) {
  auto loaded =
      ferry::engine::crypto::KeyRing::loadOrCreate((dir.path() / "keys.json").string(), true);
  BOOST_REQUIRE_MESSAGE(loaded.isOk(), loaded.status().toString());
  return loaded.value();
}

std::unique_ptr<pipeline::PayloadTransform> build(
    std::string_view json, config::ConfigErrors& errors,
    std::shared_ptr<const ferry::engine::crypto::KeyRing> key_ring = nullptr) {
  const pipeline::TransformFactory* factory = pipeline::findTransformType("deidentify");
  BOOST_REQUIRE(factory != nullptr);
  return (*factory)(node(json), errors, pipeline::TransformEnvironment{key_ring, nullptr});
}

bool anyErrorMentions(const config::ConfigErrors& errors, std::string_view text) {
  for (const auto& error : errors.all()) {
    if (error.message.find(text) != std::string::npos) {
      return true;
    }
  }
  return false;
}

config::DestinationSettings destination(const config::ConfigNode& object) {
  return config::DestinationSettings{.name = "research",
                                     .type = "file",
                                     .route = "lab",
                                     .retry = {},
                                     .ordered = true,
                                     .node = object,
                                     .transforms = object.member("transforms"),
                                     .baa_covered = false,
                                     .baa_agreement = ""};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(deid_transform)

BOOST_AUTO_TEST_CASE(is_registered_and_de_identifies_unless_dates_are_shifted) {
  config::ConfigErrors errors;

  auto safe_harbor = build(R"({"type": "deidentify"})", errors);
  auto shifted = build(R"({"type": "deidentify", "date_shift": true})", errors);

  BOOST_REQUIRE_MESSAGE(safe_harbor && shifted, errors.format());
  BOOST_CHECK_EQUAL(safe_harbor->name(), "deidentify:safe-harbor");
  BOOST_CHECK(safe_harbor->deidentifies());
  BOOST_CHECK(!shifted->deidentifies());
}

BOOST_AUTO_TEST_CASE(de_identifies_hl7_and_fhir_payloads) {
  config::ConfigErrors errors;
  auto transform = build(R"({"type": "deidentify", "profile": "safe-harbor"})", errors);
  BOOST_REQUIRE(transform);

  auto hl7_result = transform->apply(kMessage, {});
  auto fhir_result = transform->apply(
      R"({"resourceType": "Patient", "id": "p1", "name": [{"family": "Testpatient"}],
          "birthDate": "1970-01-01"})",
      {});

  BOOST_REQUIRE_MESSAGE(hl7_result.isOk(), hl7_result.status().toString());
  BOOST_REQUIRE_MESSAGE(fhir_result.isOk(), fhir_result.status().toString());
  BOOST_CHECK(hl7_result.value().payload.find("TESTPATIENT") == std::string::npos);
  BOOST_CHECK(hl7_result.value().payload.find("Synthetic") == std::string::npos);
  BOOST_CHECK_EQUAL(fhir_result.value().payload,
                    R"({"resourceType":"Patient","id":"deid-1","birthDate":"1970"})");
  BOOST_CHECK(!hl7_result.value().actions.empty());
}

BOOST_AUTO_TEST_CASE(keeps_allowed_free_text_fields) {
  config::ConfigErrors errors;
  auto transform = build(R"({"type": "deidentify", "allow_free_text": ["OBX-5"]})", errors);
  BOOST_REQUIRE_MESSAGE(transform, errors.format());

  auto result = transform->apply(kMessage, {});

  BOOST_REQUIRE(result.isOk());
  auto message = hl7::Message::parse(result.value().payload);
  BOOST_REQUIRE(message.isOk());
  BOOST_CHECK(message.value().get("OBX-5").value() == std::optional<std::string>("Synthetic note"));
}

BOOST_AUTO_TEST_CASE(pseudonyms_need_the_key_file_only_when_applied) {
  config::ConfigErrors errors;
  ferry::testing::TempDir dir;

  auto checked = build(R"({"type": "deidentify", "pseudonyms": true})", errors);
  auto running = build(R"({"type": "deidentify", "pseudonyms": true})", errors, keys(dir));

  BOOST_REQUIRE_MESSAGE(checked && running, errors.format());
  auto without_keys = checked->apply(kMessage, {});
  BOOST_CHECK(!without_keys.isOk());
  BOOST_CHECK(without_keys.status().code() == ErrorCode::KeyError);
  auto with_keys = running->apply(kMessage, {});
  BOOST_REQUIRE(with_keys.isOk());
  auto message = hl7::Message::parse(with_keys.value().payload);
  BOOST_REQUIRE(message.isOk());
  BOOST_CHECK(message.value().get("PID-3.5").value() == std::optional<std::string>("ANON"));
}

BOOST_AUTO_TEST_CASE(refuses_settings_that_would_let_identifiers_through) {
  config::ConfigErrors errors;

  auto name_field = build(R"({"type": "deidentify", "allow_free_text": ["PID-5"]})", errors);
  auto structure =
      build(R"({"type": "deidentify", "allow_free_text": ["Patient.contact"]})", errors);
  auto profile = build(R"({"type": "deidentify", "profile": "expert"})", errors);
  auto typo = build(R"({"type": "deidentify", "pseudonym": true})", errors);
  auto days = build(R"({"type": "deidentify", "date_shift_days": 10})", errors);
  auto range = build(R"({"type": "deidentify", "date_shift": true, "date_shift_days": 0})", errors);

  BOOST_CHECK(!name_field && !structure && !profile && !typo && !days && !range);
  BOOST_CHECK(anyErrorMentions(errors, "PID-5"));
  BOOST_CHECK(anyErrorMentions(errors, "Patient.contact"));
  BOOST_CHECK(anyErrorMentions(errors, "expert"));
  BOOST_CHECK(anyErrorMentions(errors, "pseudonym"));
  BOOST_CHECK(anyErrorMentions(errors, "date_shift"));
  for (const auto& error : errors.all()) {
    BOOST_CHECK_EQUAL(error.file, "route.json");
  }
}

BOOST_AUTO_TEST_CASE(refuses_payloads_that_are_neither_hl7_nor_fhir) {
  config::ConfigErrors errors;
  auto transform = build(R"({"type": "deidentify"})", errors);
  BOOST_REQUIRE(transform);

  auto result = transform->apply("hello", {});

  BOOST_CHECK(!result.isOk());
  BOOST_CHECK(result.status().code() == ErrorCode::Unsupported);
}

BOOST_AUTO_TEST_CASE(business_associate_gate_accepts_only_safe_harbor_output) {
  config::ConfigNode plain = node(R"({"name": "research"})");
  config::ConfigNode deidentified =
      node(R"({"name": "research", "transforms": [{"type": "deidentify"}]})");
  config::ConfigNode shifted =
      node(R"({"name": "research", "transforms": [{"type": "deidentify", "date_shift": true}]})");

  auto gate = [](const config::ConfigNode& object) {
    config::ConfigErrors errors;
    auto settings = destination(object);
    auto chain = pipeline::TransformChain::build(settings, {}, errors);
    BOOST_REQUIRE_MESSAGE(errors.empty(), errors.format());
    pipeline::checkBusinessAssociateGate(settings, chain, errors);
    return errors;
  };

  config::ConfigErrors refused = gate(plain);
  BOOST_CHECK(!refused.empty());
  BOOST_CHECK(anyErrorMentions(refused, "research"));
  BOOST_CHECK(gate(deidentified).empty());
  BOOST_CHECK(!gate(shifted).empty());
}

BOOST_AUTO_TEST_SUITE_END()
