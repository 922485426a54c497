#include <string>

#include <boost/test/unit_test.hpp>

#include "connectors/fhir_http/fhir_http_config.h"
#include "connectors/fhir_http/fhir_http_destination.h"
#include "connectors/fhir_http/fhir_http_listener.h"
#include "connectors/fhir_http_test_support.h"
#include "engine/config/config_node.h"
#include "support/test_support.h"

namespace {

using ferry::connectors::fhir_http::AuthConfig;
using ferry::connectors::fhir_http::DeliveryMode;
using ferry::connectors::fhir_http::FhirHttpDestination;
using ferry::connectors::fhir_http::FhirHttpListener;
using ferry::engine::config::ConfigErrors;
using namespace ferry::testing::fhir_http;

// Errors must name the path under the wrapper object the helpers parse connectors in.
const std::string kAt = "/connector";

}  // namespace

BOOST_AUTO_TEST_SUITE(fhir_http_config)

BOOST_AUTO_TEST_CASE(builds_an_unbound_listener_with_defaults) {
  RecordingFhirSink sink;
  ConfigErrors errors;

  auto source = sourceFromConfig(R"({"name": "in", "type": "fhir_http", "port": 0})", errors, sink);

  BOOST_REQUIRE_MESSAGE(source != nullptr, errors.format());
  auto* listener = dynamic_cast<FhirHttpListener*>(source.get());
  BOOST_REQUIRE(listener != nullptr);
  BOOST_CHECK_EQUAL(listener->boundPort(), 0);
  const auto& config = listener->config();
  BOOST_CHECK_EQUAL(config.host, "127.0.0.1");
  BOOST_CHECK_EQUAL(config.base_path, "/fhir");
  BOOST_CHECK_EQUAL(config.max_body_bytes, std::size_t{16} << 20);
  BOOST_CHECK(!config.insecure);
  BOOST_CHECK(config.tls.certificate.empty());
  BOOST_CHECK_EQUAL(config.tls.dev_directory, "var/tls");
}

BOOST_AUTO_TEST_CASE(listener_config_names_every_problem_with_its_path) {
  RecordingFhirSink sink;
  ConfigErrors errors;

  auto source = sourceFromConfig(R"({"name": "in", "type": "fhir_http", "port": 70000,
      "base_path": "fhir/", "max_body_bytes": 0, "colour": "blue", "insecure": true,
      "tls": {"certificate": "/nonexistent/ferry/server.pem", "dev_directory": "x"}})",
                                 errors, sink);

  BOOST_CHECK(source == nullptr);
  BOOST_CHECK(hasError(errors, kAt + "/port", "between 0 and 65535"));
  BOOST_CHECK(hasError(errors, kAt + "/base_path", "must start with '/'"));
  BOOST_CHECK(hasError(errors, kAt + "/max_body_bytes", "between"));
  BOOST_CHECK(hasError(errors, kAt + "/colour", "unknown key"));
  BOOST_CHECK(hasError(errors, kAt + "/insecure", "contradicts"));
  BOOST_CHECK(hasError(errors, kAt + "/tls", "both \"certificate\" and \"private_key\""));
  BOOST_CHECK(hasError(errors, kAt + "/tls/certificate", "not a readable file"));
  BOOST_CHECK(hasError(errors, kAt + "/tls/dev_directory", "only without"));
}

BOOST_AUTO_TEST_CASE(listener_config_rejects_a_key_that_does_not_match_the_certificate) {
  RecordingFhirSink sink;
  ConfigErrors errors;

  auto source =
      sourceFromConfig(R"({"name": "in", "type": "fhir_http", "port": 0, "tls": {"certificate": )" +
                           quoted(pki().path("server.pem")) + R"(, "private_key": )" +
                           quoted(pki().path("client.key")) + "}}",
                       errors, sink);

  BOOST_CHECK(source == nullptr);
  BOOST_CHECK(hasError(errors, kAt + "/tls", "private_key"));
}

BOOST_AUTO_TEST_CASE(listener_config_needs_a_ca_to_require_client_certificates) {
  RecordingFhirSink sink;
  ConfigErrors errors;

  auto source = sourceFromConfig(
      R"({"name": "in", "type": "fhir_http", "port": 0,
          "tls": {"require_client_certificate": true}})",
      errors, sink);

  BOOST_CHECK(source == nullptr);
  BOOST_CHECK(hasError(errors, kAt + "/tls/require_client_certificate", "ca"));
}

