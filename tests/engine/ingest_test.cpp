#include "engine/pipeline/ingest.h"

#include <boost/test/unit_test.hpp>

#include "engine/crypto/key_ring.h"
#include "engine/fake_store.h"
#include "engine/hl7/message.h"
#include "support/test_support.h"

namespace ferry::testing {
namespace {

using engine::pipeline::Ingest;
using engine::pipeline::Journal;
using engine::pipeline::MessageFacts;
using engine::pipeline::RouteTarget;

const std::string kAdt =
    "MSH|^~\\&|SENDAPP|SENDFAC|RECVAPP|RECVFAC|20260101120000||ADT^A01^ADT_A01|CTRL001|P|2.5.1\r"
    "PID|1||TESTMRN77^^^TESTAUTH^MR||INGESTFAMILY^GIVEN||19800101|M\r";

// Sends ADT to "adt-out"; everything else matches no route.
class AdtRouter : public engine::pipeline::Router {
 public:
  std::vector<RouteTarget> match(const MessageFacts& facts) const override {
    if (facts.message_type == "ADT") {
      return {RouteTarget{"adt", "adt-out"}};
    }
    return {};
  }
  std::string explainNoMatch(const MessageFacts&) const override {
    return "route 'adt': message type not in filter";
  }
};

struct Fixture {
  TempDir dir;
  FakeStore store;
  std::shared_ptr<const engine::crypto::KeyRing> keys;
  std::shared_ptr<const engine::crypto::PayloadCipher> cipher;
  std::unique_ptr<Journal> journal;
  AdtRouter router;
  std::unique_ptr<Ingest> ingest;

  Fixture() {
    auto loaded = engine::crypto::KeyRing::loadOrCreate((dir.path() / "keys").string(), true);
    BOOST_REQUIRE(loaded.isOk());
    keys = loaded.value();
    cipher = std::make_shared<engine::crypto::PayloadCipher>(keys);
    journal = std::make_unique<Journal>(store, keys);
    BOOST_REQUIRE(journal->start().isOk());
    ingest = std::make_unique<Ingest>(*journal, keys, cipher, router,
                                      std::map<std::string, engine::pipeline::DeliveryWorker*>{},
                                      engine::hl7::ParseLimits{});
  }

  std::string field(const std::string& ack, const std::string& path) {
    auto parsed = engine::hl7::Message::parse(ack);
    BOOST_REQUIRE_MESSAGE(parsed.isOk(), "ACK does not parse");
    auto value = parsed.value().get(path);
    return value.isOk() && value.value() ? *value.value() : "";
  }

  std::vector<std::string> hops(const std::string& id) {
    std::vector<std::string> result;
    for (const auto& row : store.audit) {
      if (row.message_id == id) {
        result.push_back(row.hop);
      }
    }
    return result;
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(ingest)

BOOST_AUTO_TEST_CASE(accepts_a_routed_message_with_aa_after_storing_it_encrypted) {
  Fixture fixture;

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
  Fixture fixture;
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
  Fixture fixture;
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
  Fixture fixture;
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
  Fixture fixture;
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
  Fixture fixture;
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
  Fixture fixture;
  fixture.store.fail_next_apply = true;

  auto outcome = fixture.ingest->ingest(kAdt, {"in", ""});

  BOOST_CHECK(!outcome.accepted);
  BOOST_CHECK_EQUAL(fixture.field(outcome.ack, "MSA-1"), "AE");
  BOOST_CHECK(fixture.store.messages.empty());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace ferry::testing
