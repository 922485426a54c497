#pragma once

// FHIR REST destination: destination connector type "fhir_http". Sends each FHIR JSON payload
// as one request (see fhir_http_payload.h for create / update / transaction) to base_url, over
// one kept-alive HTTP(S) connection, with the Authorization header of fhir_http_auth.h and an
// X-Request-Id header carrying the engine's message id.
//
// Outcomes:
//   2xx                                  -> Ok, the answer body kept in response
//   408, 429, 5xx                        -> RemoteError (retried), retry_after from Retry-After
//   3xx                                  -> RemoteError (redirects are not followed: base_url
//                                           is probably wrong, which no message can fix)
//   401                                  -> the credential is renewed (oauth2, a changed token
//                                           file) and the request sent once more; if it is
//                                           refused again, as other 4xx
//   other 4xx                            -> RemoteRejected (permanent), the server's
//                                           OperationOutcome kept in response
//   HL7v2 or unreadable payload          -> RemoteRejected (needs a mapping / not FHIR JSON)
//   cannot connect, TLS refused          -> ConnectionError
//   no answer within response_timeout    -> Timeout
//   token endpoint trouble               -> as Authenticator::authorization() says (retried)
// Status contexts name the destination, the base URL, the method and resource type, and the
// HTTP status; never the body, ids, tokens or secrets.
//
// TLS: the server certificate is verified against tls.ca (or the system store), and, unless
// verify_host is false, must name the URL's host (checked by OpenSSL in the handshake).
//
// Thread-safety: deliver() is called by one thread at a time. stop() may be called from
// another thread; it aborts a deliver() in progress, which returns ShuttingDown.

#include <atomic>
#include <memory>
#include <string>
#include <string_view>

#include "connectors/fhir_http/fhir_http_auth.h"
#include "connectors/fhir_http/fhir_http_config.h"
#include "engine/pipeline/connector.h"

namespace ferry::connectors::fhir_http {

class HttpClient;
struct HttpReply;
struct PlannedRequest;

class FhirHttpDestination final : public engine::pipeline::DestinationConnector {
 public:
  // Loads the TLS material; opens no connection (the first deliver() connects). `clock`
  // drives OAuth2 token expiry; tests pass their own.
  explicit FhirHttpDestination(
      DestinationConfig config,
      Authenticator::Clock clock = [] { return std::chrono::steady_clock::now(); });
  ~FhirHttpDestination() override;

  FhirHttpDestination(const FhirHttpDestination&) = delete;
  FhirHttpDestination& operator=(const FhirHttpDestination&) = delete;

  engine::pipeline::DeliveryResult deliver(
      std::string_view payload, const engine::pipeline::DeliveryContext& context) override;

  // Aborts a delivery in progress; later deliver() calls return ShuttingDown.
  void stop() override;

  const DestinationConfig& config() const { return config_; }
  // True while a connection is held open between deliveries.
  bool connected() const;
  // OAuth2 token requests made so far.
  int tokenRequests() const { return auth_.tokenRequests(); }

 private:
  engine::pipeline::DeliveryResult interpret(HttpReply reply, const PlannedRequest& plan) const;
  engine::Status failure(engine::ErrorCode code, const std::string& condition) const;

  const DestinationConfig config_;
  const std::string where_;  // "fhir_http destination 'name' (https://host:port/base)"
  Authenticator auth_;
  std::unique_ptr<HttpClient> client_;  // null when the TLS material did not load
  engine::Status client_problem_;
  std::atomic<bool> stopped_{false};
  bool warned_insecure_ = false;
};

}  // namespace ferry::connectors::fhir_http
