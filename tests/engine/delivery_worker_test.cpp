#include "engine/pipeline/delivery_worker.h"

#include <boost/test/unit_test.hpp>

#include <mutex>

#include "engine/crypto/key_ring.h"
#include "engine/fake_store.h"
#include "support/test_support.h"

namespace ferry::testing {
namespace {

using namespace std::chrono_literals;
using engine::ErrorCode;
using engine::Status;
using engine::pipeline::DeliveryContext;
using engine::pipeline::DeliveryResult;
using engine::pipeline::DeliveryWorker;
using engine::pipeline::Journal;
using engine::pipeline::QueuedDelivery;

// Records every payload it is given and answers from a script of outcomes (then Ok).
class ScriptedConnector : public engine::pipeline::DestinationConnector {
 public:
  explicit ScriptedConnector(std::vector<ErrorCode> script) : script_(std::move(script)) {}

  DeliveryResult deliver(std::string_view payload, const DeliveryContext&) override {
    std::lock_guard lock(mutex_);
    calls_.emplace_back(payload);
    ErrorCode code = ErrorCode::Ok;
    if (!script_.empty()) {
      code = script_.front();
      script_.erase(script_.begin());
    }
    if (code == ErrorCode::Ok) {
      return {Status::ok(), "ACK-FOR-" + std::string(payload)};
    }
    return {Status(code, "scripted failure"), ""};
  }

  std::vector<std::string> calls() const {
    std::lock_guard lock(mutex_);
    return calls_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<ErrorCode> script_;
  std::vector<std::string> calls_;
};

// Takes up to four messages at a time and fails the first delivery of "fail-once".
class BatchingConnector : public engine::pipeline::DestinationConnector {
 public:
  DeliveryResult deliver(std::string_view payload, const DeliveryContext&) override {
    std::lock_guard lock(mutex_);
    calls_.emplace_back(payload);
    if (payload == "fail-once" && !failed_) {
      failed_ = true;
      return {Status(ErrorCode::ConnectionError, "scripted failure"), ""};
    }
    return {Status::ok(), ""};
  }
  std::size_t maxBatch() const override { return 4; }
  std::vector<DeliveryResult> deliverBatch(const std::vector<std::string_view>& payloads,
                                           const std::vector<DeliveryContext>& contexts) override {
    {
      std::lock_guard lock(mutex_);
      batch_sizes_.push_back(payloads.size());
    }
    return DestinationConnector::deliverBatch(payloads, contexts);
  }

  std::vector<std::string> calls() const {
    std::lock_guard lock(mutex_);
    return calls_;
  }
  std::vector<std::size_t> batchSizes() const {
    std::lock_guard lock(mutex_);
    return batch_sizes_;
  }

 private:
  mutable std::mutex mutex_;
  bool failed_ = false;
  std::vector<std::string> calls_;
  std::vector<std::size_t> batch_sizes_;
};

// Fails once with the code and Retry-After it is given, then accepts; keeps the receiver's
// answer in the result like the HTTP destination does.
class AnsweringConnector : public engine::pipeline::DestinationConnector {
 public:
  AnsweringConnector(ErrorCode first, std::chrono::milliseconds retry_after)
      : first_(first), retry_after_(retry_after) {}

  DeliveryResult deliver(std::string_view, const DeliveryContext&) override {
    std::lock_guard lock(mutex_);
    ++calls_;
    if (calls_ == 1) {
      DeliveryResult result{Status(first_, "HTTP 4xx/5xx"), "receiver says why"};
      result.retry_after = retry_after_;
      return result;
    }
    return {Status::ok(), ""};
  }
  int calls() const {
    std::lock_guard lock(mutex_);
    return calls_;
  }

