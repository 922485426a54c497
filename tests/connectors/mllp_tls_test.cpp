#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include <Poco/Net/Context.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <openssl/ssl.h>
#include <boost/test/unit_test.hpp>

#include "connectors/mllp/mllp_listener.h"
#include "connectors/mllp/mllp_sender.h"
#include "connectors/mllp_test_support.h"
#include "connectors/tls_test_support.h"
#include "engine/config/config_node.h"
#include "engine/pipeline/registry.h"
#include "support/test_pki.h"
#include "support/test_support.h"

namespace {

namespace fs = std::filesystem;
using ferry::connectors::mllp::ListenerConfig;
using ferry::connectors::mllp::ListenerTlsConfig;
using ferry::connectors::mllp::MllpListener;
using ferry::connectors::mllp::MllpSender;
using ferry::connectors::mllp::SenderConfig;
using ferry::connectors::mllp::SenderTlsConfig;
using ferry::engine::ErrorCode;
using namespace ferry::testing::mllp;

const ferry::testing::TestPki& pki() { return ferry::testing::testPki(); }

ListenerConfig tlsListenerConfig(bool require_client_certificate) {
  ListenerConfig config;
  config.name = "tls-listener";
  config.port = 0;
  ListenerTlsConfig tls;
  tls.certificate = pki().path("server.pem");
  tls.private_key = pki().path("server.key");
  tls.ca = pki().path("ca.pem");
  tls.require_client_certificate = require_client_certificate;
  config.tls = tls;
  return config;
}

SenderConfig tlsSenderConfig(int port, bool with_client_certificate) {
  SenderConfig config;
  config.name = "tls-sender";
  config.host = "127.0.0.1";
  config.port = port;
  config.connect_timeout = kGuardTimeout;
  config.ack_timeout = kGuardTimeout;
  SenderTlsConfig tls;
  tls.ca = pki().path("ca.pem");
  tls.server_name = "localhost";
  if (with_client_certificate) {
    tls.certificate = pki().path("client.pem");
    tls.private_key = pki().path("client.key");
  }
  config.tls = tls;
  return config;
}

std::unique_ptr<MllpListener> startListener(ListenerConfig config, RecordingSink& sink) {
  auto listener = std::make_unique<MllpListener>(std::move(config), sink);
  auto status = listener->start();
  BOOST_REQUIRE_MESSAGE(status.isOk(), status.toString());
  return listener;
}

ferry::engine::pipeline::DeliveryResult send(MllpSender& sender, const std::string& id) {
  ferry::engine::pipeline::DeliveryContext context;
  context.control_id = id;
  return sender.deliver(makeMessage(id), context);
}

// JSON string literal for a path (no characters needing escapes in temp paths).
std::string quoted(const std::string& path) { return "\"" + path + "\""; }

}  // namespace

BOOST_AUTO_TEST_SUITE(mllp_tls)

BOOST_AUTO_TEST_CASE(exchanges_a_message_with_mutual_certificates) {
  RecordingSink sink;
  auto listener = startListener(tlsListenerConfig(true), sink);
  MllpSender sender(tlsSenderConfig(listener->boundPort(), true));

  auto first = send(sender, "TLS1");
  auto second = send(sender, "TLS2");

  BOOST_CHECK_MESSAGE(first.status.isOk(), first.status.toString());
  BOOST_CHECK_MESSAGE(second.status.isOk(), second.status.toString());
  BOOST_CHECK_EQUAL(msaField(second.response, 2), "TLS2");
  auto received = sink.messages();
  BOOST_REQUIRE_EQUAL(received.size(), 2u);
  BOOST_CHECK_EQUAL(received[0], makeMessage("TLS1"));
}

BOOST_AUTO_TEST_CASE(verifies_the_ip_address_when_no_server_name_is_given) {
  RecordingSink sink;
  auto listener = startListener(tlsListenerConfig(false), sink);
  SenderConfig config = tlsSenderConfig(listener->boundPort(), false);
  config.tls->server_name.clear();
  MllpSender sender(config);

  auto result = send(sender, "IP1");

  BOOST_CHECK_MESSAGE(result.status.isOk(), result.status.toString());
}

BOOST_AUTO_TEST_CASE(refuses_a_server_whose_certificate_names_another_host) {
  RecordingSink sink;
  auto listener = startListener(tlsListenerConfig(false), sink);
  SenderConfig config = tlsSenderConfig(listener->boundPort(), false);
  config.tls->server_name = "mismatch.invalid";
  MllpSender sender(config);

  auto result = send(sender, "HOST1");

  BOOST_CHECK(result.status.code() == ErrorCode::ConnectionError);
  BOOST_CHECK_EQUAL(sink.count(), 0u);
}

