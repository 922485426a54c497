#include <string>

#include <boost/test/unit_test.hpp>

#include "connectors/fhir_http/fhir_http_payload.h"
#include "connectors/fhir_http_test_support.h"

namespace {

using ferry::connectors::fhir_http::DeliveryMode;
using ferry::connectors::fhir_http::planRequest;
using ferry::engine::ErrorCode;
using ferry::testing::fhir_http::patientJson;
using ferry::testing::fhir_http::transactionBundleJson;

}  // namespace

BOOST_AUTO_TEST_SUITE(fhir_http_payload)

BOOST_AUTO_TEST_CASE(plans_a_create_as_post_to_the_type) {
  auto plan = planRequest(patientJson("p1"), DeliveryMode::Create, "M1");

  BOOST_REQUIRE(plan.isOk());
  BOOST_CHECK_EQUAL(plan.value().method, "POST");
  BOOST_CHECK_EQUAL(plan.value().path, "/Patient");
  BOOST_CHECK_EQUAL(plan.value().body, patientJson("p1"));
  BOOST_CHECK_EQUAL(plan.value().target, "POST Patient");
}

BOOST_AUTO_TEST_CASE(plans_an_update_as_put_to_type_and_id_without_naming_the_id) {
  auto plan = planRequest(patientJson("p-1.2"), DeliveryMode::Update, "M1");

  BOOST_REQUIRE(plan.isOk());
  BOOST_CHECK_EQUAL(plan.value().method, "PUT");
  BOOST_CHECK_EQUAL(plan.value().path, "/Patient/p-1.2");
  BOOST_CHECK_EQUAL(plan.value().target, "PUT Patient/[id]");
}

BOOST_AUTO_TEST_CASE(refuses_an_update_whose_id_is_not_a_fhir_id) {
  auto plan = planRequest(patientJson("a/b"), DeliveryMode::Update, "M1");

  BOOST_CHECK(plan.status().code() == ErrorCode::RemoteRejected);
  BOOST_CHECK(plan.status().context().find("a/b") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(sends_a_batch_bundle_to_the_base_in_every_mode) {
  std::string batch = R"({"resourceType":"Bundle","type":"batch","entry":[]})";

  for (DeliveryMode mode :
       {DeliveryMode::Create, DeliveryMode::Update, DeliveryMode::Transaction}) {
    auto plan = planRequest(batch, mode, "M1");
    BOOST_REQUIRE(plan.isOk());
    BOOST_CHECK_EQUAL(plan.value().method, "POST");
    BOOST_CHECK(plan.value().path.empty());
    BOOST_CHECK_EQUAL(plan.value().body, batch);
  }
}

BOOST_AUTO_TEST_CASE(creates_a_bundle_of_another_type_like_any_resource) {
  std::string collection = R"({"resourceType":"Bundle","type":"collection"})";

  auto plan = planRequest(collection, DeliveryMode::Create, "M1");

  BOOST_REQUIRE(plan.isOk());
  BOOST_CHECK_EQUAL(plan.value().path, "/Bundle");
}

BOOST_AUTO_TEST_CASE(wraps_with_a_fullurl_that_depends_only_on_the_message_id) {
  auto first = planRequest(patientJson(), DeliveryMode::Transaction, "M1");
  auto again = planRequest(patientJson(), DeliveryMode::Transaction, "M1");
  auto other = planRequest(patientJson(), DeliveryMode::Transaction, "M2");

  BOOST_REQUIRE(first.isOk() && again.isOk() && other.isOk());
  BOOST_CHECK_EQUAL(first.value().body, again.value().body);
  BOOST_CHECK_NE(first.value().body, other.value().body);
  BOOST_CHECK(first.value().body.find(R"("resource":)" + patientJson() + ",") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(drops_a_byte_order_mark_before_sending) {
  auto plan = planRequest("\xEF\xBB\xBF" + patientJson() + "\n", DeliveryMode::Create, "M1");

  BOOST_REQUIRE(plan.isOk());
  BOOST_CHECK_EQUAL(plan.value().body, patientJson());
}

BOOST_AUTO_TEST_CASE(refuses_what_is_not_a_fhir_resource_permanently) {
  auto hl7 = planRequest("MSH|^~\\&|A\r", DeliveryMode::Create, "M1");
  auto text = planRequest("hello", DeliveryMode::Create, "M1");
  auto broken = planRequest(R"({"resourceType":"Patient",)", DeliveryMode::Create, "M1");
  auto untyped = planRequest(R"({"id":"x"})", DeliveryMode::Create, "M1");
  auto bad_type = planRequest(R"({"resourceType":"../admin"})", DeliveryMode::Create, "M1");

  BOOST_CHECK(hl7.status().code() == ErrorCode::RemoteRejected);
  BOOST_CHECK(hl7.status().context().find("mapping to FHIR") != std::string::npos);
  BOOST_CHECK(text.status().code() == ErrorCode::RemoteRejected);
  BOOST_CHECK(broken.status().code() == ErrorCode::RemoteRejected);
  BOOST_CHECK(untyped.status().code() == ErrorCode::RemoteRejected);
  BOOST_CHECK(bad_type.status().code() == ErrorCode::RemoteRejected);
}

BOOST_AUTO_TEST_SUITE_END()
