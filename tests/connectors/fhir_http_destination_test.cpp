#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <rapidjson/document.h>
#include <boost/test/unit_test.hpp>

#include "connectors/fhir_http/fhir_http_config.h"
#include "connectors/fhir_http/fhir_http_destination.h"
#include "connectors/fhir_http_test_support.h"
#include "support/test_support.h"

namespace {

using ferry::connectors::fhir_http::AuthConfig;
using ferry::connectors::fhir_http::DeliveryMode;
using ferry::connectors::fhir_http::DestinationConfig;
using ferry::connectors::fhir_http::FhirHttpDestination;
using ferry::connectors::fhir_http::parseHttpUrl;
using ferry::engine::ErrorCode;
using ferry::engine::pipeline::DeliveryContext;
using ferry::engine::pipeline::DeliveryResult;
using ferry::testing::TempDir;
using namespace ferry::testing::fhir_http;

const std::string kOutcome400 =
    R"({"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"invalid",)"
    R"("diagnostics":"SERVERDIAGNOSTIC"}]})";

DestinationConfig configFor(const std::string& base_url) {
  DestinationConfig config;
  config.name = "fhir-out";
  std::string problem;
  auto endpoint = parseHttpUrl(base_url, problem);
  BOOST_REQUIRE_MESSAGE(endpoint.has_value(), problem);
  config.base = *endpoint;
  config.insecure = !endpoint->https;
  config.tls.ca = pki().path("ca.pem");
  config.connect_timeout = kGuardTimeout;
  config.response_timeout = kGuardTimeout;
  return config;
}

DeliveryResult deliver(FhirHttpDestination& destination, const std::string& payload,
                       const std::string& message_id = "MSGID1") {
  DeliveryContext context;
  context.message_id = message_id;
  return destination.deliver(payload, context);
}

void useOAuth2(DestinationConfig& config, const StubFhirServer& server) {
  config.auth.kind = AuthConfig::Kind::OAuth2;
  config.auth.oauth2.token_url = "https://127.0.0.1:" + std::to_string(server.port()) + "/token";
  config.auth.oauth2.client_id = "client-1";
  config.auth.oauth2.client_secret = "s3cret";
  config.auth.oauth2.scope = "system/*.write";
}

// A steady clock the test moves by hand.
struct ManualClock {
  std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now();
};

}  // namespace

BOOST_AUTO_TEST_SUITE(fhir_http_destination)

BOOST_AUTO_TEST_CASE(creates_a_resource_with_post_to_its_type) {
  StubFhirServer server(serverContext());
  FhirHttpDestination destination(configFor(server.baseUrl()));

  DeliveryResult result = deliver(destination, patientJson());

  BOOST_REQUIRE_MESSAGE(result.status.isOk(), result.status.toString());
  BOOST_CHECK_EQUAL(result.response, StubResponse{}.body);
  auto requests = server.requests();
  BOOST_REQUIRE_EQUAL(requests.size(), 1u);
  BOOST_CHECK_EQUAL(requests[0].method, "POST");
  BOOST_CHECK_EQUAL(requests[0].uri, "/fhir/Patient");
  BOOST_CHECK_EQUAL(requests[0].body, patientJson());
  BOOST_CHECK_EQUAL(requests[0].header("Content-Type"), "application/fhir+json; charset=utf-8");
  BOOST_CHECK_EQUAL(requests[0].header("Accept"), "application/fhir+json");
  BOOST_CHECK_EQUAL(requests[0].header("X-Request-Id"), "MSGID1");
  BOOST_CHECK(requests[0].header("Authorization").empty());
}

BOOST_AUTO_TEST_CASE(updates_a_resource_with_put_to_its_type_and_id) {
  StubFhirServer server(serverContext());
  DestinationConfig config = configFor(server.baseUrl());
  config.mode = DeliveryMode::Update;
  FhirHttpDestination destination(config);

  DeliveryResult result = deliver(destination, patientJson("pat-1"));

  BOOST_REQUIRE_MESSAGE(result.status.isOk(), result.status.toString());
  auto requests = server.requests();
  BOOST_REQUIRE_EQUAL(requests.size(), 1u);
  BOOST_CHECK_EQUAL(requests[0].method, "PUT");
  BOOST_CHECK_EQUAL(requests[0].uri, "/fhir/Patient/pat-1");
  BOOST_CHECK_EQUAL(requests[0].body, patientJson("pat-1"));
}

