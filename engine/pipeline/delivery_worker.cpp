#include "engine/pipeline/delivery_worker.h"

#include <algorithm>
#include <set>

#include <Poco/Logger.h>

#include "engine/crypto/digest.h"
#include "engine/pipeline/audit_events.h"

namespace ferry::engine::pipeline {

namespace {

Poco::Logger& logger() { return Poco::Logger::get("engine.delivery"); }

}  // namespace

std::int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

DeliveryWorker::DeliveryWorker(config::DestinationSettings settings,
                               std::unique_ptr<DestinationConnector> connector, Journal& journal,
                               store::StoreBackend& store,
                               std::shared_ptr<const crypto::PayloadCipher> cipher,
                               TransformChain transforms)
    : settings_(std::move(settings)),
      connector_(std::move(connector)),
      journal_(journal),
      store_(store),
      cipher_(std::move(cipher)),
      transforms_(std::move(transforms)) {}

DeliveryWorker::~DeliveryWorker() { stop(); }

void DeliveryWorker::start() {
  std::lock_guard lock(mutex_);
  stopping_ = false;
  if (!thread_.joinable()) {
    thread_ = std::thread([this] { run(); });
  }
}

void DeliveryWorker::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    wake_.notify_all();
  }
  if (thread_.joinable()) {
    connector_->stop();
    thread_.join();
  }
}

void DeliveryWorker::keepOrDropPayload(QueuedDelivery& item) {
  if (!item.payload) {
    return;
  }
  if (cached_bytes_ + item.payload->size() > kMaxCachedBytes) {
    item.payload.reset();  // read back from the store when its turn comes, and transformed again
    item.transformed = false;
    return;
  }
  cached_bytes_ += item.payload->size();
}

void DeliveryWorker::resumeFromStore() {
  std::lock_guard lock(mutex_);
  spilled_ = true;
  wake_.notify_one();
}

void DeliveryWorker::enqueue(QueuedDelivery item) {
  std::lock_guard lock(mutex_);
  if (spilled_ || queue_.size() >= kMaxQueued) {
    // Durable in the outbox already: it is read back, in order, when the worker catches up.
    spilled_ = true;
    wake_.notify_one();
    return;
  }
  keepOrDropPayload(item);
  queue_.push_back(std::move(item));
  wake_.notify_one();
}

std::size_t DeliveryWorker::depth() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

DeliveryCounters DeliveryWorker::counters() const {
  std::lock_guard lock(mutex_);
  return counters_;
}

void DeliveryWorker::run() {
  std::vector<QueuedDelivery> batch;
  while (waitForNext(batch)) {
    try {
      deliverBatch(batch);
    } catch (const std::exception& error) {
      // Connectors catch their libraries' exceptions; this is the last line that keeps the
      // worker alive. The messages stay pending in the store and are retried after a restart.
      logger().error("destination '%s': delivery of %z message(s) threw: %s", settings_.name,
                     batch.size(), std::string(error.what()));
    }
    batch.clear();
  }
}

