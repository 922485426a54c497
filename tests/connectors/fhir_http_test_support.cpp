#include "connectors/fhir_http_test_support.h"

#include <cstdlib>
#include <istream>
#include <sstream>

#include <Poco/AutoPtr.h>
#include <Poco/Channel.h>
#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/RejectCertificateHandler.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/String.h>
#include <Poco/ThreadPool.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <boost/test/unit_test.hpp>

#include "connectors/mllp/mllp_io.h"
#include "engine/pipeline/registry.h"
#include "support/test_pki.h"

namespace ferry::testing::fhir_http {
namespace {

std::map<std::string, std::string> lowerCasedHeaders(const Poco::Net::NameValueCollection& from) {
  std::map<std::string, std::string> headers;
  for (const auto& [name, value] : from) {
    headers[Poco::toLower(name)] = value;
  }
  return headers;
}

std::string find(const std::map<std::string, std::string>& headers, const std::string& name) {
  auto found = headers.find(Poco::toLower(name));
  return found == headers.end() ? std::string() : found->second;
}

bool run(const std::string& command) {
  return std::system((command + " >/dev/null 2>&1").c_str()) == 0;
}

std::string readAll(std::istream& in) {
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

// Parses one connector object given as JSON text.
engine::config::ConfigNode parseNode(const std::string& json) {
  auto document = engine::config::ConfigNode::parse("{\"connector\": " + json + "}", "test.json");
  BOOST_REQUIRE_MESSAGE(document.isOk(), document.status().toString());
  return *document.value().member("connector");
}

class StubHandler final : public Poco::Net::HTTPRequestHandler {
 public:
  explicit StubHandler(StubFhirServer& server) : server_(server) {}

  void handleRequest(Poco::Net::HTTPServerRequest& request,
                     Poco::Net::HTTPServerResponse& response) override {
    StubRequest recorded;
    recorded.method = request.getMethod();
    recorded.uri = request.getURI();
    recorded.headers = lowerCasedHeaders(request);
    recorded.body = readAll(request.stream());
    StubResponse answer = server_.handle(std::move(recorded));
    response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(answer.status));
    for (const auto& [name, value] : answer.headers) {
      response.set(name, value);
    }
    response.setContentType("application/fhir+json");
    response.setContentLength64(static_cast<Poco::Int64>(answer.body.size()));
    response.sendBuffer(answer.body.data(), answer.body.size());
  }

 private:
  StubFhirServer& server_;
};

class StubFactory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit StubFactory(StubFhirServer& server) : server_(server) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest&) override {
    return std::make_unique<StubHandler>(server_).release();
  }

 private:
  StubFhirServer& server_;
};

}  // namespace

std::string patientJson(const std::string& id) {
  std::string json = R"({"resourceType":"Patient",)";
  if (!id.empty()) {
    json += R"("id":")" + id + R"(",)";
  }
  return json + R"("name":[{"family":"TESTPATIENT","given":["ALPHA"]}],"birthDate":"1980-01-01",)"
                R"("extension":[{"url":"http://example.org/score","valueDecimal":1.50}]})";
}

std::string transactionBundleJson() {
  return R"({"resourceType":"Bundle","type":"transaction","entry":[{"fullUrl":)"
         R"("urn:uuid:6f0d3c2a-8e7b-4c55-9c1e-1f2a3b4c5d6e","resource":)" +
         patientJson() + R"(,"request":{"method":"POST","url":"Patient"}}]})";
}

bool hasError(const engine::config::ConfigErrors& errors, const std::string& path,
              const std::string& text) {
  for (const auto& error : errors.all()) {
    if (error.json_path == path && error.message.find(text) != std::string::npos) {
      return true;
    }
  }
  return false;
}

bool anyErrorMentions(const engine::config::ConfigErrors& errors, const std::string& text) {
  for (const auto& error : errors.all()) {
    if (error.message.find(text) != std::string::npos) {
      return true;
    }
  }
  return errors.format().find(text) != std::string::npos;
}

std::unique_ptr<engine::pipeline::SourceConnector> sourceFromConfig(
    const std::string& json, engine::config::ConfigErrors& errors,
    engine::pipeline::MessageSink& sink) {
  const auto* factory = engine::pipeline::findSourceType("fhir_http");
  BOOST_REQUIRE(factory != nullptr);
  return (*factory)(parseNode(json), errors, sink);
}

std::unique_ptr<engine::pipeline::DestinationConnector> destinationFromConfig(
    const std::string& json, engine::config::ConfigErrors& errors) {
  const auto* factory = engine::pipeline::findDestinationType("fhir_http");
  BOOST_REQUIRE(factory != nullptr);
  return (*factory)(parseNode(json), errors);
}

FhirTestPki::FhirTestPki() {
  const TestPki& shared = testPki();
  writeFile(dir_.path() / "wrong.ext",
            "basicConstraints=CA:FALSE\n"
            "subjectAltName=DNS:mismatch.invalid\n"
            "extendedKeyUsage=serverAuth\n");
  ok_ =
      run("openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout '" +
          path("wrong.key") + "' -out '" + path("wrong.csr") + "' -subj '/CN=mismatch.invalid'") &&
      run("openssl x509 -req -in '" + path("wrong.csr") + "' -CA '" + shared.path("ca.pem") +
          "' -CAkey '" + shared.path("ca.key") + "' -set_serial 9001 -days 2 -out '" +
          path("wrong.pem") + "' -extfile '" + path("wrong.ext") + "'");
}

