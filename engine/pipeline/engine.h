#pragma once

// The engine: everything one `ferry run` holds, built from an EngineConfig. build() constructs
// the router and every connector from config without opening anything (this is what
// `ferry check` runs); start() opens keys and store, resumes unfinished deliveries, and only
// then opens the listeners.
//
// Thread-safety: build, start and stop from one thread.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/config/engine_config.h"
#include "engine/crypto/key_ring.h"
#include "engine/crypto/payload_cipher.h"
#include "engine/io/directory_lock.h"
#include "engine/pipeline/connector.h"
#include "engine/pipeline/delivery_worker.h"
#include "engine/pipeline/ingest.h"
#include "engine/pipeline/journal.h"
#include "engine/pipeline/router.h"
#include "engine/store/store_backend.h"

namespace ferry::engine::pipeline {

// Hands messages to the Ingest once the engine has started; before that (and after stop) it
// answers AE so that senders resend later.
class SinkSlot : public MessageSink {
 public:
  std::string onHl7Message(std::string_view bytes, const InboundContext& context) override;
  SubmitResult submitHl7(std::string_view bytes, const InboundContext& context) override;
  SubmitResult submitFhir(std::string_view json, const InboundContext& context,
                          const FhirSubmitOptions& options) override;
  void attach(MessageSink* sink);

 private:
  std::atomic<MessageSink*> sink_{nullptr};
};

class Engine {
 public:
  // Only build() constructs engines; the tag keeps the constructor out of other hands.
  struct BuildTag {
    explicit BuildTag() = default;
  };
  Engine(BuildTag, std::shared_ptr<const config::EngineConfig> config);

  static std::unique_ptr<Engine> build(std::shared_ptr<const config::EngineConfig> config,
                                       config::ConfigErrors& errors);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  Status start();
  // Stops listeners first (in-flight messages get their ACK), then delivery, then the journal.
  void stop();

  // The port a listener bound (0 when unknown or not a socket listener).
  int boundPort(const std::string& listener) const;
  const config::EngineConfig& config() const { return *config_; }
  std::vector<const DeliveryWorker*> workers() const;
  // The journal, for its counters; nullptr before start().
  const Journal* journal() const { return journal_.get(); }

 private:
  Status resumePending();

  std::shared_ptr<const config::EngineConfig> config_;
  std::unique_ptr<io::DirectoryLock> data_lock_;  // <data_directory>/ferry.lock
  std::unique_ptr<Router> router_;
  SinkSlot sink_;
  std::map<std::string, std::unique_ptr<SourceConnector>> sources_;
  std::map<std::string, std::unique_ptr<DestinationConnector>> pending_destinations_;

  std::shared_ptr<const crypto::KeyRing> keys_;
  std::shared_ptr<const crypto::PayloadCipher> cipher_;
  std::unique_ptr<store::StoreBackend> store_;
  std::unique_ptr<Journal> journal_;
  std::map<std::string, std::unique_ptr<DeliveryWorker>> workers_;
  std::unique_ptr<Ingest> ingest_;
  bool started_ = false;
};

}  // namespace ferry::engine::pipeline