bool DeliveryWorker::waitForNext(std::vector<QueuedDelivery>& batch) {
  std::size_t limit = std::max<std::size_t>(1, connector_->maxBatch());
  bool lingered = false;
  std::unique_lock lock(mutex_);
  for (;;) {
    if (stopping_) {
      return !batch.empty();  // what was already taken is delivered; the rest waits in store
    }
    if (queue_.empty() && spilled_ && batch.empty()) {
      refillFromStore(lock);
    }
    if (queue_.empty() && batch.empty()) {
      wake_.wait(lock);
      continue;
    }
    // Ordered destinations deliver strictly from the head; others take whatever is due.
    std::int64_t now = nowMs();
    std::int64_t earliest = queue_.empty() ? now : queue_.front().not_before_ms;
    for (auto it = queue_.begin(); it != queue_.end() && batch.size() < limit;) {
      if (it->not_before_ms > now) {
        if (settings_.ordered) {
          break;
        }
        earliest = std::min(earliest, it->not_before_ms);
        ++it;
        continue;
      }
      cached_bytes_ -= it->payload ? it->payload->size() : 0;
      batch.push_back(std::move(*it));
      it = queue_.erase(it);
    }
    if (!batch.empty()) {
      // A connector that shares a disk sync across a batch does better with a fuller batch:
      // wait a moment for more, once, so that a steady trickle is not synced one by one.
      if (limit > 1 && batch.size() < limit && !lingered) {
        lingered = true;
        wake_.wait_for(lock, kBatchLinger,
                       [&] { return stopping_ || queue_.size() >= limit - batch.size(); });
        continue;
      }
      return true;
    }
    wake_.wait_for(lock, std::chrono::milliseconds(std::max<std::int64_t>(1, earliest - now)));
  }
}

void DeliveryWorker::refillFromStore(std::unique_lock<std::mutex>& lock) {
  // New messages may go to memory again from here on; those that also turn up in the rows read
  // below are kept once. Outcomes of earlier deliveries that still wait in the journal are
  // written first, so that the read does not see them as pending.
  spilled_ = false;
  lock.unlock();
  Status flushed = journal_.commit(store::WriteBatch{});
  auto rows = flushed.isOk()
                  ? store_.listOutbox(settings_.name, store::OutboxState::Pending, kRefillBatch)
                  : Result<std::vector<store::OutboxRow>>(flushed);
  lock.lock();
  if (!rows.isOk()) {
    logger().warning("destination '%s': cannot read its backlog: %s; trying again", settings_.name,
                     rows.status().toString());
    spilled_ = true;
    wake_.wait_for(lock, std::chrono::seconds(1));
    return;
  }

  std::set<std::string> in_memory;
  for (const QueuedDelivery& item : queue_) {
    in_memory.insert(item.message_id);
  }
  std::deque<QueuedDelivery> backlog;
  for (const store::OutboxRow& row : rows.value()) {
    if (!in_memory.contains(row.message_id)) {
      backlog.push_back({row.message_id, settings_.route, "", std::nullopt, row.attempts,
                         row.next_attempt_ms, false, ""});
    }
  }
  if (rows.value().size() >= kRefillBatch) {
    // More remain in the store. Whatever arrived meanwhile is newer than all of them: drop it
    // from memory (it is durable) and keep reading in order.
    spilled_ = true;
    cached_bytes_ = 0;
    queue_.clear();
  }
  // The backlog is older than anything that arrived while it was read.
  for (auto it = backlog.rbegin(); it != backlog.rend(); ++it) {
    queue_.push_front(std::move(*it));
  }
  if (!backlog.empty()) {
    logger().information("destination '%s': %z message(s) read back from the outbox",
                         settings_.name, backlog.size());
  }
}

void DeliveryWorker::requeue(std::vector<QueuedDelivery> retries) {
  std::lock_guard lock(mutex_);
  // Ordered: back to the head, in their original order, ahead of everything queued since.
  if (settings_.ordered) {
    for (auto it = retries.rbegin(); it != retries.rend(); ++it) {
      keepOrDropPayload(*it);
      queue_.push_front(std::move(*it));
    }
  } else {
    for (auto& item : retries) {
      keepOrDropPayload(item);
      queue_.push_back(std::move(item));
    }
  }
  wake_.notify_one();
}

Result<std::string> DeliveryWorker::loadPayload(const QueuedDelivery& item) {
  // A destination's own outgoing copy ("out") exists when mapping or stripping changed the
  // message; otherwise it receives the inbound bytes.
  for (const auto& [stage, destination] :
       {std::pair<std::string, std::string>{"out", settings_.name}, {"in", ""}}) {
    auto row = store_.loadPayload(item.message_id, stage, destination);
    if (!row.isOk()) {
      return row.status();
    }
    if (!row.value()) {
      continue;
    }
    crypto::SealedPayload sealed{row.value()->key_id, row.value()->ciphertext};
    return cipher_->open(sealed, {item.message_id, stage, destination});
  }
  return Status(ErrorCode::NotFound, "no stored payload for message " + item.message_id);
}

