#include <boost/test/unit_test.hpp>

#include "engine/ingest_fixture.h"

namespace ferry::testing {
namespace {

using engine::pipeline::FhirSubmitOptions;

// Synthetic resources: made-up people.
const std::string kPatient =
    R"({"resourceType":"Patient","identifier":[{"system":"urn:oid:1.2.3.4","value":"TESTMRN88"}],)"
    R"("name":[{"family":"FHIRFAMILY","given":["ALPHA"]}],"birthDate":"1980-01-01"})";

const std::string kTransaction =
    R"({"resourceType":"Bundle","type":"transaction","entry":[{"fullUrl":)"
    R"("urn:uuid:0d4f7a7e-1b7c-4d0e-9a1f-6c3b2a1d0e9f","resource":{"resourceType":"Patient"},)"
    R"("request":{"method":"POST","url":"Patient"}}]})";

FhirSubmitOptions toType(const std::string& type) {
  FhirSubmitOptions options;
  options.expected_type = type;
  return options;
}

FhirSubmitOptions toBase() {
  FhirSubmitOptions options;
  options.base_endpoint = true;
  return options;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(fhir_ingest)

BOOST_AUTO_TEST_CASE(a_valid_resource_is_stored_encrypted_routed_and_answered_201) {
  IngestFixture fixture;

  auto result = fixture.ingest->submitFhir(kPatient, {"fhir-in", ""}, toType("Patient"));

  BOOST_CHECK_EQUAL(result.http_status, 201);
  BOOST_REQUIRE(result.accepted);
  BOOST_CHECK(result.response.find("OperationOutcome") != std::string::npos);
  const auto& row = fixture.store.messages.at(result.message_id);
  BOOST_CHECK_EQUAL(row.message_type, "Patient");
  BOOST_CHECK_EQUAL(row.patient_key_hash.size(), 64u);
  const auto& payload = fixture.store.payloads.at({result.message_id, "in", ""});
  BOOST_CHECK(payload.ciphertext.find("FHIRFAMILY") == std::string::npos);
  auto opened =
      fixture.cipher->open({payload.key_id, payload.ciphertext}, {result.message_id, "in", ""});
  BOOST_REQUIRE(opened.isOk());
  BOOST_CHECK_EQUAL(opened.value(), kPatient);
  BOOST_CHECK_EQUAL(fixture.store.outbox.count({result.message_id, "fhir-out"}), 1u);
  BOOST_CHECK((fixture.hops(result.message_id) ==
               std::vector<std::string>{"received", "accepted", "queued"}));
}

BOOST_AUTO_TEST_CASE(an_invalid_resource_is_stored_as_rejected_and_answered_422_by_location) {
  IngestFixture fixture;
  std::string bad = R"({"resourceType":"Patient","birthDate":"1980-02-30"})";

  auto result = fixture.ingest->submitFhir(bad, {"fhir-in", ""}, toType("Patient"));

  BOOST_CHECK_EQUAL(result.http_status, 422);
  BOOST_CHECK(!result.accepted);
  BOOST_CHECK(result.stored);
  BOOST_CHECK(result.response.find("Patient.birthDate") != std::string::npos);
  BOOST_CHECK(result.response.find("1980-02-30") == std::string::npos);
  const auto& row = fixture.store.messages.at(result.message_id);
  BOOST_CHECK(row.state == engine::store::MessageState::Rejected);
  BOOST_CHECK(row.error_detail.find("Patient.birthDate") != std::string::npos);
  BOOST_CHECK(row.error_detail.find("1980-02-30") == std::string::npos);
  BOOST_CHECK_EQUAL(fixture.store.outbox.size(), 0u);
  BOOST_CHECK(
      (fixture.hops(result.message_id) == std::vector<std::string>{"received", "rejected"}));
}

BOOST_AUTO_TEST_CASE(text_that_is_not_json_is_answered_400_and_kept) {
  IngestFixture fixture;

  auto result = fixture.ingest->submitFhir("{\"resourceType\": ", {"fhir-in", ""}, toType(""));

  BOOST_CHECK_EQUAL(result.http_status, 400);
  BOOST_CHECK(result.stored);
  BOOST_CHECK_EQUAL(fixture.store.payloads.count({result.message_id, "in", ""}), 1u);
}

BOOST_AUTO_TEST_CASE(a_resource_of_another_type_than_the_url_names_is_refused) {
  IngestFixture fixture;

  auto result = fixture.ingest->submitFhir(kPatient, {"fhir-in", ""}, toType("Observation"));

  BOOST_CHECK_EQUAL(result.http_status, 422);
  BOOST_CHECK(!result.accepted);
}

BOOST_AUTO_TEST_CASE(a_transaction_posted_to_the_base_gets_a_transaction_response) {
  IngestFixture fixture;

  auto result = fixture.ingest->submitFhir(kTransaction, {"fhir-in", ""}, toBase());

  BOOST_CHECK_EQUAL(result.http_status, 200);
  BOOST_REQUIRE(result.accepted);
  BOOST_CHECK(result.response.find("\"transaction-response\"") != std::string::npos);
  BOOST_CHECK(result.response.find("202 Accepted") != std::string::npos);
  const auto& row = fixture.store.messages.at(result.message_id);
  BOOST_CHECK_EQUAL(row.message_type, "Bundle");
  BOOST_CHECK_EQUAL(row.trigger_event, "transaction");
}

BOOST_AUTO_TEST_CASE(the_base_takes_only_transaction_and_batch_bundles) {
  IngestFixture fixture;

  auto result = fixture.ingest->submitFhir(kPatient, {"fhir-in", ""}, toBase());

  BOOST_CHECK_EQUAL(result.http_status, 422);
  BOOST_CHECK(!result.accepted);
}

BOOST_AUTO_TEST_CASE(names_a_sender_made_up_are_kept_out_of_the_store_and_audit) {
  IngestFixture fixture;
  // A sender may put a name where a type or an element name belongs.
  auto unknown_type =
      fixture.ingest->submitFhir(R"({"resourceType":"ZZMARKERTYPE"})", {"fhir-in", ""}, toType(""));
  auto unknown_member = fixture.ingest->submitFhir(R"({"resourceType":"Patient","ZZMARKERNAME":1})",
                                                   {"fhir-in", ""}, toType("Patient"));

  BOOST_CHECK_EQUAL(unknown_type.http_status, 422);
  BOOST_CHECK_EQUAL(unknown_member.http_status, 422);
  for (const auto& [id, row] : fixture.store.messages) {
    BOOST_CHECK(row.message_type.find("ZZMARKER") == std::string::npos);
    BOOST_CHECK(row.error_detail.find("ZZMARKER") == std::string::npos);
  }
  for (const auto& row : fixture.store.audit) {
    BOOST_CHECK(row.detail.find("ZZMARKER") == std::string::npos);
  }
  BOOST_CHECK(fixture.store.messages.at(unknown_member.message_id)
                  .error_detail.find("Patient.(unknown element)") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace ferry::testing
