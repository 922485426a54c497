#include "engine/pipeline/journal.h"

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <future>
#include <thread>

#include "engine/audit/audit_chain.h"
#include "engine/crypto/key_ring.h"
#include "engine/fake_store.h"
#include "engine/pipeline/audit_events.h"
#include "support/test_support.h"

namespace ferry::testing {
namespace {

using engine::ErrorCode;
using engine::pipeline::Journal;
using engine::store::WriteBatch;

std::shared_ptr<const engine::crypto::KeyRing> makeKeys(const TempDir& dir) {
  auto keys = engine::crypto::KeyRing::loadOrCreate((dir.path() / "keys.json").string(), true);
  BOOST_REQUIRE(keys.isOk());
  return keys.value();
}

WriteBatch batchWithAudit(const std::string& message_id, int audit_rows) {
  WriteBatch batch;
  engine::store::MessageRow message;
  message.id = message_id;
  batch.messages.push_back(message);
  for (int index = 0; index < audit_rows; ++index) {
    batch.audit.push_back(
        engine::pipeline::auditEvent(message_id, "route", "", "received", "test", "ok", "", ""));
  }
  return batch;
}

// Blocks its first apply() until released, so that a test can queue batches behind it.
class GatedStore : public FakeStore {
 public:
  engine::Status apply(const WriteBatch& batch) override {
    if (!first_done_.exchange(true)) {
      entered_.set_value();
      release_.get_future().wait();
    }
    return FakeStore::apply(batch);
  }
  void waitEntered() { entered_future_.wait(); }
  void release() { release_.set_value(); }

