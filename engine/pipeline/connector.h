#pragma once

// The interfaces transports implement. Connectors live in connectors/<transport>/ and register
// factories by type name (see registry.h); the engine only ever sees these interfaces.

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/status.h"

namespace ferry::engine::pipeline {

struct InboundContext {
  std::string source;  // listener name from config
  std::string peer;    // "127.0.0.1:53122"; for logs, not PHI
};

// What became of one submitted message.
struct SubmitResult {
  bool accepted = false;   // committed as accepted: the sender may forget it
  bool stored = false;     // committed (accepted or rejected); false: resend later
  std::string message_id;  // engine id; empty when nothing was stored
  // HL7v2: the acknowledgment bytes. FHIR: the response body (an OperationOutcome, or for a
  // Bundle posted to the base a batch-response/transaction-response Bundle).
  std::string response;
  // FHIR only: 201 (resource accepted), 200 (Bundle accepted), 400 (not FHIR JSON), 422
  // (invalid), 503 (not stored: retry).
  int http_status = 0;
};

// What an HTTP request said about the FHIR content it carries.
struct FhirSubmitOptions {
  // From POST [base]/[type]: the body must be a resource of this type. Empty for POST [base],
  // which takes a Bundle of type transaction or batch.
  std::string expected_type;
  bool base_endpoint = false;  // POST [base]
};

// Where source connectors hand what they receive. Implemented by the engine's ingest stage.
// Never throws. Several connections may call it at once.
class MessageSink {
 public:
  virtual ~MessageSink() = default;

  // Handles one framed HL7v2 message and returns the acknowledgment bytes to send back. Returns
  // an AA only once the message is durably committed.
  virtual std::string onHl7Message(std::string_view bytes, const InboundContext& context) = 0;

  // The same, with the outcome spelled out (file sources decide done/error from it).
  virtual SubmitResult submitHl7(std::string_view bytes, const InboundContext& context);

  // One FHIR JSON resource or Bundle: parsed, validated, stored (accepted or rejected) and
  // answered. accepted only after the durable commit. The default refuses with 503.
  virtual SubmitResult submitFhir(std::string_view json, const InboundContext& context,
                                  const FhirSubmitOptions& options);
};

// A listener (MLLP, later HTTP, file watcher). Constructed from config without touching the
// network; start() binds and begins accepting.
class SourceConnector {
 public:
  virtual ~SourceConnector() = default;
  virtual Status start() = 0;
  // Stops accepting, lets in-flight messages finish within a short grace period, closes.
  virtual void stop() = 0;
  // The port actually bound (useful when config asked for port 0); 0 when not a socket.
  virtual int boundPort() const { return 0; }
};

struct DeliveryContext {
  std::string message_id;  // engine id
  std::string control_id;  // MSH-10 of the payload, for logs
  int attempt = 1;
};

struct DeliveryResult {
  // Ok: delivered and accepted. RemoteError (AE), RemoteRejected (AR), Timeout and
  // ConnectionError feed the destination's retry policy.
  Status status;
  std::string response;  // what the receiver answered (an ACK, an OperationOutcome), kept
                         // encrypted; may be empty
  // When the receiver said when to come back (HTTP 429/503 Retry-After): the next attempt
  // waits at least this long. Zero: the destination's backoff alone decides.
  std::chrono::milliseconds retry_after{0};
};

// A destination transport. deliver() is called by one delivery worker at a time per
// destination, in order.
class DestinationConnector {
 public:
  virtual ~DestinationConnector() = default;
  virtual DeliveryResult deliver(std::string_view payload, const DeliveryContext& context) = 0;

  // How many messages deliverBatch() takes at once; 1 (the default) means one at a time.
  virtual std::size_t maxBatch() const { return 1; }
  // Delivers several messages (in this order) and returns one result each. Connectors that can
  // share work between messages (one disk sync for many files) override it; the default calls
  // deliver() for each.
  virtual std::vector<DeliveryResult> deliverBatch(const std::vector<std::string_view>& payloads,
                                                   const std::vector<DeliveryContext>& contexts) {
    std::vector<DeliveryResult> results;
    for (std::size_t index = 0; index < payloads.size(); ++index) {
      results.push_back(deliver(payloads[index], contexts[index]));
    }
    return results;
  }

  // Closes connections; a deliver() in progress may fail with ShuttingDown.
  virtual void stop() {}
};

}  // namespace ferry::engine::pipeline
