#pragma once

// Helpers shared by the FHIR HTTP test suites: a throwaway PKI made with the openssl command
// line, a recording MessageSink, small HTTP(S) clients, a stub FHIR server with an OAuth2
// token endpoint, a log capture, and config parsing through the registered factories.
// Loopback only; every wait has a guard timeout so that a broken test fails instead of
// hanging. All resources are synthetic (made-up names such as TESTPATIENT ALPHA).

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <Poco/AutoPtr.h>
#include <Poco/Channel.h>
#include <Poco/Logger.h>
#include <Poco/Message.h>
#include <Poco/Net/Context.h>

#include "engine/config/config_node.h"
#include "engine/pipeline/connector.h"
#include "support/test_support.h"

namespace Poco::Net {
class HTTPServer;
}  // namespace Poco::Net
namespace Poco {
class ThreadPool;
}  // namespace Poco

namespace ferry::testing::fhir_http {

// Generous bound on any single wait in these tests; reaching it is a failure, not a result.
inline constexpr std::chrono::milliseconds kGuardTimeout(10000);

// A synthetic Patient, compact JSON.
std::string patientJson(const std::string& id = "");
// A synthetic transaction Bundle with one Patient entry.
std::string transactionBundleJson();

// Whether `errors` holds one at JSON path `path` whose message contains `text`.
bool hasError(const engine::config::ConfigErrors& errors, const std::string& path,
              const std::string& text);
// Whether any error message contains `text` (to show that secrets are not quoted).
bool anyErrorMentions(const engine::config::ConfigErrors& errors, const std::string& text);

// Runs the factory registered for `type` on `json` (one connector object).
std::unique_ptr<engine::pipeline::SourceConnector> sourceFromConfig(
    const std::string& json, engine::config::ConfigErrors& errors,
    engine::pipeline::MessageSink& sink);
std::unique_ptr<engine::pipeline::DestinationConnector> destinationFromConfig(
    const std::string& json, engine::config::ConfigErrors& errors);

// JSON string literal of a temp path (no characters needing escapes there).
inline std::string quoted(const std::string& text) { return "\"" + text + "\""; }

// The shared test PKI (support/test_pki.h: "ca", "server" for localhost and 127.0.0.1,
// "client", "other_ca") plus "wrong": a server certificate from the same CA that names only
// mismatch.invalid. Made once per test run.
class FhirTestPki {
 public:
  FhirTestPki();
  bool ok() const { return ok_; }
  // NAME.pem or NAME.key of any of the certificates above.
  std::string path(const std::string& name) const;

 private:
  TempDir dir_;
  bool ok_ = false;
};
const FhirTestPki& pki();

// A server context from the test PKI ("server" or "wrong").
Poco::Net::Context::Ptr serverContext(const std::string& leaf = "server");
// A client context trusting `ca_path`, verifying host `host` (empty: no name check).
Poco::Net::Context::Ptr clientContext(const std::string& ca_path, const std::string& host);

struct Submission {
  std::string json;
  engine::pipeline::InboundContext context;
  engine::pipeline::FhirSubmitOptions options;
};

// Records what submitFhir receives; answers 201 stored with message id "MSG<n>" unless
// `answer` says otherwise. `on_submit` runs first (to block, for instance).
class RecordingFhirSink : public engine::pipeline::MessageSink {
 public:
  std::function<engine::pipeline::SubmitResult(const Submission&)> answer;
  std::function<void()> on_submit;

  std::string onHl7Message(std::string_view bytes,
                           const engine::pipeline::InboundContext& context) override;
  engine::pipeline::SubmitResult submitFhir(
      std::string_view json, const engine::pipeline::InboundContext& context,
      const engine::pipeline::FhirSubmitOptions& options) override;

  std::vector<Submission> submissions() const;

 private:
  mutable std::mutex mutex_;
  std::vector<Submission> submissions_;
};

struct HttpAnswer {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string header(const std::string& name) const;
};

struct HttpCall {
  std::string method = "POST";
  std::string path;
  std::string body;
  std::string content_type = "application/fhir+json";
  bool chunked = false;
  Poco::Net::Context::Ptr tls;  // null: plain HTTP
};

// One request on a fresh connection to 127.0.0.1:`port`. Throws Poco::Exception on transport
// failures (refused handshake, reset).
HttpAnswer call(int port, const HttpCall& request);

// Writes `bytes` on a fresh plain connection and returns everything read until the server
// closes it or `stop_after` appears in what was read.
std::string rawExchange(int port, const std::string& bytes, const std::string& stop_after);

// A request the stub server received.
struct StubRequest {
  std::string method;
  std::string uri;
  std::string body;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string header(const std::string& name) const;
};

struct StubResponse {
  int status = 201;
  std::string body = R"({"resourceType":"OperationOutcome","issue":[{"severity":"information",)"
                     R"("code":"informational"}]})";
  std::vector<std::pair<std::string, std::string>> headers;
};

// A FHIR server stub on 127.0.0.1 (TLS when given a context). Every request but those to
// /token is recorded and answered from `responses` in order, then with the default 201.
// POST /token is an OAuth2 client-credentials endpoint issuing "token-<n>"; with
// require_token, FHIR requests need "Bearer <latest token>" or get 401.
class StubFhirServer {
 public:
  explicit StubFhirServer(Poco::Net::Context::Ptr tls = {});
  ~StubFhirServer();

  StubFhirServer(const StubFhirServer&) = delete;
  StubFhirServer& operator=(const StubFhirServer&) = delete;

  int port() const { return port_; }
  std::string baseUrl(const std::string& scheme = "https") const;

  void queue(StubResponse response);
  void requireToken(bool required);
  void setTokenLifetime(int expires_in_seconds);
  // Makes every token issued so far invalid.
  void revokeTokens();

  std::vector<StubRequest> requests() const;
  std::vector<StubRequest> tokenRequests() const;
  // TCP connections accepted so far.
  int connectionsAccepted() const;

  // Called by the request handler.
  StubResponse handle(StubRequest request);

 private:
  mutable std::mutex mutex_;
  std::vector<StubResponse> responses_;
  std::vector<StubRequest> requests_;
  std::vector<StubRequest> token_requests_;
  bool require_token_ = false;
  int token_lifetime_ = 3600;
  int tokens_issued_ = 0;
  std::string valid_token_;

  int port_ = 0;
  std::unique_ptr<Poco::ThreadPool> pool_;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
};

// Keeps what is logged to "connectors.fhir_http" while alive.
class CapturedLog {
 public:
  CapturedLog();
  ~CapturedLog();
  CapturedLog(const CapturedLog&) = delete;
  CapturedLog& operator=(const CapturedLog&) = delete;

  std::vector<std::pair<Poco::Message::Priority, std::string>> entries() const;
  bool contains(const std::string& text) const;

 private:
  class Channel;
  Poco::Logger& logger_;
  Poco::Channel::Ptr previous_channel_;
  int previous_level_;
  Poco::AutoPtr<Channel> channel_;
};

}  // namespace ferry::testing::fhir_http
