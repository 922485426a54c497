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

// Where source connectors hand what they receive. Implemented by the engine's ingest stage.
class MessageSink {
 public:
  virtual ~MessageSink() = default;

  // Handles one framed HL7v2 message and returns the acknowledgment bytes to send back. Returns
  // an AA only once the message is durably committed; never throws. Several connections may
  // call it at once.
  virtual std::string onHl7Message(std::string_view bytes, const InboundContext& context) = 0;
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
  std::string response;  // what the receiver answered (an ACK), kept encrypted; may be empty
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