 private:
  std::atomic<bool> first_done_{false};
  std::promise<void> entered_;
  std::future<void> entered_future_ = entered_.get_future();
  std::promise<void> release_;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(journal)

BOOST_AUTO_TEST_CASE(commit_returns_after_the_batch_is_applied) {
  TempDir dir;
  FakeStore store;
  Journal journal(store, makeKeys(dir));
  BOOST_REQUIRE(journal.start().isOk());

  engine::Status status = journal.commit(batchWithAudit("M1", 1));

  BOOST_REQUIRE(status.isOk());
  BOOST_CHECK_EQUAL(store.messages.count("M1"), 1u);
  BOOST_CHECK_EQUAL(store.audit.size(), 1u);
}

BOOST_AUTO_TEST_CASE(audit_rows_are_sequenced_and_chained_so_the_chain_verifies) {
  TempDir dir;
  FakeStore store;
  auto keys = makeKeys(dir);
  Journal journal(store, keys);
  BOOST_REQUIRE(journal.start().isOk());

  std::vector<std::thread> threads;
  for (int thread = 0; thread < 4; ++thread) {
    threads.emplace_back([&, thread] {
      for (int index = 0; index < 25; ++index) {
        BOOST_CHECK(journal
                        .commit(batchWithAudit(
                            "T" + std::to_string(thread) + "-" + std::to_string(index), 3))
                        .isOk());
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  journal.stop();

  BOOST_REQUIRE_EQUAL(store.audit.size(), 300u);
  for (std::size_t index = 0; index < store.audit.size(); ++index) {
    BOOST_CHECK_EQUAL(store.audit[index].sequence, static_cast<std::int64_t>(index + 1));
  }
  auto report = engine::audit::verifyAuditChain(store, *keys);
  BOOST_REQUIRE(report.isOk());
  BOOST_CHECK(report.value().ok);
  BOOST_CHECK_EQUAL(report.value().records_checked, 300);
}

BOOST_AUTO_TEST_CASE(batches_waiting_behind_a_commit_share_the_next_transaction) {
  TempDir dir;
  GatedStore store;
  Journal journal(store, makeKeys(dir));
  BOOST_REQUIRE(journal.start().isOk());

  std::atomic<int> done{0};
  journal.commitAsync(batchWithAudit("FIRST", 1), [&](const engine::Status&) { ++done; });
  store.waitEntered();
  for (int index = 0; index < 7; ++index) {
    journal.commitAsync(batchWithAudit("NEXT" + std::to_string(index), 1),
                        [&](const engine::Status&) { ++done; });
  }
  store.release();
  journal.stop();

  BOOST_CHECK_EQUAL(done.load(), 8);
  BOOST_CHECK_EQUAL(journal.batchesCommitted(), 8u);
  BOOST_CHECK_EQUAL(journal.transactionsCommitted(), 2u);
}

BOOST_AUTO_TEST_CASE(failed_commit_reports_the_error_and_leaves_no_gap_in_the_chain) {
  TempDir dir;
  FakeStore store;
  auto keys = makeKeys(dir);
  Journal journal(store, keys);
  BOOST_REQUIRE(journal.start().isOk());
  BOOST_REQUIRE(journal.commit(batchWithAudit("OK1", 1)).isOk());

  store.fail_next_apply = true;
  engine::Status failed = journal.commit(batchWithAudit("LOST", 2));
  engine::Status after = journal.commit(batchWithAudit("OK2", 1));

  BOOST_CHECK(failed.code() == ErrorCode::StorageError);
  BOOST_REQUIRE(after.isOk());
  BOOST_REQUIRE_EQUAL(store.audit.size(), 2u);
  BOOST_CHECK_EQUAL(store.audit[1].sequence, 2);
  auto report = engine::audit::verifyAuditChain(store, *keys);
  BOOST_REQUIRE(report.isOk());
  BOOST_CHECK(report.value().ok);
}

BOOST_AUTO_TEST_CASE(a_new_journal_continues_the_chain_of_the_stored_records) {
  TempDir dir;
  FakeStore store;
  auto keys = makeKeys(dir);
  {
    Journal first(store, keys);
    BOOST_REQUIRE(first.start().isOk());
    BOOST_REQUIRE(first.commit(batchWithAudit("A", 2)).isOk());
  }

  Journal second(store, keys);
  BOOST_REQUIRE(second.start().isOk());
  BOOST_REQUIRE(second.commit(batchWithAudit("B", 2)).isOk());

  BOOST_CHECK_EQUAL(store.audit.back().sequence, 4);
  auto report = engine::audit::verifyAuditChain(store, *keys);
  BOOST_REQUIRE(report.isOk());
  BOOST_CHECK(report.value().ok);
}

BOOST_AUTO_TEST_CASE(a_lazy_batch_rides_along_with_the_next_commit) {
  TempDir dir;
  FakeStore store;
  Journal journal(store, makeKeys(dir), std::chrono::hours(1));
  BOOST_REQUIRE(journal.start().isOk());
  std::atomic<bool> lazy_done{false};

  journal.commitLazy(batchWithAudit("LAZY", 1),
                     [&](const engine::Status& s) { lazy_done = s.isOk(); });
  BOOST_REQUIRE(journal.commit(batchWithAudit("WAITED", 1)).isOk());

  BOOST_CHECK(lazy_done.load());
  BOOST_CHECK_EQUAL(store.messages.count("LAZY"), 1u);
  BOOST_CHECK_EQUAL(journal.transactionsCommitted(), 1u);
  BOOST_CHECK_EQUAL(journal.batchesCommitted(), 2u);
}

BOOST_AUTO_TEST_CASE(a_lazy_batch_alone_is_written_after_a_short_delay) {
  TempDir dir;
  FakeStore store;
  Journal journal(store, makeKeys(dir));
  BOOST_REQUIRE(journal.start().isOk());
  std::atomic<bool> lazy_done{false};

  journal.commitLazy(batchWithAudit("ALONE", 1),
                     [&](const engine::Status& s) { lazy_done = s.isOk(); });

  BOOST_CHECK(waitUntil([&] { return lazy_done.load(); }, std::chrono::seconds(5)));
  journal.stop();
  BOOST_CHECK_EQUAL(store.messages.count("ALONE"), 1u);
}

BOOST_AUTO_TEST_CASE(stop_writes_lazy_batches_still_waiting) {
  TempDir dir;
  FakeStore store;
  Journal journal(store, makeKeys(dir), std::chrono::hours(1));
  BOOST_REQUIRE(journal.start().isOk());

  journal.commitLazy(batchWithAudit("PENDING", 1), [](const engine::Status&) {});
  journal.stop();

  BOOST_CHECK_EQUAL(store.messages.count("PENDING"), 1u);
}

BOOST_AUTO_TEST_CASE(commit_after_stop_fails_with_shutting_down) {
  TempDir dir;
  FakeStore store;
  Journal journal(store, makeKeys(dir));
  BOOST_REQUIRE(journal.start().isOk());
  journal.stop();

  engine::Status status = journal.commit(batchWithAudit("LATE", 1));

  BOOST_CHECK(status.code() == ErrorCode::ShuttingDown);
  BOOST_CHECK(store.messages.empty());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace ferry::testing
