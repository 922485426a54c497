#include "engine/pipeline/ingest.h"

#include <boost/test/unit_test.hpp>

#include "engine/fake_store.h"
#include "engine/hl7/message.h"
#include "engine/ingest_fixture.h"
#include "support/test_support.h"

namespace ferry::testing {
namespace {

const std::string kAdt =
    "MSH|^~\\&|SENDAPP|SENDFAC|RECVAPP|RECVFAC|20260101120000||ADT^A01^ADT_A01|CTRL001|P|2.5.1\r"
    "PID|1||TESTMRN77^^^TESTAUTH^MR||INGESTFAMILY^GIVEN||19800101|M\r";

}  // namespace

BOOST_AUTO_TEST_SUITE(ingest)

BOOST_AUTO_TEST_CASE(accepts_a_routed_message_with_aa_after_storing_it_encrypted) {
  IngestFixture fixture;

  auto outcome = fixture.ingest->ingest(kAdt, {"in", "127.0.0.1:1"});

  BOOST_REQUIRE(outcome.accepted);
  BOOST_CHECK_EQUAL(fixture.field(outcome.ack, "MSA-1"), "AA");
  BOOST_CHECK_EQUAL(fixture.field(outcome.ack, "MSA-2"), "CTRL001");
  BOOST_CHECK_EQUAL(fixture.field(outcome.ack, "MSH-9.1"), "ACK");
  BOOST_CHECK_EQUAL(fixture.field(outcome.ack, "MSH-5"), "SENDAPP");
  const auto& row = fixture.store.messages.at(outcome.message_id);
  BOOST_CHECK(row.state == engine::store::MessageState::Accepted);
  BOOST_CHECK_EQUAL(row.control_id, "CTRL001");
  BOOST_CHECK_EQUAL(row.patient_key_hash.size(), 64u);
  const auto& payload = fixture.store.payloads.at({outcome.message_id, "in", ""});
  BOOST_CHECK(payload.ciphertext.find("INGESTFAMILY") == std::string::npos);
  auto opened =
      fixture.cipher->open({payload.key_id, payload.ciphertext}, {outcome.message_id, "in", ""});
  BOOST_REQUIRE(opened.isOk());
  BOOST_CHECK_EQUAL(opened.value(), kAdt);
  BOOST_CHECK_EQUAL(fixture.store.outbox.count({outcome.message_id, "adt-out"}), 1u);
  BOOST_CHECK((fixture.hops(outcome.message_id) ==
               std::vector<std::string>{"received", "accepted", "queued"}));
}

BOOST_AUTO_TEST_CASE(the_same_patient_gets_the_same_keyed_hash_and_no_plain_identifier) {
  IngestFixture fixture;
  std::string second = kAdt;
  second.replace(second.find("CTRL001"), 7, "CTRL002");

  auto first_outcome = fixture.ingest->ingest(kAdt, {"in", ""});
  auto second_outcome = fixture.ingest->ingest(second, {"in", ""});

  const auto& first_row = fixture.store.messages.at(first_outcome.message_id);
  const auto& second_row = fixture.store.messages.at(second_outcome.message_id);
  BOOST_CHECK_EQUAL(first_row.patient_key_hash, second_row.patient_key_hash);
  BOOST_CHECK(first_row.patient_key_hash.find("TESTMRN77") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(stores_an_unroutable_message_as_filtered_and_still_answers_aa) {
  IngestFixture fixture;
  std::string oru = kAdt;
  oru.replace(oru.find("ADT^A01^ADT_A01"), 15, "ORU^R01^ORU_R01");

  auto outcome = fixture.ingest->ingest(oru, {"in", ""});

  BOOST_CHECK(outcome.accepted);
  BOOST_CHECK_EQUAL(fixture.field(outcome.ack, "MSA-1"), "AA");
  BOOST_CHECK(fixture.store.outbox.empty());
  BOOST_CHECK(
      (fixture.hops(outcome.message_id) == std::vector<std::string>{"received", "filtered"}));
}

BOOST_AUTO_TEST_CASE(answers_ar_to_bytes_that_do_not_parse_and_keeps_them_encrypted) {
  IngestFixture fixture;
  const std::string garbage = "THIS IS NOT HL7 INGESTFAMILY";

  auto outcome = fixture.ingest->ingest(garbage, {"in", ""});

  BOOST_CHECK(!outcome.accepted);
  BOOST_REQUIRE(!outcome.message_id.empty());
  BOOST_CHECK_EQUAL(fixture.field(outcome.ack, "MSA-1"), "AR");
  BOOST_CHECK(outcome.ack.find("ERR|") != std::string::npos);
  BOOST_CHECK(outcome.ack.find("INGESTFAMILY") == std::string::npos);
  BOOST_CHECK(fixture.store.messages.at(outcome.message_id).state ==
              engine::store::MessageState::Rejected);
  BOOST_CHECK_EQUAL(fixture.store.payloads.count({outcome.message_id, "in", ""}), 1u);
  BOOST_CHECK(
      (fixture.hops(outcome.message_id) == std::vector<std::string>{"received", "rejected"}));
}

BOOST_AUTO_TEST_CASE(rejects_a_message_without_a_message_type_naming_msh_9) {
  IngestFixture fixture;
  std::string untyped = kAdt;
  untyped.replace(untyped.find("ADT^A01^ADT_A01"), 15, "");

  auto outcome = fixture.ingest->ingest(untyped, {"in", ""});

  BOOST_CHECK(!outcome.accepted);
  BOOST_CHECK_NE(fixture.field(outcome.ack, "MSA-1"), "AA");
  BOOST_CHECK_EQUAL(fixture.field(outcome.ack, "MSA-2"), "CTRL001");
  BOOST_CHECK_EQUAL(fixture.field(outcome.ack, "ERR-2.1"), "MSH");
  BOOST_CHECK_EQUAL(fixture.field(outcome.ack, "ERR-2.3"), "9");
}

BOOST_AUTO_TEST_CASE(accepts_a_message_without_control_id_and_warns_in_the_ack) {
  IngestFixture fixture;
  std::string anonymous = kAdt;
  anonymous.replace(anonymous.find("CTRL001"), 7, "");

  auto outcome = fixture.ingest->ingest(anonymous, {"in", ""});

  BOOST_CHECK(outcome.accepted);
  BOOST_CHECK_EQUAL(fixture.field(outcome.ack, "MSA-1"), "AA");
  BOOST_CHECK_EQUAL(fixture.field(outcome.ack, "MSA-2"), "");
  BOOST_CHECK_EQUAL(fixture.field(outcome.ack, "ERR-2.3"), "10");
  BOOST_CHECK_EQUAL(fixture.field(outcome.ack, "ERR-4"), "W");
}

BOOST_AUTO_TEST_CASE(answers_ae_and_never_aa_when_the_store_cannot_commit) {
  IngestFixture fixture;
  fixture.store.fail_next_apply = true;

  auto outcome = fixture.ingest->ingest(kAdt, {"in", ""});

  BOOST_CHECK(!outcome.accepted);
  BOOST_CHECK_EQUAL(fixture.field(outcome.ack, "MSA-1"), "AE");
  BOOST_CHECK(fixture.store.messages.empty());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace ferry::testing
