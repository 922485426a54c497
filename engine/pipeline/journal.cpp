#include "engine/pipeline/journal.h"

#include <future>

#include <Poco/Logger.h>

namespace ferry::engine::pipeline {

namespace {

// Upper bound of batches merged into one transaction: keeps a transaction's size and the
// latency of the first caller in it bounded under heavy load.
constexpr std::size_t kMaxBatchesPerTransaction = 512;

Poco::Logger& logger() { return Poco::Logger::get("engine.journal"); }

}  // namespace

Journal::Journal(store::StoreBackend& backend, std::shared_ptr<const crypto::KeyRing> keys,
                 std::chrono::milliseconds lazy_delay)
    : backend_(backend), keys_(std::move(keys)), lazy_delay_(lazy_delay) {}

Journal::~Journal() { stop(); }

Status Journal::start() {
  auto last = backend_.lastAudit();
  if (!last.isOk()) {
    return last.status();
  }
  chain_.emplace(keys_, last.value());
  std::lock_guard lock(mutex_);
  started_ = true;
  writer_ = std::thread([this] { writerLoop(); });
  return Status::ok();
}

Status Journal::commit(store::WriteBatch batch) {
  std::promise<Status> promise;
  std::future<Status> result = promise.get_future();
  commitAsync(std::move(batch), [&promise](const Status& status) { promise.set_value(status); });
  return result.get();
}

void Journal::commitAsync(store::WriteBatch batch, Completion done) {
  {
    std::lock_guard lock(mutex_);
    if (!stopping_ && started_) {
      queue_.push_back(Pending{std::move(batch), std::move(done), {}});
      wake_.notify_one();
      return;
    }
  }
  done(Status(ErrorCode::ShuttingDown, "journal is not running"));
}

void Journal::commitLazy(store::WriteBatch batch, Completion done) {
  {
    std::lock_guard lock(mutex_);
    if (!stopping_ && started_) {
      lazy_.push_back(Pending{std::move(batch), std::move(done), std::chrono::steady_clock::now()});
      // The writer sets its deadline by the oldest lazy batch: wake it when that is this one.
      if (lazy_.size() == 1 || lazy_.size() >= kMaxLazyBatches) {
        wake_.notify_one();
      }
      return;
    }
  }
  done(Status(ErrorCode::ShuttingDown, "journal is not running"));
}

void Journal::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) {
      return;
    }
    stopping_ = true;
    wake_.notify_all();
  }
  if (writer_.joinable()) {
    writer_.join();
  }
}

std::size_t Journal::transactionsCommitted() const {
  std::lock_guard lock(mutex_);
  return transactions_;
}

std::size_t Journal::batchesCommitted() const {
  std::lock_guard lock(mutex_);
  return batches_;
}

bool Journal::takeGroup(std::deque<Pending>& group) {
  std::unique_lock lock(mutex_);
  for (;;) {
    bool lazy_due = !lazy_.empty() &&
                    (stopping_ || lazy_.size() >= kMaxLazyBatches ||
                     std::chrono::steady_clock::now() >= lazy_.front().queued_at + lazy_delay_);
    if (!queue_.empty() || lazy_due) {
      break;
    }
    if (stopping_) {
      return false;  // everything queued before stop() is committed
    }
    if (lazy_.empty()) {
      wake_.wait(lock);
    } else {
      wake_.wait_until(lock, lazy_.front().queued_at + lazy_delay_);
    }
  }
  // The order of the two queues in a group does not matter for correctness: a lazy batch records
  // what became of a message whose own ingest commit is already durable.
  while (!lazy_.empty() && group.size() < kMaxBatchesPerTransaction) {
    group.push_back(std::move(lazy_.front()));
    lazy_.pop_front();
  }
  while (!queue_.empty() && group.size() < kMaxBatchesPerTransaction) {
    group.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  return true;
}

void Journal::writerLoop() {
  std::deque<Pending> group;
  while (takeGroup(group)) {
    try {
      applyGroup(group);
    } catch (const std::exception& error) {
      // A library threw past the backend boundary: fail this group, keep the writer alive.
      logger().error("journal writer caught an exception: %s", std::string(error.what()));
      for (Pending& pending : group) {
        if (pending.done) {
          pending.done(Status(ErrorCode::Internal, "journal writer failed"));
          pending.done = nullptr;
        }
      }
    }
    group.clear();
  }
}

void Journal::applyGroup(std::deque<Pending>& group) {
  // Seal on a copy of the chain so that a failed transaction does not advance it. Batches are
  // moved, not copied: they carry every ciphertext of the group. A failed transaction fails
  // every caller in it; each then answers its sender with an error, and senders resend.
  audit::AuditChain chain = *chain_;
  store::WriteBatch merged;
  for (Pending& pending : group) {
    for (store::AuditRow& row : pending.batch.audit) {
      chain.seal(row);
    }
    merged.append(std::move(pending.batch));
  }

  Status status = backend_.apply(merged);
  if (status.isOk()) {
    *chain_ = chain;
    std::lock_guard lock(mutex_);
    ++transactions_;
    batches_ += group.size();
  } else {
    logger().error("journal commit of %z batches failed: %s", group.size(), status.toString());
  }
  for (Pending& pending : group) {
    pending.done(status);
    pending.done = nullptr;
  }
}

}  // namespace ferry::engine::pipeline