BOOST_AUTO_TEST_CASE(accepts_another_host_name_when_verify_host_is_off) {
  RecordingSink sink;
  auto listener = startListener(tlsListenerConfig(false), sink);
  SenderConfig config = tlsSenderConfig(listener->boundPort(), false);
  config.tls->server_name = "mismatch.invalid";
  config.tls->verify_host = false;
  MllpSender sender(config);

  auto result = send(sender, "HOST2");

  BOOST_CHECK_MESSAGE(result.status.isOk(), result.status.toString());
}

BOOST_AUTO_TEST_CASE(refuses_a_server_certificate_from_an_unknown_ca) {
  RecordingSink sink;
  auto listener = startListener(tlsListenerConfig(false), sink);
  SenderConfig config = tlsSenderConfig(listener->boundPort(), false);
  config.tls->ca = pki().path("other_ca.pem");
  MllpSender sender(config);

  auto result = send(sender, "CA1");

  BOOST_CHECK(result.status.code() == ErrorCode::ConnectionError);
  BOOST_CHECK_EQUAL(sink.count(), 0u);
}

BOOST_AUTO_TEST_CASE(refuses_a_client_without_certificate_when_one_is_required) {
  RecordingSink sink;
  auto listener = startListener(tlsListenerConfig(true), sink);
  MllpSender sender(tlsSenderConfig(listener->boundPort(), false));

  auto result = send(sender, "NOCERT1");

  BOOST_CHECK(result.status.code() == ErrorCode::ConnectionError);
  BOOST_CHECK_EQUAL(sink.count(), 0u);
}

BOOST_AUTO_TEST_CASE(accepts_a_client_without_certificate_when_none_is_required) {
  RecordingSink sink;
  auto listener = startListener(tlsListenerConfig(false), sink);
  MllpSender sender(tlsSenderConfig(listener->boundPort(), false));

  auto result = send(sender, "NOCERT2");

  BOOST_CHECK_MESSAGE(result.status.isOk(), result.status.toString());
}

BOOST_AUTO_TEST_CASE(refuses_a_tls_1_1_client) {
  if (!ferry::testing::tls11WorksAgainstPermissiveServer()) {
    BOOST_TEST_MESSAGE("skipped: this OpenSSL build cannot negotiate TLS 1.1 at all");
    return;
  }
  RecordingSink sink;
  auto listener = startListener(tlsListenerConfig(false), sink);

  BOOST_CHECK(!ferry::testing::tlsHandshakeSucceeds(listener->boundPort(),
                                                    ferry::testing::tls11ClientContext()));
  BOOST_CHECK_EQUAL(sink.count(), 0u);
}

BOOST_AUTO_TEST_CASE(contexts_require_tls_1_2_or_newer) {
  ListenerTlsConfig server;
  server.certificate = pki().path("server.pem");
  server.private_key = pki().path("server.key");
  SenderTlsConfig client;
  client.ca = pki().path("ca.pem");

  auto server_context = ferry::connectors::mllp::makeServerContext(server);
  auto client_context = ferry::connectors::mllp::makeClientContext(client, "localhost");

  BOOST_REQUIRE(server_context.isOk());
  BOOST_REQUIRE(client_context.isOk());
  BOOST_CHECK_EQUAL(SSL_CTX_get_min_proto_version(server_context.value()->sslContext()),
                    TLS1_2_VERSION);
  BOOST_CHECK_EQUAL(SSL_CTX_get_min_proto_version(client_context.value()->sslContext()),
                    TLS1_2_VERSION);
}

BOOST_AUTO_TEST_CASE(keeps_the_connection_when_the_server_sends_session_tickets) {
  Poco::Net::Context::Params params;
  params.certificateFile = pki().path("server.pem");
  params.privateKeyFile = pki().path("server.key");
  params.verificationMode = Poco::Net::Context::VERIFY_NONE;
  auto context = Poco::makeAuto<Poco::Net::Context>(Poco::Net::Context::TLS_SERVER_USE, params);
  SSL_CTX_set_num_tickets(context->sslContext(), 2);
  ScriptedServer server(context);
  server.respond = [](const std::string& message) { return makeAck(message, "AA"); };
  MllpSender sender(tlsSenderConfig(server.port(), false));

  for (int i = 0; i < 3; ++i) {
    auto result = send(sender, "TICKET" + std::to_string(i));
    BOOST_CHECK_MESSAGE(result.status.isOk(), result.status.toString());
  }

  BOOST_CHECK_EQUAL(server.connectionsAccepted(), 1);
}

