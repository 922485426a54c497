#include <memory>
#include <optional>
#include <string>
#include <thread>

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <boost/test/unit_test.hpp>

#include "connectors/mllp/mllp_sender.h"
#include "connectors/mllp_test_support.h"
#include "engine/config/config_node.h"
#include "engine/pipeline/registry.h"
#include "support/test_support.h"

namespace {

using ferry::connectors::mllp::MllpSender;
using ferry::connectors::mllp::SenderConfig;
using ferry::engine::ErrorCode;
using ferry::engine::pipeline::DeliveryContext;
using ferry::engine::pipeline::DeliveryResult;
using namespace ferry::testing::mllp;

SenderConfig plainConfig(int port) {
  SenderConfig config;
  config.name = "test-sender";
  config.host = "127.0.0.1";
  config.port = port;
  config.insecure = true;
  config.connect_timeout = std::chrono::milliseconds(2000);
  config.ack_timeout = kGuardTimeout;
  return config;
}

DeliveryResult send(MllpSender& sender, const std::string& control_id) {
  DeliveryContext context;
  context.message_id = "msg-" + control_id;
  context.control_id = control_id;
  return sender.deliver(makeMessage(control_id), context);
}

// A port on which nothing listens: bound once to learn a free number, then closed.
int closedPort() {
  Poco::Net::ServerSocket socket;
  socket.bind(Poco::Net::SocketAddress("127.0.0.1", 0), true, false);
  int port = socket.address().port();
  socket.close();
  return port;
}

// Accepts one connection on `socket` and answers its first frame with AA.
void serveOneAck(Poco::Net::ServerSocket& socket) {
  if (!socket.poll(ferry::connectors::mllp::toTimespan(kGuardTimeout),
                   Poco::Net::Socket::SELECT_READ)) {
    return;
  }
  Poco::Net::StreamSocket connection = socket.acceptConnection();
  connection.setReceiveTimeout(ferry::connectors::mllp::toTimespan(kGuardTimeout));
  FrameDecoder decoder;
  char buffer[4096];
  while (true) {
    int received = connection.receiveBytes(buffer, sizeof(buffer));
    if (received <= 0) {
      return;
    }
    decoder.feed(std::string_view(buffer, static_cast<std::size_t>(received)));
    if (auto frame = decoder.next()) {
      ferry::connectors::mllp::ScopedSigpipeBlock sigpipe;
      ferry::connectors::mllp::sendAll(connection, encodeFrame(makeAck(frame->bytes, "AA")));
      return;
    }
  }
}

std::unique_ptr<ferry::engine::pipeline::DestinationConnector> fromConfig(
    const std::string& json, ferry::engine::config::ConfigErrors& errors) {
  auto document = ferry::engine::config::ConfigNode::parse(json, "test.json");
  BOOST_REQUIRE_MESSAGE(document.isOk(), document.status().toString());
  auto destinations = document.value().member("destinations");
  BOOST_REQUIRE(destinations.has_value());
  const auto* factory = ferry::engine::pipeline::findDestinationType("mllp");
  BOOST_REQUIRE(factory != nullptr);
  return (*factory)(destinations->elements().at(0), errors);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(mllp_sender)

BOOST_AUTO_TEST_CASE(returns_ok_and_the_reply_when_the_receiver_answers_aa) {
  ScriptedServer server;
  server.respond = [](const std::string& message) { return makeAck(message, "AA"); };
  MllpSender sender(plainConfig(server.port()));

  DeliveryResult result = send(sender, "OK1");

  BOOST_CHECK_MESSAGE(result.status.isOk(), result.status.toString());
  BOOST_CHECK_EQUAL(result.response, makeAck(makeMessage("OK1"), "AA"));
  auto received = server.received();
  BOOST_REQUIRE_EQUAL(received.size(), 1u);
  BOOST_CHECK_EQUAL(received[0], makeMessage("OK1"));
}

BOOST_AUTO_TEST_CASE(returns_ok_for_a_commit_accept) {
  ScriptedServer server;
  server.respond = [](const std::string& message) { return makeAck(message, "CA"); };
  MllpSender sender(plainConfig(server.port()));

  BOOST_CHECK(send(sender, "CA1").status.isOk());
}

BOOST_AUTO_TEST_CASE(maps_ae_to_remote_error) {
  ScriptedServer server;
  server.respond = [](const std::string& message) { return makeAck(message, "AE"); };
  MllpSender sender(plainConfig(server.port()));

  DeliveryResult result = send(sender, "AE1");

  BOOST_CHECK(result.status.code() == ErrorCode::RemoteError);
  BOOST_CHECK_EQUAL(msaField(result.response, 1), "AE");
}

BOOST_AUTO_TEST_CASE(maps_ar_and_cr_to_remote_rejected) {
  ScriptedServer server;
  server.respond = [](const std::string& message) {
    return makeAck(message, mshField(message, 10) == "AR1" ? "AR" : "CR");
  };
  MllpSender sender(plainConfig(server.port()));

  BOOST_CHECK(send(sender, "AR1").status.code() == ErrorCode::RemoteRejected);
  BOOST_CHECK(send(sender, "CR1").status.code() == ErrorCode::RemoteRejected);
}

BOOST_AUTO_TEST_CASE(reports_mismatched_ack_control_id_as_remote_error) {
  ScriptedServer server;
  server.respond = [](const std::string& message) {
    return makeAck(message, "AA", std::string("SOMEONE-ELSE"));
  };
  MllpSender sender(plainConfig(server.port()));

  DeliveryResult result = send(sender, "MINE1");

  BOOST_CHECK(result.status.code() == ErrorCode::RemoteError);
  BOOST_CHECK(result.status.context().find("ack control id mismatch") != std::string::npos);
  BOOST_CHECK(!sender.connected());
}

BOOST_AUTO_TEST_CASE(reports_unparseable_reply_as_remote_error) {
  ScriptedServer server;
  server.respond = [](const std::string&) { return std::string("this is not HL7"); };
  MllpSender sender(plainConfig(server.port()));

  DeliveryResult result = send(sender, "JUNK1");

  BOOST_CHECK(result.status.code() == ErrorCode::RemoteError);
  BOOST_CHECK_EQUAL(result.response, "this is not HL7");
}

BOOST_AUTO_TEST_CASE(times_out_without_an_answer_and_drops_the_connection) {
  ScriptedServer server;
  server.respond = [](const std::string& message) -> std::optional<std::string> {
    if (mshField(message, 10) == "SILENT") {
      return std::nullopt;
    }
    return makeAck(message, "AA");
  };
  SenderConfig config = plainConfig(server.port());
  config.ack_timeout = std::chrono::milliseconds(200);
  MllpSender sender(config);

  DeliveryResult silent = send(sender, "SILENT");
  DeliveryResult next = send(sender, "AFTER");

  BOOST_CHECK(silent.status.code() == ErrorCode::Timeout);
  BOOST_CHECK_MESSAGE(next.status.isOk(), next.status.toString());
  BOOST_CHECK_EQUAL(server.connectionsAccepted(), 2);
}

BOOST_AUTO_TEST_CASE(reports_connection_error_when_nothing_listens) {
  MllpSender sender(plainConfig(closedPort()));

  DeliveryResult result = send(sender, "DOWN1");

  BOOST_CHECK(result.status.code() == ErrorCode::ConnectionError);
  BOOST_CHECK(result.status.context().find("127.0.0.1:") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(keeps_one_connection_open_between_deliveries) {
  ScriptedServer server;
  server.respond = [](const std::string& message) { return makeAck(message, "AA"); };
  MllpSender sender(plainConfig(server.port()));

  for (int i = 0; i < 5; ++i) {
    auto result = send(sender, "KEEP" + std::to_string(i));
    BOOST_CHECK_MESSAGE(result.status.isOk(), result.status.toString());
  }

  BOOST_CHECK_EQUAL(server.connectionsAccepted(), 1);
  BOOST_CHECK(sender.connected());
}

BOOST_AUTO_TEST_CASE(reconnects_after_the_receiver_drops_the_connection) {
  ScriptedServer server;
  server.respond = [](const std::string& message) { return makeAck(message, "AA"); };
  server.close_after_reply.store(true);
  MllpSender sender(plainConfig(server.port()));

  DeliveryResult first = send(sender, "DROP1");
  DeliveryResult second = send(sender, "DROP2");
  DeliveryResult third = send(sender, "DROP3");

  BOOST_CHECK_MESSAGE(first.status.isOk(), first.status.toString());
  BOOST_CHECK_MESSAGE(second.status.isOk(), second.status.toString());
  BOOST_CHECK_MESSAGE(third.status.isOk(), third.status.toString());
  BOOST_CHECK_EQUAL(msaField(third.response, 2), "DROP3");
  BOOST_CHECK_EQUAL(server.connectionsAccepted(), 3);
}

BOOST_AUTO_TEST_CASE(reconnects_once_the_receiver_is_back) {
  int port = closedPort();
  MllpSender sender(plainConfig(port));
  DeliveryResult down = send(sender, "BACK1");

  Poco::Net::ServerSocket socket;
  socket.bind(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port)), true, false);
  socket.listen();
  std::thread answer([&] {
    try {
      serveOneAck(socket);
    } catch (const Poco::Exception&) {
      // The delivery below then fails and the test reports it.
    }
  });
  DeliveryResult up = send(sender, "BACK2");
  answer.join();

  BOOST_CHECK(down.status.code() == ErrorCode::ConnectionError);
  BOOST_CHECK_MESSAGE(up.status.isOk(), up.status.toString());
}

BOOST_AUTO_TEST_CASE(status_context_never_carries_message_content) {
  ScriptedServer server;
  server.respond = [](const std::string& message) { return makeAck(message, "AE"); };
  MllpSender sender(plainConfig(server.port()));

  DeliveryResult result = send(sender, "PHI1");

  BOOST_CHECK(!result.status.isOk());
  BOOST_CHECK(result.status.context().find("TESTPATIENT") == std::string::npos);
  BOOST_CHECK(result.status.context().find("MRN0001") == std::string::npos);
  BOOST_CHECK(result.status.context().find("127.0.0.1:" + std::to_string(server.port())) !=
              std::string::npos);
}

BOOST_AUTO_TEST_CASE(refuses_a_payload_containing_the_end_sequence) {
  ScriptedServer server;
  MllpSender sender(plainConfig(server.port()));

  DeliveryResult result = sender.deliver(makeMessage("EOS1") + "\x1c\x0d", DeliveryContext{});

  BOOST_CHECK(result.status.code() == ErrorCode::InvalidMessage);
  BOOST_CHECK_EQUAL(server.connectionsAccepted(), 0);
}

BOOST_AUTO_TEST_CASE(stop_makes_later_deliveries_fail_with_shutting_down) {
  ScriptedServer server;
  server.respond = [](const std::string& message) { return makeAck(message, "AA"); };
  MllpSender sender(plainConfig(server.port()));
  BOOST_REQUIRE(send(sender, "BEFORE").status.isOk());

  sender.stop();
  DeliveryResult result = send(sender, "AFTER");

  BOOST_CHECK(result.status.code() == ErrorCode::ShuttingDown);
  BOOST_CHECK(!sender.connected());
}

BOOST_AUTO_TEST_CASE(stop_interrupts_a_delivery_waiting_for_its_ack) {
  ScriptedServer server;
  server.respond = [](const std::string&) { return std::optional<std::string>(); };
  MllpSender sender(plainConfig(server.port()));

  std::thread stopper([&] {
    ferry::testing::waitUntil([&] { return !server.received().empty(); }, kGuardTimeout);
    sender.stop();
  });
  DeliveryResult result = send(sender, "WAITING");
  stopper.join();

  BOOST_CHECK(result.status.code() == ErrorCode::ShuttingDown);
}

BOOST_AUTO_TEST_CASE(config_without_tls_and_not_marked_insecure_is_an_error) {
  ferry::engine::config::ConfigErrors errors;

  auto sender = fromConfig(
      R"({"destinations": [{"name": "out", "type": "mllp", "host": "127.0.0.1", "port": 2575}]})",
      errors);

  BOOST_CHECK(sender == nullptr);
  BOOST_CHECK(hasError(errors, "/destinations/0", "must be marked insecure"));
}

BOOST_AUTO_TEST_CASE(config_lets_engine_keys_through_and_rejects_unknown_ones) {
  ferry::engine::config::ConfigErrors errors;

  auto sender = fromConfig(
      R"({"destinations": [{"name": "out", "type": "mllp", "host": "127.0.0.1", "port": 2575,
          "insecure": true, "retry": {}, "ordered": true, "transforms": [],
          "business_associate": {}, "route": "z"}]})",
      errors);

  BOOST_CHECK(sender == nullptr);
  BOOST_CHECK_EQUAL(errors.all().size(), 1u);
  BOOST_CHECK(hasError(errors, "/destinations/0/route", "unknown key"));
}

BOOST_AUTO_TEST_CASE(config_builds_a_sender_with_defaults) {
  ferry::engine::config::ConfigErrors errors;

  auto connector = fromConfig(
      R"({"destinations": [{"name": "out", "type": "mllp", "host": "127.0.0.1", "port": 2575,
          "insecure": true}]})",
      errors);

  BOOST_REQUIRE_MESSAGE(errors.empty(), errors.format());
  auto* sender = dynamic_cast<MllpSender*>(connector.get());
  BOOST_REQUIRE(sender != nullptr);
  BOOST_CHECK(sender->config().connect_timeout == std::chrono::milliseconds(5000));
  BOOST_CHECK(sender->config().ack_timeout == std::chrono::milliseconds(30000));
  BOOST_CHECK(!sender->connected());
}

BOOST_AUTO_TEST_SUITE_END()
