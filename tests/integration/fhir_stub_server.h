#pragma once

// A FHIR server stand-in for end-to-end tests: HTTPS on 127.0.0.1 (test PKI certificate), it
// records every request and answers from a script of status codes (then 201).

#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace Poco::Net {
class HTTPServer;
}

namespace ferry::testing {

struct StubRequest {
  std::string method;
  std::string path;
  std::string body;
  std::string authorization;
};

struct StubAnswer {
  int status = 201;
  std::string retry_after;  // Retry-After header when not empty
  std::string body;         // an OperationOutcome for errors
};

class FhirStubServer {
 public:
  // Starts at once on an ephemeral port, TLS with the test PKI's server certificate.
  FhirStubServer();
  ~FhirStubServer();
  FhirStubServer(const FhirStubServer&) = delete;
  FhirStubServer& operator=(const FhirStubServer&) = delete;

  int port() const { return port_; }
  // Answers for the next requests, in order; afterwards every request gets 201.
  void script(std::vector<StubAnswer> answers);
  std::vector<StubRequest> requests() const;

  // Used by the request handler.
  StubAnswer record(StubRequest request);

 private:
  mutable std::mutex mutex_;
  std::vector<StubAnswer> script_;
  std::vector<StubRequest> requests_;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
  int port_ = 0;
};

}  // namespace ferry::testing
