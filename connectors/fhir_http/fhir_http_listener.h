#pragma once

// FHIR listener: source connector type "fhir_http". An HTTPS server (POCO's HTTP server) taking
// FHIR R4 JSON: POST [base]/[type] for one resource, POST [base] for a transaction or batch
// Bundle, GET [base]/metadata for its CapabilityStatement. Each body goes to the engine's
// MessageSink::submitFhir, whose status and body are the answer. See
// fhir_http_request_handler.h for what is refused before the engine sees it, and
// fhir_http_config.h for the settings.
//
// TLS 1.2 or newer with forward-secret AEAD ciphers (the same contexts as MLLP). Without a
// configured certificate a self-signed development certificate is made or reused (see
// fhir_http_dev_certificate.h) and a warning names its path and fingerprint. "insecure": true
// serves plain HTTP, with a warning at start().
//
// Up to max_connections connections are served at once, each on a thread of the listener's
// own pool; further connections wait in a queue of the same length, beyond it they are closed.
//
// Thread-safety: start() and stop() are called by one owner thread; boundPort(),
// certificateFingerprint() and requestsInProgress() may be called from any thread.

#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include <Poco/SharedPtr.h>

#include "connectors/fhir_http/fhir_http_config.h"
#include "engine/pipeline/connector.h"

namespace Poco {
class ThreadPool;
namespace Net {
class TCPServer;
class ServerSocket;
}  // namespace Net
}  // namespace Poco

namespace ferry::connectors::fhir_http {

struct ListenerState;
class ConnectionWatchdog;
class HandlerFactory;

class FhirHttpListener final : public engine::pipeline::SourceConnector {
 public:
  // Keeps `sink` by reference: it must outlive the listener. Opens nothing.
  FhirHttpListener(ListenerConfig config, engine::pipeline::MessageSink& sink);
  // Stops if still running.
  ~FhirHttpListener() override;

  FhirHttpListener(const FhirHttpListener&) = delete;
  FhirHttpListener& operator=(const FhirHttpListener&) = delete;

  // Makes or loads the TLS material, binds and starts serving. ConfigError for TLS material
  // that does not load, IoError or Internal when the development certificate cannot be made,
  // ConnectionError when the address cannot be bound.
  engine::Status start() override;

  // Stops accepting connections, answers requests that arrive meanwhile on open connections
  // with 503, gives requests in progress up to config.stop_grace to finish, then closes every
  // connection and joins all threads. Returns only when no sink call of this listener is in
  // progress. Idempotent.
  void stop() override;

  int boundPort() const override { return bound_port_.load(); }

  // SHA-256 fingerprint ("AB:CD:...") and path of the certificate served; empty before
  // start() and for plain HTTP.
  std::string certificateFingerprint() const;
  std::string certificatePath() const;

  // Requests being handled now.
  int requestsInProgress() const;

  const ListenerConfig& config() const { return config_; }

 private:
  std::string describe() const { return "fhir_http listener '" + config_.name + "'"; }

  const ListenerConfig config_;
  engine::pipeline::MessageSink& sink_;
  std::unique_ptr<ListenerState> state_;

  mutable std::mutex mutex_;  // guards certificate_path_ and fingerprint_
  std::string certificate_path_;
  std::string fingerprint_;

  std::atomic<int> bound_port_{0};
  bool started_ = false;
  // Declared before server_: the server refers to them, so it must go first.
  std::unique_ptr<Poco::ThreadPool> pool_;
  std::unique_ptr<ConnectionWatchdog> watchdog_;
  std::unique_ptr<Poco::Net::ServerSocket> socket_;  // shared with server_, closed by stop()
  Poco::SharedPtr<HandlerFactory> handlers_;         // also ends the connections at stop()
  std::unique_ptr<Poco::Net::TCPServer> server_;
};

}  // namespace ferry::connectors::fhir_http