BOOST_AUTO_TEST_CASE(listener_config_reports_unreadable_tls_files_by_path) {
  RecordingSink sink;
  ferry::engine::config::ConfigErrors errors;
  auto document = ferry::engine::config::ConfigNode::parse(
      R"({"sources": [{"name": "in", "type": "mllp", "port": 0,
          "tls": {"certificate": "/nonexistent/ferry/server.pem",
                  "private_key": )" +
          quoted(pki().path("server.key")) + "}}]}",
      "test.json");
  BOOST_REQUIRE(document.isOk());

  auto listener = (*ferry::engine::pipeline::findSourceType("mllp"))(
      document.value().member("sources")->elements().at(0), errors, sink);

  BOOST_CHECK(listener == nullptr);
  BOOST_CHECK(hasError(errors, "/sources/0/tls/certificate", "not a readable file"));
}

BOOST_AUTO_TEST_CASE(listener_config_rejects_a_key_that_does_not_match_the_certificate) {
  RecordingSink sink;
  ferry::engine::config::ConfigErrors errors;
  auto document = ferry::engine::config::ConfigNode::parse(
      R"({"sources": [{"name": "in", "type": "mllp", "port": 0,
          "tls": {"certificate": )" +
          quoted(pki().path("server.pem")) + R"(, "private_key": )" +
          quoted(pki().path("client.key")) + "}}]}",
      "test.json");
  BOOST_REQUIRE(document.isOk());

  auto listener = (*ferry::engine::pipeline::findSourceType("mllp"))(
      document.value().member("sources")->elements().at(0), errors, sink);

  BOOST_CHECK(listener == nullptr);
  BOOST_CHECK(hasError(errors, "/sources/0/tls", "private_key"));
}

BOOST_AUTO_TEST_CASE(listener_config_needs_a_ca_to_require_client_certificates) {
  RecordingSink sink;
  ferry::engine::config::ConfigErrors errors;
  auto document = ferry::engine::config::ConfigNode::parse(
      R"({"sources": [{"name": "in", "type": "mllp", "port": 0, "insecure": true,
          "tls": {"certificate": )" +
          quoted(pki().path("server.pem")) + R"(, "private_key": )" +
          quoted(pki().path("server.key")) + R"(, "require_client_certificate": true}}]})",
      "test.json");
  BOOST_REQUIRE(document.isOk());

  auto listener = (*ferry::engine::pipeline::findSourceType("mllp"))(
      document.value().member("sources")->elements().at(0), errors, sink);

  BOOST_CHECK(listener == nullptr);
  BOOST_CHECK(hasError(errors, "/sources/0/tls/require_client_certificate", "ca"));
  BOOST_CHECK(hasError(errors, "/sources/0/insecure", "contradicts"));
}

BOOST_AUTO_TEST_CASE(listener_config_with_tls_needs_no_insecure_flag) {
  RecordingSink sink;
  ferry::engine::config::ConfigErrors errors;
  auto document = ferry::engine::config::ConfigNode::parse(
      R"({"sources": [{"name": "in", "type": "mllp", "port": 0,
          "tls": {"certificate": )" +
          quoted(pki().path("server.pem")) + R"(, "private_key": )" +
          quoted(pki().path("server.key")) + R"(, "ca": )" + quoted(pki().path("ca.pem")) +
          R"(, "require_client_certificate": true}}]})",
      "test.json");
  BOOST_REQUIRE(document.isOk());

  auto listener = (*ferry::engine::pipeline::findSourceType("mllp"))(
      document.value().member("sources")->elements().at(0), errors, sink);

  BOOST_CHECK_MESSAGE(errors.empty(), errors.format());
  BOOST_CHECK(listener != nullptr);
}

BOOST_AUTO_TEST_CASE(sender_config_reports_unreadable_ca_and_half_a_client_certificate) {
  ferry::engine::config::ConfigErrors errors;
  auto document = ferry::engine::config::ConfigNode::parse(
      R"({"destinations": [{"name": "out", "type": "mllp", "host": "127.0.0.1", "port": 2575,
          "tls": {"ca": "/nonexistent/ferry/ca.pem", "certificate": )" +
          quoted(pki().path("client.pem")) + "}}]}",
      "test.json");
  BOOST_REQUIRE(document.isOk());

  auto sender = (*ferry::engine::pipeline::findDestinationType("mllp"))(
      document.value().member("destinations")->elements().at(0), errors);

  BOOST_CHECK(sender == nullptr);
  BOOST_CHECK(hasError(errors, "/destinations/0/tls/ca", "not a readable file"));
  BOOST_CHECK(hasError(errors, "/destinations/0/tls", "private_key"));
}

BOOST_AUTO_TEST_SUITE_END()
