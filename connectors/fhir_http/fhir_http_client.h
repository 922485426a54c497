#pragma once

// One HTTP(S) connection to one server, kept open between requests (keep-alive), as the FHIR
// destination and its OAuth2 token requests use it. exchange() sends one request and reads
// the whole answer; it turns every failure into a Status and never throws.
//
// Failures:
//   cannot connect, TLS handshake refused or timed out, connection lost -> ConnectionError
//   no (complete) response within the response timeout                   -> Timeout
//   an answer that is not HTTP                                           -> RemoteError
// A connection carried over from an earlier request that fails before any byte of the answer
// arrives (the server closed it while idle) is replaced and the request sent once more; a
// receiver may thus see a request twice, as delivery is at-least-once anyway.
//
// Status contexts start with `what` and name the condition; never headers or bodies.
//
// Thread-safety: exchange() is called by one thread at a time; abort() may be called from any
// thread and makes an exchange in progress fail (the caller reports ShuttingDown).

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <Poco/Net/Context.h>

#include "connectors/fhir_http/fhir_http_config.h"
#include "engine/status.h"

namespace Poco::Net {
class HTTPClientSession;
}  // namespace Poco::Net

namespace ferry::connectors::fhir_http {

struct HttpRequestSpec {
  std::string method;  // "POST", "PUT"
  std::string path;    // absolute path on the server ("/fhir/Patient")
  std::string content_type;
  std::vector<std::pair<std::string, std::string>> headers;  // besides Host, Content-*
};

struct HttpReply {
  int status = 0;
  std::string reason;
  std::string body;         // at most kMaxReplyBytes; the rest is dropped
  std::string retry_after;  // the Retry-After header, when present
};

// Largest answer body kept; a FHIR transaction-response can be large, but not unbounded.
inline constexpr std::size_t kMaxReplyBytes = std::size_t{16} << 20;

class HttpClient {
 public:
  // `tls` is required for an https endpoint and ignored otherwise. Opens nothing.
  HttpClient(HttpEndpoint endpoint, Poco::Net::Context::Ptr tls,
             std::chrono::milliseconds connect_timeout, std::chrono::milliseconds response_timeout,
             std::string what);
  ~HttpClient();

  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  engine::Result<HttpReply> exchange(const HttpRequestSpec& request, std::string_view body);

  // Shuts the connection down; thread-safe.
  void abort();
  // True while a connection is held open between requests.
  bool connected() const;

  const HttpEndpoint& endpoint() const { return endpoint_; }

 private:
  enum class Attempt { Done, RetryOnFreshConnection };

  Attempt attempt(const HttpRequestSpec& request, std::string_view body, bool reused,
                  engine::Result<HttpReply>& result);
  void ensureSession();
  void dropSession();
  engine::Status failure(engine::ErrorCode code, const std::string& condition) const;

  const HttpEndpoint endpoint_;
  const Poco::Net::Context::Ptr tls_;
  const std::chrono::milliseconds connect_timeout_;
  const std::chrono::milliseconds response_timeout_;
  const std::string what_;

  mutable std::mutex mutex_;  // guards session_ against abort() from another thread
  std::unique_ptr<Poco::Net::HTTPClientSession> session_;
  std::chrono::steady_clock::time_point last_reply_{};
  bool reusable_ = false;  // the last answer left the connection open
};

}  // namespace ferry::connectors::fhir_http
