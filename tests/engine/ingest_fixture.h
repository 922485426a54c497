#pragma once

// The ingest stage over a fake store, for the HL7v2 and FHIR ingest tests: a journal, keys, a
// router that sends ADT to "adt-out" and Patient resources to "fhir-out", and a FHIR validator
// with the built-in definitions.

#include <boost/test/unit_test.hpp>

#include "engine/crypto/key_ring.h"
#include "engine/fake_store.h"
#include "engine/fhir/definitions.h"
#include "engine/hl7/message.h"
#include "engine/pipeline/ingest.h"
#include "support/test_support.h"

namespace ferry::testing {

using engine::pipeline::Ingest;
using engine::pipeline::Journal;
using engine::pipeline::MessageFacts;
using engine::pipeline::RouteTarget;

// Sends ADT to "adt-out"; everything else matches no route.
class AdtRouter : public engine::pipeline::Router {
 public:
  std::vector<RouteTarget> match(const MessageFacts& facts) const override {
    if (facts.message_type == "ADT") {
      return {RouteTarget{"adt", "adt-out"}};
    }
    if (facts.message_type == "Patient") {
      return {RouteTarget{"patients", "fhir-out"}};
    }
    return {};
  }
  std::string explainNoMatch(const MessageFacts&) const override {
    return "route 'adt': message type not in filter";
  }
};

struct IngestFixture {
  TempDir dir;
  FakeStore store;
  std::shared_ptr<const engine::crypto::KeyRing> keys;
  std::shared_ptr<const engine::crypto::PayloadCipher> cipher;
  std::unique_ptr<Journal> journal;
  AdtRouter router;
  std::unique_ptr<Ingest> ingest;

  IngestFixture() {
    auto loaded = engine::crypto::KeyRing::loadOrCreate((dir.path() / "keys").string(), true);
    BOOST_REQUIRE(loaded.isOk());
    keys = loaded.value();
    cipher = std::make_shared<engine::crypto::PayloadCipher>(keys);
    journal = std::make_unique<Journal>(store, keys);
    BOOST_REQUIRE(journal->start().isOk());
    auto definitions = engine::fhir::Definitions::builtIn();
    BOOST_REQUIRE(definitions.isOk());
    ingest = std::make_unique<Ingest>(
        *journal, keys, cipher, router, std::map<std::string, engine::pipeline::DeliveryWorker*>{},
        engine::hl7::ParseLimits{},
        std::make_shared<const engine::fhir::Validator>(definitions.value()));
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

}  // namespace ferry::testing