std::string FhirTestPki::path(const std::string& name) const {
  if (name.rfind("wrong.", 0) == 0) {
    return (dir_.path() / name).string();
  }
  return testPki().path(name);
}

const FhirTestPki& pki() {
  static FhirTestPki instance;
  BOOST_REQUIRE_MESSAGE(instance.ok(), "could not create test certificates with openssl");
  return instance;
}

Poco::Net::Context::Ptr serverContext(const std::string& leaf) {
  Poco::Net::Context::Params params;
  params.certificateFile = pki().path(leaf + ".pem");
  params.privateKeyFile = pki().path(leaf + ".key");
  params.verificationMode = Poco::Net::Context::VERIFY_NONE;
  params.loadDefaultCAs = false;
  return Poco::makeAuto<Poco::Net::Context>(Poco::Net::Context::TLS_SERVER_USE, params);
}

Poco::Net::Context::Ptr clientContext(const std::string& ca_path, const std::string& host) {
  Poco::Net::Context::Params params;
  params.caLocation = ca_path;
  params.loadDefaultCAs = false;
  params.verificationMode = Poco::Net::Context::VERIFY_RELAXED;
  auto context = Poco::makeAuto<Poco::Net::Context>(Poco::Net::Context::TLS_CLIENT_USE, params);
  context->enableExtendedCertificateVerification(false);
  context->setInvalidCertificateHandler(
      Poco::makeShared<Poco::Net::RejectCertificateHandler>(false));
  if (!host.empty()) {
    X509_VERIFY_PARAM* verify = SSL_CTX_get0_param(context->sslContext());
    X509_VERIFY_PARAM_set1_host(verify, host.c_str(), host.size());
  }
  return context;
}

std::string RecordingFhirSink::onHl7Message(std::string_view,
                                            const engine::pipeline::InboundContext&) {
  return {};
}

engine::pipeline::SubmitResult RecordingFhirSink::submitFhir(
    std::string_view json, const engine::pipeline::InboundContext& context,
    const engine::pipeline::FhirSubmitOptions& options) {
  Submission submission{std::string(json), context, options};
  std::size_t count = 0;
  {
    std::lock_guard lock(mutex_);
    submissions_.push_back(submission);
    count = submissions_.size();
  }
  if (on_submit) {
    on_submit();
  }
  if (answer) {
    return answer(submission);
  }
  engine::pipeline::SubmitResult result;
  result.accepted = true;
  result.stored = true;
  result.message_id = "MSG" + std::to_string(count);
  result.http_status = options.base_endpoint ? 200 : 201;
  result.response = R"({"resourceType":"OperationOutcome","issue":[{"severity":"information",)"
                    R"("code":"informational"}]})";
  return result;
}

std::vector<Submission> RecordingFhirSink::submissions() const {
  std::lock_guard lock(mutex_);
  return submissions_;
}

std::string HttpAnswer::header(const std::string& name) const { return find(headers, name); }

std::string StubRequest::header(const std::string& name) const { return find(headers, name); }

HttpAnswer call(int port, const HttpCall& request) {
  connectors::mllp::ScopedSigpipeBlock sigpipe;
  std::unique_ptr<Poco::Net::HTTPClientSession> session;
  if (request.tls) {
    session = std::make_unique<Poco::Net::HTTPSClientSession>(
        "127.0.0.1", static_cast<Poco::UInt16>(port), request.tls);
  } else {
    session = std::make_unique<Poco::Net::HTTPClientSession>("127.0.0.1",
                                                             static_cast<Poco::UInt16>(port));
  }
  session->setTimeout(connectors::mllp::toTimespan(kGuardTimeout));
  Poco::Net::HTTPRequest http(request.method, request.path, Poco::Net::HTTPMessage::HTTP_1_1);
  if (!request.content_type.empty()) {
    http.setContentType(request.content_type);
  }
  if (request.chunked) {
    http.setChunkedTransferEncoding(true);
  } else if (request.method != "GET" || !request.body.empty()) {
    http.setContentLength64(static_cast<Poco::Int64>(request.body.size()));
  }
  std::ostream& out = session->sendRequest(http);
  out << request.body;
  out.flush();

  Poco::Net::HTTPResponse response;
  std::istream& in = session->receiveResponse(response);
  HttpAnswer answer;
  answer.status = static_cast<int>(response.getStatus());
  answer.headers = lowerCasedHeaders(response);
  answer.body = readAll(in);
  return answer;
}