BOOST_AUTO_TEST_CASE(builds_a_destination_from_a_complete_config) {
  ConfigErrors errors;

  auto connector = destinationFromConfig(
      R"({"name": "out", "type": "fhir_http", "base_url": "https://fhir.example.org/r4/",
          "mode": "transaction", "connect_timeout_ms": 1000, "response_timeout_ms": 2000,
          "tls": {"ca": )" +
          quoted(pki().path("ca.pem")) + R"(, "verify_host": true},
          "auth": {"oauth2": {"token_url": "https://auth.example.org/token",
                              "client_id": "ferry", "client_secret": "s3cret",
                              "scope": "system/*.write"}},
          "retry": {"max_attempts": 3}, "ordered": false, "transforms": [],
          "business_associate": {"covered": true, "agreement": "test"}})",
      errors);

  BOOST_REQUIRE_MESSAGE(connector != nullptr, errors.format());
  auto* destination = dynamic_cast<FhirHttpDestination*>(connector.get());
  BOOST_REQUIRE(destination != nullptr);
  const auto& config = destination->config();
  BOOST_CHECK(config.base.https);
  BOOST_CHECK_EQUAL(config.base.host, "fhir.example.org");
  BOOST_CHECK_EQUAL(config.base.port, 443);
  BOOST_CHECK_EQUAL(config.base.path, "/r4");
  BOOST_CHECK(config.mode == DeliveryMode::Transaction);
  BOOST_CHECK(config.auth.kind == AuthConfig::Kind::OAuth2);
  BOOST_CHECK_EQUAL(config.response_timeout.count(), 2000);
  BOOST_CHECK(!destination->connected());
}

BOOST_AUTO_TEST_CASE(destination_config_names_every_problem_with_its_path) {
  ConfigErrors errors;

  auto connector = destinationFromConfig(
      R"({"name": "out", "type": "fhir_http", "base_url": "http://fhir.example.org/r4",
          "mode": "upsert", "colour": "blue",
          "tls": {"ca": "/nonexistent/ferry/ca.pem", "certificate": )" +
          quoted(pki().path("client.pem")) + R"(},
          "auth": {"bearer_token": "abc", "oauth2": {"token_url": "ftp://auth.example.org/token",
                                                     "client_secret": "x"}}})",
      errors);

  BOOST_CHECK(connector == nullptr);
  BOOST_CHECK(hasError(errors, kAt + "/base_url", "insecure"));
  BOOST_CHECK(hasError(errors, kAt + "/mode", "\"create\", \"update\" or \"transaction\""));
  BOOST_CHECK(hasError(errors, kAt + "/colour", "unknown key"));
  BOOST_CHECK(hasError(errors, kAt + "/tls/ca", "not a readable file"));
  BOOST_CHECK(hasError(errors, kAt + "/tls", "both \"certificate\" and \"private_key\""));
  BOOST_CHECK(hasError(errors, kAt + "/auth", "exactly one of"));
  BOOST_CHECK(hasError(errors, kAt + "/auth/oauth2/token_url", "https://"));
  BOOST_CHECK(hasError(errors, kAt + "/auth/oauth2", "client_id"));
}

BOOST_AUTO_TEST_CASE(destination_config_requires_insecure_for_http_and_refuses_it_for_https) {
  ConfigErrors plain_errors;
  ConfigErrors https_errors;

  auto plain = destinationFromConfig(
      R"({"name": "out", "type": "fhir_http", "base_url": "http://127.0.0.1:8080/fhir",
          "insecure": true})",
      plain_errors);
  auto https = destinationFromConfig(
      R"({"name": "out", "type": "fhir_http", "base_url": "https://127.0.0.1/fhir",
          "insecure": true})",
      https_errors);

  BOOST_CHECK_MESSAGE(plain != nullptr, plain_errors.format());
  BOOST_CHECK(https == nullptr);
  BOOST_CHECK(hasError(https_errors, kAt + "/insecure", "contradicts"));
}

BOOST_AUTO_TEST_CASE(destination_config_never_quotes_secrets) {
  ConfigErrors errors;

  auto connector = destinationFromConfig(
      R"({"name": "out", "type": "fhir_http",
          "base_url": "https://user:URLPASSWORD@fhir.example.org/r4",
          "auth": {"bearer_token": "TOKENSECRET with a space\n"}})",
      errors);
  ConfigErrors oauth_errors;
  auto oauth = destinationFromConfig(
      R"({"name": "out", "type": "fhir_http", "base_url": "https://fhir.example.org/r4",
          "auth": {"oauth2": {"token_url": "https://auth.example.org/token", "client_id": "c",
                              "client_secret": "CLIENTSECRET",
                              "client_secret_file": "/nonexistent/ferry/secret"}}})",
      oauth_errors);

  BOOST_CHECK(connector == nullptr);
  BOOST_CHECK(hasError(errors, kAt + "/base_url", "credentials"));
  BOOST_CHECK(hasError(errors, kAt + "/auth/bearer_token", "RFC 6750"));
  BOOST_CHECK(!anyErrorMentions(errors, "URLPASSWORD"));
  BOOST_CHECK(!anyErrorMentions(errors, "TOKENSECRET"));
  BOOST_CHECK(oauth == nullptr);
  BOOST_CHECK(hasError(oauth_errors, kAt + "/auth/oauth2", "exactly one of"));
  BOOST_CHECK(!anyErrorMentions(oauth_errors, "CLIENTSECRET"));
}

BOOST_AUTO_TEST_CASE(destination_config_refuses_a_url_with_query_or_fragment) {
  ConfigErrors errors;

  auto connector = destinationFromConfig(
      R"({"name": "out", "type": "fhir_http", "base_url": "https://fhir.example.org/r4?x=1"})",
      errors);

  BOOST_CHECK(connector == nullptr);
  BOOST_CHECK(hasError(errors, kAt + "/base_url", "query or fragment"));
}

BOOST_AUTO_TEST_SUITE_END()