BOOST_AUTO_TEST_CASE(rejects_an_update_of_a_resource_without_id_permanently) {
  StubFhirServer server(serverContext());
  DestinationConfig config = configFor(server.baseUrl());
  config.mode = DeliveryMode::Update;
  FhirHttpDestination destination(config);

  DeliveryResult result = deliver(destination, patientJson());

  BOOST_CHECK(result.status.code() == ErrorCode::RemoteRejected);
  BOOST_CHECK(result.status.context().find("Patient.id") != std::string::npos);
  BOOST_CHECK(server.requests().empty());
}

BOOST_AUTO_TEST_CASE(wraps_a_resource_into_a_transaction_bundle_in_transaction_mode) {
  StubFhirServer server(serverContext());
  DestinationConfig config = configFor(server.baseUrl());
  config.mode = DeliveryMode::Transaction;
  FhirHttpDestination destination(config);

  DeliveryResult first = deliver(destination, patientJson(), "MSGT");
  DeliveryResult again = deliver(destination, patientJson(), "MSGT");

  BOOST_REQUIRE_MESSAGE(first.status.isOk(), first.status.toString());
  BOOST_REQUIRE(again.status.isOk());
  auto requests = server.requests();
  BOOST_REQUIRE_EQUAL(requests.size(), 2u);
  BOOST_CHECK_EQUAL(requests[0].method, "POST");
  BOOST_CHECK_EQUAL(requests[0].uri, "/fhir");
  // The resource travels byte for byte: 1.50 stays 1.50.
  BOOST_CHECK(requests[0].body.find(patientJson()) != std::string::npos);
  rapidjson::Document bundle;
  bundle.Parse(requests[0].body.c_str());
  BOOST_REQUIRE(!bundle.HasParseError());
  BOOST_CHECK_EQUAL(std::string(bundle["resourceType"].GetString()), "Bundle");
  BOOST_CHECK_EQUAL(std::string(bundle["type"].GetString()), "transaction");
  const auto& entry = bundle["entry"][0];
  BOOST_CHECK_EQUAL(std::string(entry["request"]["method"].GetString()), "POST");
  BOOST_CHECK_EQUAL(std::string(entry["request"]["url"].GetString()), "Patient");
  BOOST_CHECK_EQUAL(std::string(entry["fullUrl"].GetString()).rfind("urn:uuid:", 0), 0u);
  BOOST_CHECK_EQUAL(requests[1].body, requests[0].body);
}

BOOST_AUTO_TEST_CASE(posts_a_transaction_bundle_to_the_base_in_create_mode) {
  StubFhirServer server(serverContext());
  FhirHttpDestination destination(configFor(server.baseUrl()));

  DeliveryResult result = deliver(destination, transactionBundleJson());

  BOOST_REQUIRE_MESSAGE(result.status.isOk(), result.status.toString());
  auto requests = server.requests();
  BOOST_REQUIRE_EQUAL(requests.size(), 1u);
  BOOST_CHECK_EQUAL(requests[0].uri, "/fhir");
  BOOST_CHECK_EQUAL(requests[0].body, transactionBundleJson());
}

BOOST_AUTO_TEST_CASE(answers_503_with_retry_after_as_remote_error_and_then_delivers) {
  StubFhirServer server(serverContext());
  StubResponse busy;
  busy.status = 503;
  busy.headers.emplace_back("Retry-After", "120");
  server.queue(busy);
  FhirHttpDestination destination(configFor(server.baseUrl()));

  DeliveryResult first = deliver(destination, patientJson());
  DeliveryResult second = deliver(destination, patientJson());

  BOOST_CHECK(first.status.code() == ErrorCode::RemoteError);
  BOOST_CHECK(first.status.context().find("HTTP 503") != std::string::npos);
  BOOST_CHECK_EQUAL(first.retry_after.count(), 120000);
  BOOST_CHECK_MESSAGE(second.status.isOk(), second.status.toString());
  BOOST_CHECK_EQUAL(second.retry_after.count(), 0);
  BOOST_CHECK_EQUAL(server.requests().size(), 2u);
}