std::string rawExchange(int port, const std::string& bytes, const std::string& stop_after) {
  connectors::mllp::ScopedSigpipeBlock sigpipe;
  Poco::Net::StreamSocket socket;
  socket.connect(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port)));
  socket.setReceiveTimeout(connectors::mllp::toTimespan(kGuardTimeout));
  connectors::mllp::sendAll(socket, bytes);
  std::string received;
  char buffer[4096];
  while (received.find(stop_after) == std::string::npos) {
    int count = 0;
    try {
      count = socket.receiveBytes(buffer, sizeof(buffer));
    } catch (const Poco::TimeoutException&) {
      throw;  // the guard expired: fail loudly
    } catch (const Poco::Exception&) {
      break;  // reset by the server
    }
    if (count <= 0) {
      break;
    }
    received.append(buffer, static_cast<std::size_t>(count));
  }
  return received;
}

StubFhirServer::StubFhirServer(Poco::Net::Context::Ptr tls) {
  // Threads made below inherit a mask with SIGPIPE blocked.
  connectors::mllp::ScopedSigpipeBlock sigpipe;
  std::unique_ptr<Poco::Net::ServerSocket> socket;
  if (tls) {
    socket = std::make_unique<Poco::Net::SecureServerSocket>(tls);
  } else {
    socket = std::make_unique<Poco::Net::ServerSocket>();
  }
  socket->bind(Poco::Net::SocketAddress("127.0.0.1", 0), true, false);
  socket->listen(16);
  port_ = socket->address().port();
  auto params = Poco::makeAuto<Poco::Net::HTTPServerParams>();
  params->setTimeout(connectors::mllp::toTimespan(kGuardTimeout));
  params->setKeepAlive(true);
  params->setMaxThreads(8);
  pool_ = std::make_unique<Poco::ThreadPool>(1, 8);
  server_ = std::make_unique<Poco::Net::HTTPServer>(Poco::makeShared<StubFactory>(*this), *pool_,
                                                    *socket, params);
  server_->start();
}

StubFhirServer::~StubFhirServer() {
  server_->stopAll(true);
  pool_->joinAll();
  server_.reset();
}

std::string StubFhirServer::baseUrl(const std::string& scheme) const {
  return scheme + "://127.0.0.1:" + std::to_string(port_) + "/fhir";
}

void StubFhirServer::queue(StubResponse response) {
  std::lock_guard lock(mutex_);
  responses_.push_back(std::move(response));
}

void StubFhirServer::requireToken(bool required) {
  std::lock_guard lock(mutex_);
  require_token_ = required;
}

void StubFhirServer::setTokenLifetime(int expires_in_seconds) {
  std::lock_guard lock(mutex_);
  token_lifetime_ = expires_in_seconds;
}

void StubFhirServer::revokeTokens() {
  std::lock_guard lock(mutex_);
  valid_token_.clear();
}

std::vector<StubRequest> StubFhirServer::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

std::vector<StubRequest> StubFhirServer::tokenRequests() const {
  std::lock_guard lock(mutex_);
  return token_requests_;
}

int StubFhirServer::connectionsAccepted() const { return server_->totalConnections(); }

StubResponse StubFhirServer::handle(StubRequest request) {
  std::lock_guard lock(mutex_);
  if (request.uri == "/token") {
    token_requests_.push_back(request);
    valid_token_ = "token-" + std::to_string(++tokens_issued_);
    StubResponse issued;
    issued.status = 200;
    issued.body = R"({"access_token":")" + valid_token_ +
                  R"(","token_type":"Bearer","expires_in":)" + std::to_string(token_lifetime_) +
                  "}";
    return issued;
  }
  requests_.push_back(request);
  if (require_token_ &&
      (valid_token_.empty() || request.header("Authorization") != "Bearer " + valid_token_)) {
    StubResponse refused;
    refused.status = 401;
    refused.body = R"({"resourceType":"OperationOutcome","issue":[{"severity":"error",)"
                   R"("code":"login"}]})";
    return refused;
  }
  if (responses_.empty()) {
    return StubResponse{};
  }
  StubResponse next = responses_.front();
  responses_.erase(responses_.begin());
  return next;
}

class CapturedLog::Channel : public Poco::Channel {
 public:
  void log(const Poco::Message& message) override {
    std::lock_guard lock(mutex_);
    entries_.emplace_back(message.getPriority(), message.getText());
  }
  std::vector<std::pair<Poco::Message::Priority, std::string>> snapshot() const {
    std::lock_guard lock(mutex_);
    return entries_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::pair<Poco::Message::Priority, std::string>> entries_;
};

CapturedLog::CapturedLog()
    : logger_(Poco::Logger::get("connectors.fhir_http")),
      previous_channel_(logger_.getChannel()),
      previous_level_(logger_.getLevel()),
      channel_(Poco::makeAuto<Channel>()) {
  logger_.setChannel(channel_);
  logger_.setLevel(Poco::Message::PRIO_TRACE);
}

CapturedLog::~CapturedLog() {
  logger_.setChannel(previous_channel_);
  logger_.setLevel(previous_level_);
}

std::vector<std::pair<Poco::Message::Priority, std::string>> CapturedLog::entries() const {
  return channel_->snapshot();
}

bool CapturedLog::contains(const std::string& text) const {
  for (const auto& [priority, line] : entries()) {
    if (line.find(text) != std::string::npos) {
      return true;
    }
  }
  return false;
}

}  // namespace ferry::testing::fhir_http
