#pragma once

// The Authorization header of the FHIR destination's requests:
//   bearer_token       the configured token
//   bearer_token_file  the file's content (trimmed), read again whenever the file changes
//   oauth2             an access token from the client-credentials grant (RFC 6749 4.4):
//                      POST token_url, application/x-www-form-urlencoded
//                      grant_type=client_credentials[&scope=...], the client authenticated
//                      with HTTP Basic (or client_id/client_secret in the body). The token is
//                      kept until shortly before expires_in runs out (300 s when the server
//                      gives none) and fetched again then, or after the FHIR server refused it.
// Tokens and secrets are never logged or put into a Status.
//
// Thread-safety: authorization() and invalidate() are called by the destination's one
// delivery thread; abort() may be called from any thread.

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "connectors/fhir_http/fhir_http_config.h"
#include "engine/status.h"

namespace ferry::connectors::fhir_http {

class HttpClient;

class Authenticator {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  // Opens no connection (but loads the TLS material for the token endpoint). `destination`
  // supplies auth, TLS settings (used for the token endpoint too), timeouts and the name for
  // status contexts. `clock` is for tests.
  explicit Authenticator(
      const DestinationConfig& destination,
      Clock clock = [] { return std::chrono::steady_clock::now(); });
  ~Authenticator();

  Authenticator(const Authenticator&) = delete;
  Authenticator& operator=(const Authenticator&) = delete;

  // The Authorization header value for the next request ("Bearer ..."), or an empty string
  // when no auth is configured. Failures: ConnectionError or Timeout (token endpoint
  // unreachable), RemoteError (token endpoint refused or answered unreadably), IoError (a
  // token or secret file unreadable or empty), ConfigError (TLS material for the token
  // endpoint does not load). None of them is the message's fault, so all are retried.
  engine::Result<std::string> authorization();

  // The server refused the credential (HTTP 401): forget it. True when asking again may yield
  // a different one (oauth2, bearer_token_file), so that one more attempt is worth making.
  bool invalidate();

  // Token requests made so far (oauth2).
  int tokenRequests() const { return token_requests_; }

  void abort();

 private:
  engine::Result<std::string> readTokenFile();
  engine::Result<std::string> fetchToken();
  engine::Status failure(engine::ErrorCode code, const std::string& condition) const;

  const AuthConfig config_;
  const Clock clock_;
  const std::string what_;  // prefix of status contexts

  std::string token_;  // cached access token (oauth2) or file content
  std::chrono::steady_clock::time_point token_expires_{};
  std::filesystem::file_time_type token_file_time_{};
  int token_requests_ = 0;
  // oauth2 only: the token endpoint's client, or why it could not be made.
  std::unique_ptr<HttpClient> token_client_;
  engine::Status token_client_problem_;
};

}  // namespace ferry::connectors::fhir_http
