#include "integration/fhir_stub_server.h"

#include <sstream>

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/StreamCopier.h>

#include "support/test_pki.h"

namespace ferry::testing {
namespace {

class RecordingHandler : public Poco::Net::HTTPRequestHandler {
 public:
  explicit RecordingHandler(FhirStubServer& server) : server_(server) {}

  void handleRequest(Poco::Net::HTTPServerRequest& request,
                     Poco::Net::HTTPServerResponse& response) override {
    StubRequest seen;
    seen.method = request.getMethod();
    seen.path = request.getURI();
    seen.authorization = request.get("Authorization", "");
    std::ostringstream body;
    Poco::StreamCopier::copyStream(request.stream(), body);
    seen.body = body.str();

    StubAnswer answer = server_.record(std::move(seen));
    response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(answer.status));
    if (!answer.retry_after.empty()) {
      response.set("Retry-After", answer.retry_after);
    }
    std::string body_text = answer.body.empty()
                                ? R"({"resourceType":"OperationOutcome","issue":[{"severity":)"
                                  R"("information","code":"informational"}]})"
                                : answer.body;
    response.setContentType("application/fhir+json");
    response.setContentLength(static_cast<std::streamsize>(body_text.size()));
    response.send() << body_text;
  }

 private:
  FhirStubServer& server_;
};

class HandlerFactory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit HandlerFactory(FhirStubServer& server) : server_(server) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest&) override {
    // POCO's server takes ownership of the handler it asks for and deletes it.
    return std::make_unique<RecordingHandler>(server_).release();
  }

 private:
  FhirStubServer& server_;
};

}  // namespace

FhirStubServer::FhirStubServer() {
  const TestPki& pki = testPki();
  Poco::Net::Context::Ptr context =
      new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, pki.path("server.key"),
                             pki.path("server.pem"), "", Poco::Net::Context::VERIFY_NONE);
  Poco::Net::SecureServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0), 64, context);
  port_ = socket.address().port();
  auto params = Poco::Net::HTTPServerParams::Ptr(new Poco::Net::HTTPServerParams);
  params->setKeepAlive(true);
  server_ = std::make_unique<Poco::Net::HTTPServer>(new HandlerFactory(*this), socket, params);
  server_->start();
}

FhirStubServer::~FhirStubServer() { server_->stopAll(true); }

void FhirStubServer::script(std::vector<StubAnswer> answers) {
  std::lock_guard lock(mutex_);
  script_ = std::move(answers);
}

std::vector<StubRequest> FhirStubServer::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

StubAnswer FhirStubServer::record(StubRequest request) {
  std::lock_guard lock(mutex_);
  requests_.push_back(std::move(request));
  if (script_.empty()) {
    return StubAnswer{};
  }
  StubAnswer next = script_.front();
  script_.erase(script_.begin());
  return next;
}

}  // namespace ferry::testing