BOOST_AUTO_TEST_CASE(treats_408_and_429_as_retryable) {
  StubFhirServer server(serverContext());
  StubResponse slow;
  slow.status = 408;
  StubResponse throttled;
  throttled.status = 429;
  throttled.headers.emplace_back("Retry-After", "7");
  server.queue(slow);
  server.queue(throttled);
  FhirHttpDestination destination(configFor(server.baseUrl()));

  DeliveryResult first = deliver(destination, patientJson());
  DeliveryResult second = deliver(destination, patientJson());

  BOOST_CHECK(first.status.code() == ErrorCode::RemoteError);
  BOOST_CHECK(second.status.code() == ErrorCode::RemoteError);
  BOOST_CHECK_EQUAL(second.retry_after.count(), 7000);
}

BOOST_AUTO_TEST_CASE(rejects_permanently_on_400_keeping_the_operation_outcome) {
  StubFhirServer server(serverContext());
  StubResponse invalid;
  invalid.status = 400;
  invalid.body = kOutcome400;
  server.queue(invalid);
  FhirHttpDestination destination(configFor(server.baseUrl()));

  DeliveryResult result = deliver(destination, patientJson());

  BOOST_CHECK(result.status.code() == ErrorCode::RemoteRejected);
  BOOST_CHECK_EQUAL(result.response, kOutcome400);
  BOOST_CHECK(result.status.context().find("HTTP 400") != std::string::npos);
  BOOST_CHECK(result.status.context().find("POST Patient") != std::string::npos);
  BOOST_CHECK(result.status.context().find("SERVERDIAGNOSTIC") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(rejects_an_hl7v2_payload_as_needing_a_mapping) {
  StubFhirServer server(serverContext());
  FhirHttpDestination destination(configFor(server.baseUrl()));

  DeliveryResult result = deliver(
      destination, "MSH|^~\\&|A|B|C|D|20240101||ADT^A01|1|P|2.5\rPID|1||1||TESTPATIENT^ALPHA\r");

  BOOST_CHECK(result.status.code() == ErrorCode::RemoteRejected);
  BOOST_CHECK(result.status.context().find("needs a mapping to FHIR") != std::string::npos);
  BOOST_CHECK(server.requests().empty());
}

BOOST_AUTO_TEST_CASE(sends_the_configured_bearer_token) {
  StubFhirServer server(serverContext());
  DestinationConfig config = configFor(server.baseUrl());
  config.auth.kind = AuthConfig::Kind::BearerToken;
  config.auth.bearer_token = "static-token.1";
  FhirHttpDestination destination(config);

  DeliveryResult result = deliver(destination, patientJson());

  BOOST_REQUIRE(result.status.isOk());
  BOOST_CHECK_EQUAL(server.requests().at(0).header("Authorization"), "Bearer static-token.1");
}

BOOST_AUTO_TEST_CASE(sends_the_token_from_bearer_token_file_and_rereads_it_when_it_changes) {
  TempDir dir;
  auto token_file = dir.path() / "token";
  ferry::testing::writeFile(token_file, "file-token-1\n");
  StubFhirServer server(serverContext());
  DestinationConfig config = configFor(server.baseUrl());
  config.auth.kind = AuthConfig::Kind::BearerTokenFile;
  config.auth.bearer_token_file = token_file.string();
  FhirHttpDestination destination(config);

  DeliveryResult first = deliver(destination, patientJson());
  auto written = std::filesystem::last_write_time(token_file);
  ferry::testing::writeFile(token_file, "file-token-2\n");
  // Set explicitly: two writes within one clock tick of the file system share a time.
  std::filesystem::last_write_time(token_file, written + std::chrono::seconds(1));
  DeliveryResult second = deliver(destination, patientJson());

  BOOST_REQUIRE(first.status.isOk());
  BOOST_REQUIRE(second.status.isOk());
  auto requests = server.requests();
  BOOST_REQUIRE_EQUAL(requests.size(), 2u);
  BOOST_CHECK_EQUAL(requests[0].header("Authorization"), "Bearer file-token-1");
  BOOST_CHECK_EQUAL(requests[1].header("Authorization"), "Bearer file-token-2");
}

BOOST_AUTO_TEST_CASE(does_not_resend_after_401_when_the_token_file_is_unchanged) {
  TempDir dir;
  auto token_file = dir.path() / "token";
  ferry::testing::writeFile(token_file, "file-token-1\n");
  StubFhirServer server(serverContext());
  StubResponse refused;
  refused.status = 401;
  server.queue(refused);
  DestinationConfig config = configFor(server.baseUrl());
  config.auth.kind = AuthConfig::Kind::BearerTokenFile;
  config.auth.bearer_token_file = token_file.string();
  FhirHttpDestination destination(config);

  DeliveryResult result = deliver(destination, patientJson());

  BOOST_CHECK(result.status.code() == ErrorCode::RemoteRejected);
  BOOST_CHECK_EQUAL(server.requests().size(), 1u);
}

BOOST_AUTO_TEST_CASE(fetches_an_oauth2_token_once_and_reuses_it) {
  StubFhirServer server(serverContext());
  server.requireToken(true);
  DestinationConfig config = configFor(server.baseUrl());
  useOAuth2(config, server);
  FhirHttpDestination destination(config);

  DeliveryResult first = deliver(destination, patientJson());
  DeliveryResult second = deliver(destination, patientJson());

  BOOST_REQUIRE_MESSAGE(first.status.isOk(), first.status.toString());
  BOOST_REQUIRE_MESSAGE(second.status.isOk(), second.status.toString());
  BOOST_CHECK_EQUAL(destination.tokenRequests(), 1);
  auto tokens = server.tokenRequests();
  BOOST_REQUIRE_EQUAL(tokens.size(), 1u);
  BOOST_CHECK_EQUAL(tokens[0].method, "POST");
  BOOST_CHECK_EQUAL(tokens[0].header("Content-Type"), "application/x-www-form-urlencoded");
  BOOST_CHECK_EQUAL(tokens[0].body, "grant_type=client_credentials&scope=system%2F*.write");
  // base64("client-1:s3cret")
  BOOST_CHECK_EQUAL(tokens[0].header("Authorization"), "Basic Y2xpZW50LTE6czNjcmV0");
  for (const auto& request : server.requests()) {
    BOOST_CHECK_EQUAL(request.header("Authorization"), "Bearer token-1");
  }
}

BOOST_AUTO_TEST_CASE(sends_oauth2_client_credentials_in_the_body_when_configured) {
  StubFhirServer server(serverContext());
  DestinationConfig config = configFor(server.baseUrl());
  useOAuth2(config, server);
  config.auth.oauth2.scope.clear();
  config.auth.oauth2.client_authentication =
      ferry::connectors::fhir_http::ClientAuthentication::Body;
  FhirHttpDestination destination(config);

  DeliveryResult result = deliver(destination, patientJson());

  BOOST_REQUIRE(result.status.isOk());
  auto tokens = server.tokenRequests();
  BOOST_REQUIRE_EQUAL(tokens.size(), 1u);
  BOOST_CHECK_EQUAL(tokens[0].body,
                    "grant_type=client_credentials&client_id=client-1&client_secret=s3cret");
  BOOST_CHECK(tokens[0].header("Authorization").empty());
}

BOOST_AUTO_TEST_CASE(refreshes_the_oauth2_token_once_after_a_401) {
  StubFhirServer server(serverContext());
  server.requireToken(true);
  DestinationConfig config = configFor(server.baseUrl());
  useOAuth2(config, server);
  FhirHttpDestination destination(config);

  DeliveryResult first = deliver(destination, patientJson());
  server.revokeTokens();
  DeliveryResult second = deliver(destination, patientJson());

  BOOST_REQUIRE(first.status.isOk());
  BOOST_CHECK_MESSAGE(second.status.isOk(), second.status.toString());
  BOOST_CHECK_EQUAL(destination.tokenRequests(), 2);
  auto requests = server.requests();
  BOOST_REQUIRE_EQUAL(requests.size(), 3u);  // accepted, refused, accepted
  BOOST_CHECK_EQUAL(requests[1].header("Authorization"), "Bearer token-1");
  BOOST_CHECK_EQUAL(requests[2].header("Authorization"), "Bearer token-2");
}

BOOST_AUTO_TEST_CASE(rejects_after_a_second_401_without_asking_for_a_third_token) {
  StubFhirServer server(serverContext());
  DestinationConfig config = configFor(server.baseUrl());
  useOAuth2(config, server);
  FhirHttpDestination destination(config);
  StubResponse refused;
  refused.status = 401;
  server.queue(refused);
  server.queue(refused);

  DeliveryResult result = deliver(destination, patientJson());

  BOOST_CHECK(result.status.code() == ErrorCode::RemoteRejected);
  BOOST_CHECK(result.status.context().find("HTTP 401") != std::string::npos);
  BOOST_CHECK_EQUAL(destination.tokenRequests(), 2);
  BOOST_CHECK_EQUAL(server.requests().size(), 2u);
}

BOOST_AUTO_TEST_CASE(fetches_a_new_oauth2_token_shortly_before_it_expires) {
  StubFhirServer server(serverContext());
  server.setTokenLifetime(3600);
  DestinationConfig config = configFor(server.baseUrl());
  useOAuth2(config, server);
  auto clock = std::make_shared<ManualClock>();
  FhirHttpDestination destination(config, [clock] { return clock->now; });

  BOOST_REQUIRE(deliver(destination, patientJson()).status.isOk());
  clock->now += std::chrono::seconds(3500);
  BOOST_REQUIRE(deliver(destination, patientJson()).status.isOk());
  int before_expiry = destination.tokenRequests();
  clock->now += std::chrono::seconds(45);  // 3545 s: within the last minute
  BOOST_REQUIRE(deliver(destination, patientJson()).status.isOk());

  BOOST_CHECK_EQUAL(before_expiry, 1);
  BOOST_CHECK_EQUAL(destination.tokenRequests(), 2);
}

BOOST_AUTO_TEST_CASE(reports_a_refusing_token_endpoint_as_retryable_without_the_secret) {
  StubFhirServer server(serverContext());
  DestinationConfig config = configFor(server.baseUrl());
  useOAuth2(config, server);
  config.auth.oauth2.token_url = server.baseUrl() + "/no-token-here";
  StubResponse refused;
  refused.status = 401;
  server.queue(refused);
  FhirHttpDestination destination(config);

  DeliveryResult result = deliver(destination, patientJson());

  BOOST_CHECK(result.status.code() == ErrorCode::RemoteError);
  BOOST_CHECK(result.status.context().find("token endpoint") != std::string::npos);
  BOOST_CHECK(result.status.context().find("s3cret") == std::string::npos);
  BOOST_CHECK_EQUAL(server.requests().size(), 1u);  // only the token request reached it
}

BOOST_AUTO_TEST_CASE(reuses_one_connection_between_deliveries) {
  StubFhirServer server(serverContext());
  FhirHttpDestination destination(configFor(server.baseUrl()));

  for (int i = 0; i < 3; ++i) {
    DeliveryResult result = deliver(destination, patientJson());
    BOOST_REQUIRE_MESSAGE(result.status.isOk(), result.status.toString());
  }

  BOOST_CHECK_EQUAL(server.connectionsAccepted(), 1);
  BOOST_CHECK(destination.connected());
}

BOOST_AUTO_TEST_CASE(refuses_a_server_whose_certificate_names_another_host) {
  StubFhirServer server(serverContext("wrong"));
  FhirHttpDestination destination(configFor(server.baseUrl()));

  DeliveryResult result = deliver(destination, patientJson());

  BOOST_CHECK(result.status.code() == ErrorCode::ConnectionError);
  BOOST_CHECK(server.requests().empty());
}

BOOST_AUTO_TEST_CASE(accepts_another_host_name_when_verify_host_is_off) {
  StubFhirServer server(serverContext("wrong"));
  DestinationConfig config = configFor(server.baseUrl());
  config.tls.verify_host = false;
  FhirHttpDestination destination(config);

  DeliveryResult result = deliver(destination, patientJson());

  BOOST_CHECK_MESSAGE(result.status.isOk(), result.status.toString());
}

BOOST_AUTO_TEST_CASE(refuses_a_server_certificate_from_an_unknown_ca) {
  StubFhirServer server(serverContext());
  DestinationConfig config = configFor(server.baseUrl());
  config.tls.ca = pki().path("other_ca.pem");
  FhirHttpDestination destination(config);

  DeliveryResult result = deliver(destination, patientJson());

  BOOST_CHECK(result.status.code() == ErrorCode::ConnectionError);
  BOOST_CHECK(server.requests().empty());
}

BOOST_AUTO_TEST_CASE(delivers_over_plain_http_when_marked_insecure) {
  StubFhirServer server;
  FhirHttpDestination destination(configFor(server.baseUrl("http")));

  DeliveryResult result = deliver(destination, patientJson());

  BOOST_CHECK_MESSAGE(result.status.isOk(), result.status.toString());
  BOOST_CHECK_EQUAL(server.requests().size(), 1u);
}

BOOST_AUTO_TEST_CASE(reports_a_refused_connection_as_connection_error) {
  int port = 0;
  {
    Poco::Net::ServerSocket probe(Poco::Net::SocketAddress("127.0.0.1", 0));
    port = probe.address().port();
  }
  FhirHttpDestination destination(configFor("https://127.0.0.1:" + std::to_string(port) + "/fhir"));

  DeliveryResult result = deliver(destination, patientJson());

  BOOST_CHECK(result.status.code() == ErrorCode::ConnectionError);
}

BOOST_AUTO_TEST_CASE(reports_a_server_that_never_answers_as_timeout) {
  // Listens but never accepts: the kernel completes the connection, nobody answers.
  Poco::Net::ServerSocket silent(Poco::Net::SocketAddress("127.0.0.1", 0));
  DestinationConfig config =
      configFor("http://127.0.0.1:" + std::to_string(silent.address().port()) + "/fhir");
  config.response_timeout = std::chrono::milliseconds(200);
  FhirHttpDestination destination(config);

  DeliveryResult result = deliver(destination, patientJson());

  BOOST_CHECK(result.status.code() == ErrorCode::Timeout);
}

BOOST_AUTO_TEST_CASE(returns_shutting_down_after_stop) {
  StubFhirServer server(serverContext());
  FhirHttpDestination destination(configFor(server.baseUrl()));

  destination.stop();
  DeliveryResult result = deliver(destination, patientJson());

  BOOST_CHECK(result.status.code() == ErrorCode::ShuttingDown);
  BOOST_CHECK(server.requests().empty());
}

BOOST_AUTO_TEST_CASE(never_logs_payloads_or_tokens) {
  StubFhirServer server(serverContext());
  server.requireToken(true);
  DestinationConfig config = configFor(server.baseUrl());
  useOAuth2(config, server);
  FhirHttpDestination destination(config);
  CapturedLog log;

  DeliveryResult result = deliver(destination, patientJson());

  BOOST_REQUIRE(result.status.isOk());
  BOOST_CHECK(log.contains("obtained an OAuth2 access token"));
  BOOST_CHECK(!log.contains("token-1"));
  BOOST_CHECK(!log.contains("s3cret"));
  BOOST_CHECK(!log.contains("TESTPATIENT"));
}

BOOST_AUTO_TEST_SUITE_END()
