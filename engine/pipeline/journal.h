#pragma once

// The journal: the one writer of the store. Callers hand it WriteBatches; a single thread
// merges whatever is waiting into one transaction (group commit), seals the audit records in
// commit order (so the chain follows the order on disk), applies it, and then tells each caller.
// One fsync thus serves every connection that was waiting, which is what lets many senders get
// durable ACKs at once.
//
// Thread-safety: commit() and commitAsync() may be called from any thread.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "engine/audit/audit_chain.h"
#include "engine/status.h"
#include "engine/store/records.h"
#include "engine/store/store_backend.h"

namespace ferry::engine::pipeline {

class Journal {
 public:
  using Completion = std::function<void(const Status&)>;

  // `backend` must outlive the journal. The audit chain continues after the last stored record.
  // `lazy_delay` bounds how long a commitLazy() batch waits for company.
  Journal(store::StoreBackend& backend, std::shared_ptr<const crypto::KeyRing> keys,
          std::chrono::milliseconds lazy_delay = kDefaultLazyDelay);
  ~Journal();
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  // Reads the last audit record and starts the writer thread.
  Status start();

  // Blocks until `batch` is durable (Ok) or has failed; audit rows get sequence and mac.
  Status commit(store::WriteBatch batch);
  // Queues `batch`; `done` runs on the writer thread once it is durable or has failed. It must
  // be quick and must not call back into the journal synchronously.
  void commitAsync(store::WriteBatch batch, Completion done);
  // Like commitAsync, for records that may wait a little: the batch rides along with the next
  // commit anyone waits for, or is written once the oldest such batch is lazy_delay old (or
  // kMaxLazyBatches are waiting). Delivery outcomes use this: losing the last few in a crash
  // only means a redelivery, and it saves a disk sync per delivery on the ACK path.
  void commitLazy(store::WriteBatch batch, Completion done);

  static constexpr std::chrono::milliseconds kDefaultLazyDelay{20};
  static constexpr std::size_t kMaxLazyBatches = 256;

  // Commits what is queued, then stops the writer. Later commits fail with ShuttingDown.
  void stop();

  // Counters for metrics and benchmarks.
  std::size_t transactionsCommitted() const;
  std::size_t batchesCommitted() const;

 private:
  struct Pending {
    store::WriteBatch batch;
    Completion done;
    std::chrono::steady_clock::time_point queued_at;
  };

  // Waits for work and takes the next group; false when stopped and drained.
  bool takeGroup(std::deque<Pending>& group);

  void writerLoop();
  // Applies several pending batches as one transaction and tells each caller the outcome.
  void applyGroup(std::deque<Pending>& group);

  store::StoreBackend& backend_;
  std::shared_ptr<const crypto::KeyRing> keys_;
  std::chrono::milliseconds lazy_delay_;
  std::optional<audit::AuditChain> chain_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Pending> queue_;  // commits someone waits for, or asynchronous ones
  std::deque<Pending> lazy_;   // commits that may wait (see commitLazy)
  bool stopping_ = false;
  bool started_ = false;
  std::size_t transactions_ = 0;
  std::size_t batches_ = 0;
  std::thread writer_;
};

}  // namespace ferry::engine::pipeline