 private:
  mutable std::mutex mutex_;
  ErrorCode first_;
  std::chrono::milliseconds retry_after_;
  int calls_ = 0;
};

// Upper-cases payloads and says so; refuses payloads that start with "bad".
class UpperCaseTransform : public engine::pipeline::PayloadTransform {
 public:
  const std::string& name() const override { return name_; }
  engine::Result<engine::pipeline::TransformResult> apply(
      std::string_view payload, const engine::pipeline::TransformContext&) const override {
    if (payload.substr(0, 3) == "bad") {
      return Status(ErrorCode::InvalidMessage, "segment 1: not mappable");
    }
    engine::pipeline::TransformResult result;
    for (char c : payload) {
      result.payload += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    result.actions.push_back("upper-cased every byte");
    return result;
  }

 private:
  std::string name_ = "test:upper";
};

engine::pipeline::TransformChain upperCaseChain() {
  std::vector<std::unique_ptr<engine::pipeline::PayloadTransform>> transforms;
  transforms.push_back(std::make_unique<UpperCaseTransform>());
  return engine::pipeline::TransformChain(std::move(transforms));
}

engine::config::DestinationSettings settings(int max_attempts, bool ordered = true) {
  auto node = engine::config::ConfigNode::parse("{}", "test.json");
  BOOST_REQUIRE(node.isOk());
  engine::config::DestinationSettings destination{"dest",       "scripted",   "route", {}, ordered,
                                                  node.value(), std::nullopt, false,   ""};
  destination.retry.max_attempts = max_attempts;
  destination.retry.initial_backoff = 1ms;
  destination.retry.max_backoff = 2ms;
  return destination;
}

struct Fixture {
  TempDir dir;
  FakeStore store;
  std::shared_ptr<const engine::crypto::KeyRing> keys;
  std::shared_ptr<const engine::crypto::PayloadCipher> cipher;
  std::unique_ptr<Journal> journal;

  Fixture() {
    auto loaded = engine::crypto::KeyRing::loadOrCreate((dir.path() / "keys").string(), true);
    BOOST_REQUIRE(loaded.isOk());
    keys = loaded.value();
    cipher = std::make_shared<engine::crypto::PayloadCipher>(keys);
    journal = std::make_unique<Journal>(store, keys);
    BOOST_REQUIRE(journal->start().isOk());
  }

  // Stores an encrypted inbound payload, as ingest would.
  void storePayload(const std::string& id, const std::string& plaintext) {
    auto sealed = cipher->seal(plaintext, {id, "in", ""});
    BOOST_REQUIRE(sealed.isOk());
    engine::store::WriteBatch batch;
    batch.payloads.push_back({id, "in", "", sealed.value().key_id, sealed.value().blob});
    batch.new_outbox.push_back({id, "dest", 0, engine::store::OutboxState::Pending, 0, 0, ""});
    BOOST_REQUIRE(journal->commit(std::move(batch)).isOk());
  }

