// FHIR end to end through the real binary: resources and Bundles posted over HTTPS to a
// `fhir_http` listener, validated, stored, and delivered to a FHIR server stand-in run by the
// test, with a retry after 503 and a rejection (400) parked as dead.

#include <boost/test/unit_test.hpp>

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/StreamCopier.h>

#include <sstream>

#include "integration/engine_process.h"
#include "integration/fhir_stub_server.h"
#include "integration/integration_support.h"
#include "support/test_pki.h"
#include "support/test_support.h"

namespace ferry::testing {
namespace {

using namespace std::chrono_literals;

struct HttpAnswer {
  int status = 0;
  std::string body;
  std::string message_id;  // X-Ferry-Message-Id
};

HttpAnswer post(int port, const std::string& path, const std::string& body) {
  Poco::Net::Context::Ptr context =
      new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "", testPki().path("ca.pem"),
                             Poco::Net::Context::VERIFY_STRICT);
  Poco::Net::HTTPSClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port), context);
  Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST, path,
                                 Poco::Net::HTTPMessage::HTTP_1_1);
  request.setContentType("application/fhir+json");
  request.setContentLength(static_cast<std::streamsize>(body.size()));
  session.sendRequest(request) << body;
  Poco::Net::HTTPResponse response;
  std::istream& stream = session.receiveResponse(response);
  std::ostringstream text;
  Poco::StreamCopier::copyStream(stream, text);
  return {static_cast<int>(response.getStatus()), text.str(),
          response.get("X-Ferry-Message-Id", "")};
}

std::filesystem::path writeFhirConfig(const std::filesystem::path& dir, int stub_port) {
  const TestPki& pki = testPki();
  std::string listener = R"({"name": "fhir-in", "type": "fhir_http", "port": 0,)"
                         R"( "tls": {"certificate": ")" +
                         pki.path("server.pem") + R"(", "private_key": ")" +
                         pki.path("server.key") + R"("}})";
  std::string route =
      R"({"name": "to-fhir-server", "source": "fhir-in", "destinations": [)"
      R"({"name": "fhir-server", "type": "fhir_http", "base_url": "https://localhost:)" +
      std::to_string(stub_port) + R"(/fhir", "tls": {"ca": ")" + pki.path("ca.pem") +
      R"("}, "retry": {"max_attempts": 5, "initial_backoff_ms": 50, "max_backoff_ms": 200},)"
      R"( "business_associate": {"covered": true, "agreement": "test FHIR server"}}]})";
  return writeEngineConfigWith(dir, listener, route);
}

// A synthetic patient; nothing real.
const std::string kPatient =
    R"({"resourceType":"Patient","id":"p1","name":[{"family":"TESTPATIENT","given":["ALPHA"]}],)"
    R"("gender":"female","birthDate":"1970-01-01"})";

const std::string kTransaction =
    R"({"resourceType":"Bundle","type":"transaction","entry":[{"fullUrl":)"
    R"("urn:uuid:6f1c0a52-8d7e-4c1b-9a35-2f0d3f4a5b61","resource":{"resourceType":"Patient",)"
    R"("name":[{"family":"TESTPATIENT","given":["BETA"]}]},"request":{"method":"POST",)"
    R"("url":"Patient"}}]})";

std::string outboxState(const std::filesystem::path& dir, const std::string& message_id) {
  std::string state = querySql(dir / "data" / "ferry.db",
                               "SELECT state FROM outbox WHERE message_id = '" + message_id + "'");
  return state.empty() ? state : state.substr(0, state.size() - 1);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(fhir_end_to_end)

BOOST_AUTO_TEST_CASE(resources_and_bundles_are_stored_then_delivered_with_retry_and_rejection) {
  TempDir dir;
  FhirStubServer stub;
  EngineProcess engine(writeFhirConfig(dir.path(), stub.port()), dir.path());
  BOOST_REQUIRE(engine.waitReady());
  int port = engine.port("fhir-in");
  BOOST_REQUIRE(port > 0);

  // A Patient: 201 once stored, delivered as POST [base]/Patient with the same bytes.
  HttpAnswer created = post(port, "/fhir/Patient", kPatient);
  BOOST_CHECK_EQUAL(created.status, 201);
  BOOST_REQUIRE(!created.message_id.empty());
  BOOST_REQUIRE(
      waitUntil([&] { return outboxState(dir.path(), created.message_id) == "delivered"; }, 20s));
  auto requests = stub.requests();
  BOOST_REQUIRE_EQUAL(requests.size(), 1u);
  BOOST_CHECK_EQUAL(requests[0].method, "POST");
  BOOST_CHECK_EQUAL(requests[0].path, "/fhir/Patient");
  BOOST_CHECK_EQUAL(requests[0].body, kPatient);

  // A transaction Bundle to the base: 200 with a transaction-response; the server answers 503
  // first, then takes it.
  stub.script({{503, "1", ""}});
  HttpAnswer bundle = post(port, "/fhir", kTransaction);
  BOOST_CHECK_EQUAL(bundle.status, 200);
  BOOST_CHECK(bundle.body.find("transaction-response") != std::string::npos);
  BOOST_REQUIRE(
      waitUntil([&] { return outboxState(dir.path(), bundle.message_id) == "delivered"; }, 20s));
  requests = stub.requests();
  BOOST_REQUIRE_EQUAL(requests.size(), 3u);
  BOOST_CHECK_EQUAL(requests[1].path, "/fhir");
  BOOST_CHECK_EQUAL(requests[2].path, "/fhir");

  // The server refuses the next one for good: parked dead after one attempt.
  stub.script({{400, "",
                R"({"resourceType":"OperationOutcome","issue":[{"severity":"error",)"
                R"("code":"invalid","diagnostics":"refused by the test"}]})"}});
  HttpAnswer refused = post(port, "/fhir/Patient", kPatient);
  BOOST_CHECK_EQUAL(refused.status, 201);
  BOOST_REQUIRE(
      waitUntil([&] { return outboxState(dir.path(), refused.message_id) == "dead"; }, 20s));
  BOOST_CHECK_EQUAL(stub.requests().size(), 4u);

  // Invalid content is answered 422 with the location, and never delivered.
  HttpAnswer invalid =
      post(port, "/fhir/Patient", R"({"resourceType":"Patient","birthDate":"1970-13-45"})");
  BOOST_CHECK_EQUAL(invalid.status, 422);
  BOOST_CHECK(invalid.body.find("Patient.birthDate") != std::string::npos);
  BOOST_CHECK(invalid.body.find("1970-13-45") == std::string::npos);

  // A Patient posted where an Observation is expected is refused too.
  HttpAnswer wrong_type = post(port, "/fhir/Observation", kPatient);
  BOOST_CHECK_EQUAL(wrong_type.status, 422);

  BOOST_CHECK_EQUAL(engine.stop(), 0);
  BOOST_CHECK_EQUAL(stub.requests().size(), 4u);
  CommandResult verify =
      runFerry({"audit", "verify", "--config", (dir.path() / "ferry.json").string()});
  BOOST_CHECK_MESSAGE(verify.exit_code == 0, verify.output);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace ferry::testing
