#pragma once

// Request handling of the FHIR listener, behind POCO's HTTPServer: which endpoint a request is
// for, what is refused before the body is read, and the hand-over to the engine's MessageSink.
//
//   POST [base]/[type]   -> submitFhir(body, {expected_type = type})
//   POST [base]          -> submitFhir(body, {base_endpoint = true}) (transaction or batch)
//   GET  [base]/metadata -> the CapabilityStatement
// answered with the sink's http_status and body (application/fhir+json; charset=utf-8) and,
// when something was stored, an X-Ferry-Message-Id header. Refused before the sink:
//   404 no such endpoint, 405 endpoint known but not that method (with Allow),
//   411 a POST with neither Content-Length nor chunked encoding,
//   413 a body over max_body_bytes (a declared length is refused before reading anything;
//       a chunked body once it passes the limit), 415 a body that is not FHIR JSON (XML is
//       not supported) or is content-encoded, 503 the listener is stopping,
//   400 / 408 a body that could not be read completely (malformed chunks, early close, slow
//       client).
// A client that takes longer than the watchdog allows (fhir_http_watchdog.h) loses its
// connection without an answer.
// Refusals carry an OperationOutcome. A refused body is discarded up to a bound after the
// answer so that the client can read it; beyond that the connection is closed.
//
// Logs one line per request: method, the path's resource type, status, message id and peer.
// Never bodies, query strings or header values.

#include <atomic>
#include <chrono>
#include <string>

#include <Poco/Net/HTTPRequestHandlerFactory.h>

#include "connectors/fhir_http/fhir_http_config.h"
#include "connectors/fhir_http/fhir_http_watchdog.h"
#include "engine/pipeline/connector.h"

namespace ferry::connectors::fhir_http {

// What handlers share with their listener. Owned by the listener; outlives every handler
// (the listener joins all connection threads before it lets go of it).
struct ListenerState {
  ListenerState(const ListenerConfig& listener_config, engine::pipeline::MessageSink& message_sink)
      : config(listener_config), sink(message_sink) {}

  const ListenerConfig& config;
  engine::pipeline::MessageSink& sink;
  std::string capability_statement;  // set before the server starts, then read-only
  std::atomic<bool> stopping{false};
  std::atomic<int> requests_in_progress{0};
  ConnectionWatchdog* watchdog = nullptr;  // set while the server runs
};

// How long a connection may take to bring its next request: waiting for it, then sending it.
std::chrono::milliseconds nextRequestAllowance(const ListenerConfig& config);

// Makes one handler per request. Called on connection threads; keeps no mutable state.
class HandlerFactory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit HandlerFactory(ListenerState& state) : state_(state) {}

  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest& request) override;

  // Ends every connection made with this factory: at once when `abort_current`, else after its
  // request in progress. (What POCO's HTTPServer::stopAll does through this same event.)
  void stopConnections(bool abort_current) { serverStopped(this, abort_current); }

 private:
  ListenerState& state_;
};

}  // namespace ferry::connectors::fhir_http