  std::vector<std::string> hops(const std::string& id) {
    journal->stop();  // everything recorded is applied
    std::vector<std::string> result;
    for (const auto& row : store.audit) {
      if (row.message_id == id) {
        result.push_back(row.hop + ":" + row.outcome);
      }
    }
    return result;
  }
};

QueuedDelivery item(const std::string& id, std::optional<std::string> payload) {
  return QueuedDelivery{id, "route", "CTRL-" + id, std::move(payload), 0, 0, false, ""};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(delivery_worker)

BOOST_AUTO_TEST_CASE(delivers_queued_messages_in_order_and_records_sent_and_acknowledged) {
  Fixture fixture;
  auto connector = std::make_unique<ScriptedConnector>(std::vector<ErrorCode>{});
  auto* seen = connector.get();
  DeliveryWorker worker(settings(3), std::move(connector), *fixture.journal, fixture.store,
                        fixture.cipher);
  worker.start();

  for (int index = 1; index <= 3; ++index) {
    worker.enqueue(item("M" + std::to_string(index), "payload-" + std::to_string(index)));
  }
  BOOST_REQUIRE(waitUntil([&] { return worker.counters().delivered == 3; }, 10s));
  worker.stop();

  BOOST_CHECK((seen->calls() == std::vector<std::string>{"payload-1", "payload-2", "payload-3"}));
  BOOST_CHECK((fixture.hops("M2") == std::vector<std::string>{"sent:ok", "acknowledged:ok"}));
  BOOST_CHECK(
      (fixture.store.outbox[{"M2", "dest"}].state == engine::store::OutboxState::Delivered));
  BOOST_CHECK_EQUAL((fixture.store.payloads.count({"M2", "resp", "dest"})), 1u);
}

BOOST_AUTO_TEST_CASE(retries_a_failed_delivery_with_backoff_until_it_succeeds) {
  Fixture fixture;
  auto connector = std::make_unique<ScriptedConnector>(
      std::vector<ErrorCode>{ErrorCode::RemoteError, ErrorCode::Timeout});
  auto* seen = connector.get();
  DeliveryWorker worker(settings(5), std::move(connector), *fixture.journal, fixture.store,
                        fixture.cipher);
  worker.start();

  worker.enqueue(item("R1", "retry-me"));
  BOOST_REQUIRE(waitUntil([&] { return worker.counters().delivered == 1; }, 10s));
  worker.stop();

  BOOST_CHECK_EQUAL(seen->calls().size(), 3u);
  BOOST_CHECK(
      (fixture.hops("R1") == std::vector<std::string>{"failed:remote_error", "failed:timeout",
                                                      "sent:ok", "acknowledged:ok"}));
  BOOST_CHECK_EQUAL((fixture.store.outbox[{"R1", "dest"}].attempts), 3);
}

BOOST_AUTO_TEST_CASE(parks_a_message_as_dead_after_the_last_attempt) {
  Fixture fixture;
  auto connector =
      std::make_unique<ScriptedConnector>(std::vector<ErrorCode>(10, ErrorCode::RemoteError));
  auto* seen = connector.get();
  DeliveryWorker worker(settings(3), std::move(connector), *fixture.journal, fixture.store,
                        fixture.cipher);
  worker.start();

  worker.enqueue(item("D1", "never-accepted"));
  BOOST_REQUIRE(waitUntil([&] { return worker.counters().dead == 1; }, 10s));
  worker.stop();

  auto hops = fixture.hops("D1");
  BOOST_CHECK_EQUAL(seen->calls().size(), 3u);
  BOOST_CHECK((fixture.store.outbox[{"D1", "dest"}].state == engine::store::OutboxState::Dead));
  BOOST_REQUIRE(!hops.empty());
  BOOST_CHECK_EQUAL(hops.back(), "dead:remote_error");
}

BOOST_AUTO_TEST_CASE(an_ordered_destination_holds_later_messages_behind_a_failing_one) {
  Fixture fixture;
  auto connector = std::make_unique<ScriptedConnector>(
      std::vector<ErrorCode>{ErrorCode::ConnectionError, ErrorCode::ConnectionError});
  auto* seen = connector.get();
  DeliveryWorker worker(settings(5, true), std::move(connector), *fixture.journal, fixture.store,
                        fixture.cipher);

  worker.enqueue(item("O1", "first"));
  worker.enqueue(item("O2", "second"));
  worker.start();
  BOOST_REQUIRE(waitUntil([&] { return worker.counters().delivered == 2; }, 10s));
  worker.stop();

  BOOST_CHECK((seen->calls() == std::vector<std::string>{"first", "first", "first", "second"}));
}

BOOST_AUTO_TEST_CASE(reads_the_payload_from_the_store_when_it_is_not_cached) {
  Fixture fixture;
  fixture.storePayload("S1", "stored-bytes");
  auto connector = std::make_unique<ScriptedConnector>(std::vector<ErrorCode>{});
  auto* seen = connector.get();
  DeliveryWorker worker(settings(3), std::move(connector), *fixture.journal, fixture.store,
                        fixture.cipher);
  worker.start();

  worker.enqueue(item("S1", std::nullopt));
  BOOST_REQUIRE(waitUntil([&] { return worker.counters().delivered == 1; }, 10s));
  worker.stop();

  BOOST_CHECK((seen->calls() == std::vector<std::string>{"stored-bytes"}));
}

BOOST_AUTO_TEST_CASE(a_tampered_ciphertext_is_parked_dead_and_never_delivered) {
  Fixture fixture;
  fixture.storePayload("T1", "authentic-bytes");
  {
    std::lock_guard lock(fixture.store.mutex());
    auto& blob = fixture.store.payloads[{"T1", "in", ""}].ciphertext;
    blob[blob.size() / 2] = static_cast<char>(blob[blob.size() / 2] ^ 0x20);
  }
  auto connector = std::make_unique<ScriptedConnector>(std::vector<ErrorCode>{});
  auto* seen = connector.get();
  DeliveryWorker worker(settings(3), std::move(connector), *fixture.journal, fixture.store,
                        fixture.cipher);
  worker.start();

  worker.enqueue(item("T1", std::nullopt));
  BOOST_REQUIRE(waitUntil([&] { return worker.counters().dead == 1; }, 10s));
  worker.stop();

  BOOST_CHECK(seen->calls().empty());
  BOOST_CHECK((fixture.hops("T1") == std::vector<std::string>{"dead:integrity_error"}));
}

BOOST_AUTO_TEST_CASE(hands_consecutive_messages_to_a_batching_connector_and_retries_in_order) {
  Fixture fixture;
  auto connector = std::make_unique<BatchingConnector>();
  auto* seen = connector.get();
  DeliveryWorker worker(settings(3), std::move(connector), *fixture.journal, fixture.store,
                        fixture.cipher);
  for (const char* payload : {"one", "fail-once", "three", "four", "five"}) {
    worker.enqueue(item(payload, std::string(payload)));
  }

  worker.start();
  BOOST_REQUIRE(waitUntil([&] { return worker.counters().delivered == 5; }, 10s));
  worker.stop();

  auto sizes = seen->batchSizes();
  BOOST_REQUIRE(!sizes.empty());
  BOOST_CHECK_EQUAL(sizes.front(), 4u);
  BOOST_CHECK((seen->calls() ==
               std::vector<std::string>{"one", "fail-once", "three", "four", "fail-once", "five"}));
  BOOST_CHECK_EQUAL(fixture.hops("fail-once").size(), 2u);  // stops the journal: all applied
  BOOST_CHECK_EQUAL((fixture.store.outbox[{"fail-once", "dest"}].attempts), 2);
}

BOOST_AUTO_TEST_CASE(past_its_bound_the_queue_spills_and_reads_the_backlog_back_in_order) {
  Fixture fixture;
  const std::size_t total = DeliveryWorker::kMaxQueued + 25;
  std::vector<std::string> expected;
  for (std::size_t index = 0; index < total; ++index) {
    char id[16];
    std::snprintf(id, sizeof(id), "Q%07zu", index);
    expected.push_back(std::string("body-") + id);
    fixture.storePayload(id, expected.back());
  }
  auto connector = std::make_unique<ScriptedConnector>(std::vector<ErrorCode>{});
  auto* seen = connector.get();
  DeliveryWorker worker(settings(3), std::move(connector), *fixture.journal, fixture.store,
                        fixture.cipher);
  for (std::size_t index = 0; index < total; ++index) {
    worker.enqueue(item(expected[index].substr(5), expected[index]));
  }

  BOOST_CHECK_EQUAL(worker.depth(), DeliveryWorker::kMaxQueued);
  worker.start();
  BOOST_REQUIRE(waitUntil([&] { return worker.counters().delivered >= total; }, 60s));
  worker.stop();

  BOOST_CHECK(seen->calls() == expected);
}

BOOST_AUTO_TEST_CASE(after_a_restart_the_backlog_is_read_from_the_store) {
  Fixture fixture;
  fixture.storePayload("P1", "first");
  fixture.storePayload("P2", "second");
  auto connector = std::make_unique<ScriptedConnector>(std::vector<ErrorCode>{});
  auto* seen = connector.get();
  DeliveryWorker worker(settings(3), std::move(connector), *fixture.journal, fixture.store,
                        fixture.cipher);

  worker.resumeFromStore();
  worker.start();
  BOOST_REQUIRE(waitUntil([&] { return worker.counters().delivered == 2; }, 10s));
  worker.stop();

  BOOST_CHECK((seen->calls() == std::vector<std::string>{"first", "second"}));
}

BOOST_AUTO_TEST_CASE(a_rejection_parks_the_message_dead_at_once_and_keeps_the_answer) {
  Fixture fixture;
  auto connector = std::make_unique<AnsweringConnector>(ErrorCode::RemoteRejected, 0ms);
  auto* seen = connector.get();
  DeliveryWorker worker(settings(5), std::move(connector), *fixture.journal, fixture.store,
                        fixture.cipher);
  worker.start();

  worker.enqueue(item("J1", "payload"));
  BOOST_REQUIRE(waitUntil([&] { return worker.counters().dead == 1; }, 10s));
  worker.stop();

  BOOST_CHECK_EQUAL(seen->calls(), 1);
  BOOST_CHECK((fixture.hops("J1") == std::vector<std::string>{"dead:remote_rejected"}));
  BOOST_CHECK_EQUAL((fixture.store.payloads.count({"J1", "resp", "dest"})), 1u);
}

BOOST_AUTO_TEST_CASE(a_retry_waits_as_long_as_the_receiver_asked) {
  Fixture fixture;
  auto connector = std::make_unique<AnsweringConnector>(ErrorCode::RemoteError, 3600s);
  DeliveryWorker worker(settings(5), std::move(connector), *fixture.journal, fixture.store,
                        fixture.cipher);
  worker.start();
  std::int64_t before = engine::pipeline::nowMs();

  worker.enqueue(item("W1", "payload"));
  BOOST_REQUIRE(waitUntil([&] { return worker.counters().failed_attempts == 1; }, 10s));
  worker.stop();
  fixture.hops("W1");  // applies what the journal holds

  // The policy's own backoff is 1 ms; the receiver asked for an hour.
  BOOST_CHECK_GE((fixture.store.outbox[{"W1", "dest"}].next_attempt_ms), before + 3600 * 1000);
  BOOST_CHECK_EQUAL(worker.counters().delivered, 0u);
}

BOOST_AUTO_TEST_CASE(transforms_run_before_delivery_and_their_hop_is_audited) {
  Fixture fixture;
  auto connector = std::make_unique<ScriptedConnector>(std::vector<ErrorCode>{ErrorCode::Timeout});
  auto* seen = connector.get();
  DeliveryWorker worker(settings(3), std::move(connector), *fixture.journal, fixture.store,
                        fixture.cipher, upperCaseChain());
  worker.start();

  worker.enqueue(item("T1", "abc"));
  BOOST_REQUIRE(waitUntil([&] { return worker.counters().delivered == 1; }, 10s));
  worker.stop();

  // The retry delivers the transformed bytes again, not a transform of them.
  BOOST_CHECK((seen->calls() == std::vector<std::string>{"ABC", "ABC"}));
  BOOST_CHECK((fixture.hops("T1") == std::vector<std::string>{"failed:timeout", "transformed:ok",
                                                              "sent:ok", "acknowledged:ok"}));
  bool detail_found = false;
  for (const auto& row : fixture.store.audit) {
    detail_found = detail_found ||
                   (row.hop == "transformed" && row.detail == "test:upper: upper-cased every byte");
  }
  BOOST_CHECK(detail_found);
}

BOOST_AUTO_TEST_CASE(a_message_the_transforms_refuse_is_parked_dead_undelivered) {
  Fixture fixture;
  auto connector = std::make_unique<ScriptedConnector>(std::vector<ErrorCode>{});
  auto* seen = connector.get();
  DeliveryWorker worker(settings(3), std::move(connector), *fixture.journal, fixture.store,
                        fixture.cipher, upperCaseChain());
  worker.start();

  worker.enqueue(item("T2", "bad payload"));
  worker.enqueue(item("T3", "good"));
  BOOST_REQUIRE(waitUntil([&] { return worker.counters().delivered == 1; }, 10s));
  worker.stop();

  BOOST_CHECK((seen->calls() == std::vector<std::string>{"GOOD"}));
  BOOST_CHECK((fixture.hops("T2") == std::vector<std::string>{"dead:invalid_message"}));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace ferry::testing