void DeliveryWorker::deliverBatch(std::vector<QueuedDelivery>& batch) {
  // First the plaintexts: cached ones, or read back and authenticated from the store.
  std::vector<QueuedDelivery> ready;
  std::vector<std::string> payloads;
  std::vector<QueuedDelivery> retries;
  for (QueuedDelivery& item : batch) {
    if (item.payload) {
      std::string payload = std::move(*item.payload);
      item.payload.reset();
      if (transform(item, payload)) {
        payloads.push_back(std::move(payload));
        ready.push_back(std::move(item));
      }
      continue;
    }
    item.transformed = false;
    auto loaded = loadPayload(item);
    if (loaded.isOk()) {
      if (transform(item, loaded.value())) {
        payloads.push_back(std::move(loaded).value());
        ready.push_back(std::move(item));
      }
    } else if (loaded.status().code() == ErrorCode::StorageError) {
      // The store is unwell, not the message: try again later like a failed delivery.
      if (recordFailure(item, loaded.status())) {
        retries.push_back(std::move(item));
      }
    } else {
      logger().error("destination '%s': message %s not delivered: %s", settings_.name,
                     item.message_id, loaded.status().toString());
      recordDead(item, loaded.status());
    }
  }

  std::vector<std::string_view> views(payloads.begin(), payloads.end());
  std::vector<DeliveryContext> contexts;
  for (const QueuedDelivery& item : ready) {
    contexts.push_back({item.message_id, item.control_id, item.attempts + 1});
  }
  std::vector<DeliveryResult> results =
      ready.empty() ? std::vector<DeliveryResult>{} : connector_->deliverBatch(views, contexts);

  for (std::size_t index = 0; index < ready.size(); ++index) {
    QueuedDelivery& item = ready[index];
    ++item.attempts;
    const DeliveryResult& result =
        index < results.size()
            ? results[index]
            : DeliveryResult{Status(ErrorCode::Internal, "connector gave no result"), ""};
    if (result.status.isOk()) {
      recordSuccess(item, payloads[index], result);
    } else if (result.status.code() == ErrorCode::RemoteRejected) {
      logger().error("destination '%s': message %s rejected by the receiver: %s", settings_.name,
                     item.message_id, result.status.toString());
      recordDead(item, result.status, result.response);
    } else if (recordFailure(item, result.status, result.retry_after)) {
      // Keep the plaintext with the retry: it is already authenticated and in memory.
      item.payload = std::move(payloads[index]);
      retries.push_back(std::move(item));
    }
  }
  if (!retries.empty()) {
    requeue(std::move(retries));
  }
}

bool DeliveryWorker::transform(QueuedDelivery& item, std::string& payload) {
  if (transforms_.empty() || item.transformed) {
    return true;
  }
  auto result = transforms_.apply(payload, {item.message_id, item.route, settings_.name});
  if (!result.isOk()) {
    logger().error("destination '%s': message %s cannot be transformed: %s", settings_.name,
                   item.message_id, result.status().toString());
    recordDead(item, result.status());
    return false;
  }
  payload = std::move(result.value().payload);
  item.transformed = true;
  item.transform_detail = summarizeTransformActions(result.value().actions);
  return true;
}

