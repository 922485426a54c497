#include "engine/pipeline/transform_chain.h"

#include <boost/test/unit_test.hpp>

#include "engine/pipeline/registry.h"

namespace ferry::testing {
namespace {

using engine::pipeline::checkBusinessAssociateGate;
using engine::pipeline::PayloadTransform;
using engine::pipeline::summarizeTransformActions;
using engine::pipeline::TransformChain;
using engine::pipeline::TransformContext;
using engine::pipeline::TransformResult;

// Appends a marker; "de-identifies" when configured so.
class MarkerTransform : public PayloadTransform {
 public:
  MarkerTransform(std::string name, bool deidentifies)
      : name_(std::move(name)), deidentifies_(deidentifies) {}
  const std::string& name() const override { return name_; }
  bool deidentifies() const override { return deidentifies_; }
  engine::Result<TransformResult> apply(std::string_view payload,
                                        const TransformContext&) const override {
    if (payload.empty()) {
      return engine::Status(engine::ErrorCode::InvalidMessage, "nothing to transform");
    }
    return TransformResult{std::string(payload) + "+" + name_, {"added " + name_}};
  }

 private:
  std::string name_;
  bool deidentifies_;
};

engine::config::DestinationSettings destination(const std::string& json, bool covered) {
  auto node = engine::config::ConfigNode::parse(json, "test.json");
  BOOST_REQUIRE(node.isOk());
  engine::config::DestinationSettings settings{"research",   "file",       "feed",  {}, true,
                                               node.value(), std::nullopt, covered, ""};
  return settings;
}

TransformChain chainOf(bool deidentifies) {
  std::vector<std::unique_ptr<PayloadTransform>> transforms;
  transforms.push_back(std::make_unique<MarkerTransform>("a", false));
  transforms.push_back(std::make_unique<MarkerTransform>("b", deidentifies));
  return TransformChain(std::move(transforms));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(transform_chain)

BOOST_AUTO_TEST_CASE(applies_transforms_in_order_and_prefixes_their_actions) {
  auto result = chainOf(false).apply("x", {"M1", "route", "dest"});

  BOOST_REQUIRE(result.isOk());
  BOOST_CHECK_EQUAL(result.value().payload, "x+a+b");
  BOOST_CHECK((result.value().actions == std::vector<std::string>{"a: added a", "b: added b"}));
  BOOST_CHECK_EQUAL(chainOf(false).describe(), "a, b");
}

BOOST_AUTO_TEST_CASE(a_failing_transform_stops_the_chain_and_is_named) {
  auto result = chainOf(false).apply("", {"M1", "route", "dest"});

  BOOST_REQUIRE(!result.isOk());
  BOOST_CHECK_EQUAL(result.status().context(), "a: nothing to transform");
}

BOOST_AUTO_TEST_CASE(groups_actions_by_transform_and_verb) {
  std::string detail =
      summarizeTransformActions({"deid: removed PID-5", "deid: generalised PID-7 to year",
                                 "deid: removed PID-13", "strip:x: removed OBX-5"});

  BOOST_CHECK_EQUAL(detail,
                    "deid: removed PID-5, PID-13; generalised PID-7 to year | strip:x: removed "
                    "OBX-5");
}

BOOST_AUTO_TEST_CASE(caps_a_long_detail) {
  std::vector<std::string> actions;
  for (int index = 0; index < 2000; ++index) {
    actions.push_back("deid: removed ZZZ-" + std::to_string(index));
  }

  BOOST_CHECK_LE(summarizeTransformActions(actions).size(), 4000u);
}

BOOST_AUTO_TEST_CASE(the_gate_refuses_phi_to_an_uncovered_destination_naming_route_and_it) {
  engine::config::ConfigErrors errors;

  checkBusinessAssociateGate(destination("{}", false), chainOf(false), errors);

  BOOST_REQUIRE_EQUAL(errors.all().size(), 1u);
  BOOST_CHECK(errors.all()[0].message.find("route 'feed'") != std::string::npos);
  BOOST_CHECK(errors.all()[0].message.find("destination 'research'") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_gate_accepts_de_identified_output_or_a_covered_receiver) {
  engine::config::ConfigErrors errors;

  checkBusinessAssociateGate(destination("{}", false), chainOf(true), errors);
  checkBusinessAssociateGate(destination("{}", true), chainOf(false), errors);

  BOOST_CHECK(errors.empty());
}

BOOST_AUTO_TEST_CASE(an_unknown_transform_type_is_a_config_error_listing_the_known_ones) {
  auto settings = destination(R"({"transforms": [{"type": "teleport"}]})", true);
  settings.transforms = settings.node.member("transforms");
  engine::config::ConfigErrors errors;

  TransformChain chain = TransformChain::build(settings, {}, errors);

  BOOST_CHECK(chain.empty());
  BOOST_REQUIRE_EQUAL(errors.all().size(), 1u);
  BOOST_CHECK(errors.all()[0].message.find("unknown transform type 'teleport'") !=
              std::string::npos);
  BOOST_CHECK_EQUAL(errors.all()[0].json_path, "/transforms/0/type");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace ferry::testing
