#pragma once

// One delivery worker per destination: takes that destination's queued messages in order,
// hands each to the destination connector, and records the outcome through the journal (sent,
// acknowledged, failed with a retry time, or dead after the last attempt). A message whose
// stored ciphertext fails its integrity check is never delivered: it is parked as dead with an
// integrity error. The destination's transforms (mapping, stripping) run here, just before
// delivery, so that what leaves is exactly what this destination may see; a transform failure
// parks the message dead for this destination. A rejection (AR, HTTP 4xx) parks it dead at
// once: sending the same bytes again cannot help.
//
// Thread-safety: enqueue() and depth() from any thread; the worker runs on its own thread.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "engine/config/engine_config.h"
#include "engine/crypto/payload_cipher.h"
#include "engine/pipeline/connector.h"
#include "engine/pipeline/journal.h"
#include "engine/pipeline/transform_chain.h"
#include "engine/store/store_backend.h"

namespace ferry::engine::pipeline {

struct QueuedDelivery {
  std::string message_id;
  std::string route;
  std::string control_id;              // for logs
  std::optional<std::string> payload;  // plaintext when cached in memory; else read from store
  int attempts = 0;                    // attempts already made (after a restart)
  std::int64_t not_before_ms = 0;      // earliest time of the next attempt (UTC ms)
  // True when `payload` already went through the destination's transforms (a retry keeps the
  // transformed bytes); what the transforms did, for the audit record of the delivery.
  bool transformed = false;
  std::string transform_detail;
};

struct DeliveryCounters {
  std::uint64_t delivered = 0;
  std::uint64_t failed_attempts = 0;
  std::uint64_t dead = 0;
};

class DeliveryWorker {
 public:
  DeliveryWorker(config::DestinationSettings settings,
                 std::unique_ptr<DestinationConnector> connector, Journal& journal,
                 store::StoreBackend& store, std::shared_ptr<const crypto::PayloadCipher> cipher,
                 TransformChain transforms = {});
  ~DeliveryWorker();
  DeliveryWorker(const DeliveryWorker&) = delete;
  DeliveryWorker& operator=(const DeliveryWorker&) = delete;

  void start();
  // Finishes the delivery in progress (if any), then stops. Queued messages stay pending in the
  // store and resume at the next start.
  void stop();

  void enqueue(QueuedDelivery item);
  std::size_t depth() const;
  DeliveryCounters counters() const;
  const std::string& name() const { return settings_.name; }

  // Queued plaintext beyond this many bytes is dropped from memory (read back from the store when
  // its turn comes), so that a slow destination cannot grow memory without bound.
  static constexpr std::size_t kMaxCachedBytes = 32 * 1024 * 1024;
  // Beyond this many queued messages the queue stops taking new ones and the worker reads them
  // back from the store's outbox, in order, once it has caught up ("spilled" mode). Memory stays
  // bounded however far a destination falls behind, and at start-up the backlog of a previous
  // run is read this way too.
  static constexpr std::size_t kMaxQueued = 20000;
  static constexpr std::size_t kRefillBatch = 5000;
  // How long a worker waits for a batching connector's batch to fill before delivering it.
  static constexpr std::chrono::milliseconds kBatchLinger{5};

  // Makes the worker read its backlog from the store before taking new messages in memory.
  void resumeFromStore();

 private:
  void run();
  // Waits for the next messages that are due (at most the connector's maxBatch(), consecutive
  // from the head for ordered destinations); false when stopping.
  bool waitForNext(std::vector<QueuedDelivery>& batch);
  void deliverBatch(std::vector<QueuedDelivery>& batch);
  // Counts the item's plaintext against kMaxCachedBytes, or drops it when over. Lock held.
  void keepOrDropPayload(QueuedDelivery& item);
  // Puts messages that will be retried back in the queue, keeping order.
  void requeue(std::vector<QueuedDelivery> retries);
  // In spilled mode with an empty queue: reads the next pending outbox rows of this destination.
  void refillFromStore(std::unique_lock<std::mutex>& lock);
  // Reads and decrypts the payload from the store; a non-ok result means the message cannot be
  // delivered (integrity, key or storage problem).
  Result<std::string> loadPayload(const QueuedDelivery& item);
  void recordSuccess(const QueuedDelivery& item, const std::string& payload,
                     const DeliveryResult& result);
  // Runs the transforms on a payload not yet transformed; false (and the message parked dead)
  // when they fail.
  bool transform(QueuedDelivery& item, std::string& payload);
  // Returns true when the message goes back to the queue for another attempt. `retry_after`:
  // the receiver's own wish (Retry-After), honoured when longer than the backoff.
  bool recordFailure(QueuedDelivery& item, const Status& failure,
                     std::chrono::milliseconds retry_after = std::chrono::milliseconds(0));
  // `response`: what the receiver answered when it rejected the message, kept encrypted.
  void recordDead(const QueuedDelivery& item, const Status& why,
                  const std::string& response = std::string());

  config::DestinationSettings settings_;
  std::unique_ptr<DestinationConnector> connector_;
  Journal& journal_;
  store::StoreBackend& store_;
  std::shared_ptr<const crypto::PayloadCipher> cipher_;
  TransformChain transforms_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<QueuedDelivery> queue_;
  std::size_t cached_bytes_ = 0;  // plaintext held by queued messages
  bool spilled_ = false;          // the store holds pending messages that the queue does not
  bool stopping_ = false;
  DeliveryCounters counters_;
  std::thread thread_;
};

// Milliseconds since the epoch, UTC.
std::int64_t nowMs();

}  // namespace ferry::engine::pipeline