void DeliveryWorker::recordSuccess(const QueuedDelivery& item, const std::string& payload,
                                   const DeliveryResult& result) {
  store::WriteBatch batch;
  batch.outbox_updates.push_back(
      {item.message_id, settings_.name, store::OutboxState::Delivered, item.attempts, 0, ""});
  if (!transforms_.empty()) {
    // The strip/mapping hop: what was removed or generalised, by path, never values.
    batch.audit.push_back(auditEvent(item.message_id, item.route, settings_.name, "transformed",
                                     transforms_.describe(), "ok", item.transform_detail,
                                     crypto::sha256Hex(payload)));
  }
  batch.audit.push_back(auditEvent(item.message_id, item.route, settings_.name, "sent",
                                   settings_.name, "ok", "attempt " + std::to_string(item.attempts),
                                   crypto::sha256Hex(payload)));
  if (!result.response.empty()) {
    auto sealed = cipher_->seal(result.response, {item.message_id, "resp", settings_.name});
    if (sealed.isOk()) {
      batch.payloads.push_back({item.message_id, "resp", settings_.name, sealed.value().key_id,
                                std::move(sealed.value().blob)});
    }
    batch.audit.push_back(auditEvent(item.message_id, item.route, settings_.name, "acknowledged",
                                     settings_.name, "ok", "reply stored",
                                     crypto::sha256Hex(result.response)));
  }
  journal_.commitLazy(
      std::move(batch), [name = settings_.name, id = item.message_id](const Status& status) {
        if (!status.isOk()) {
          // Delivered but not recorded: it will be delivered again after a restart (at least once).
          logger().warning("destination '%s': delivered state of %s not recorded: %s", name, id,
                           status.toString());
        }
      });
  std::lock_guard lock(mutex_);
  ++counters_.delivered;
}

bool DeliveryWorker::recordFailure(QueuedDelivery& item, const Status& failure,
                                   std::chrono::milliseconds retry_after) {
  if (item.attempts >= settings_.retry.max_attempts) {
    logger().error("destination '%s': message %s is dead after %d attempts: %s", settings_.name,
                   item.message_id, item.attempts, failure.toString());
    recordDead(item, failure);
    return false;
  }

  auto wait = std::max(settings_.retry.backoffBefore(item.attempts + 1), retry_after);
  item.not_before_ms = nowMs() + wait.count();
  logger().warning("destination '%s': attempt %d for message %s failed (%s); retry in %Ld ms",
                   settings_.name, item.attempts, item.message_id, failure.toString(),
                   static_cast<Poco::Int64>(wait.count()));

  store::WriteBatch batch;
  batch.outbox_updates.push_back({item.message_id, settings_.name, store::OutboxState::Pending,
                                  item.attempts, item.not_before_ms, failure.toString()});
  batch.audit.push_back(auditEvent(item.message_id, item.route, settings_.name, "failed",
                                   settings_.name, std::string(errorCodeName(failure.code())),
                                   failure.context(), ""));
  journal_.commitLazy(std::move(batch), [](const Status&) {});
  std::lock_guard lock(mutex_);
  ++counters_.failed_attempts;
  return true;
}

void DeliveryWorker::recordDead(const QueuedDelivery& item, const Status& why,
                                const std::string& response) {
  store::WriteBatch batch;
  if (!response.empty()) {
    // The receiver's reason (an OperationOutcome, an ACK with ERR segments), kept for operators.
    auto sealed = cipher_->seal(response, {item.message_id, "resp", settings_.name});
    if (sealed.isOk()) {
      batch.payloads.push_back({item.message_id, "resp", settings_.name, sealed.value().key_id,
                                std::move(sealed.value().blob)});
    }
  }
  batch.outbox_updates.push_back({item.message_id, settings_.name, store::OutboxState::Dead,
                                  item.attempts, 0, why.toString()});
  batch.audit.push_back(auditEvent(item.message_id, item.route, settings_.name, "dead",
                                   settings_.name, std::string(errorCodeName(why.code())),
                                   why.context(), ""));
  journal_.commitLazy(std::move(batch), [](const Status&) {});
  std::lock_guard lock(mutex_);
  ++counters_.dead;
}

}  // namespace ferry::engine::pipeline
