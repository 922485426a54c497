#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <Poco/Message.h>
#include <boost/test/unit_test.hpp>

#include "connectors/mllp/mllp_listener.h"
#include "connectors/mllp_test_support.h"
#include "engine/config/config_node.h"
#include "engine/pipeline/registry.h"
#include "support/captured_log.h"
#include "support/test_support.h"

namespace {

using ferry::connectors::mllp::AckMode;
using ferry::connectors::mllp::ListenerConfig;
using ferry::connectors::mllp::MllpListener;
using ferry::engine::ErrorCode;
using ferry::testing::waitUntil;
using namespace ferry::testing::mllp;

ListenerConfig plainConfig() {
  ListenerConfig config;
  config.name = "test-listener";
  config.port = 0;
  config.insecure = true;
  return config;
}

std::unique_ptr<MllpListener> startListener(ListenerConfig config, RecordingSink& sink) {
  auto listener = std::make_unique<MllpListener>(std::move(config), sink);
  auto status = listener->start();
  BOOST_REQUIRE_MESSAGE(status.isOk(), status.toString());
  BOOST_REQUIRE_GT(listener->boundPort(), 0);
  return listener;
}

bool connectionRefused(int port) {
  try {
    RawClient probe(port);
    return false;
  } catch (const Poco::Exception&) {
    return true;
  }
}

// Runs the registered "mllp" source factory on the first element of "sources" in `json`.
std::unique_ptr<ferry::engine::pipeline::SourceConnector> fromConfig(
    const std::string& json, ferry::engine::config::ConfigErrors& errors, RecordingSink& sink) {
  auto document = ferry::engine::config::ConfigNode::parse(json, "test.json");
  BOOST_REQUIRE_MESSAGE(document.isOk(), document.status().toString());
  auto sources = document.value().member("sources");
  BOOST_REQUIRE(sources.has_value());
  const auto* factory = ferry::engine::pipeline::findSourceType("mllp");
  BOOST_REQUIRE(factory != nullptr);
  return (*factory)(sources->elements().at(0), errors, sink);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(mllp_listener)

BOOST_AUTO_TEST_CASE(binds_nothing_until_started) {
  RecordingSink sink;
  MllpListener listener(plainConfig(), sink);

  BOOST_CHECK_EQUAL(listener.boundPort(), 0);

  BOOST_REQUIRE(listener.start().isOk());
  BOOST_CHECK_GT(listener.boundPort(), 0);
  listener.stop();
}

BOOST_AUTO_TEST_CASE(answers_frames_split_at_odd_points_in_order) {
  RecordingSink sink;
  auto listener = startListener(plainConfig(), sink);
  RawClient client(listener->boundPort());
  std::string stream = encodeFrame(makeMessage("SPLIT1")) + encodeFrame(makeMessage("SPLIT2")) +
                       encodeFrame(makeMessage("SPLIT3"));

  const std::size_t sizes[] = {1, 2, 3, 5, 7, 11, 13, 17, 19, 23};
  std::size_t offset = 0;
  for (std::size_t i = 0; offset < stream.size(); ++i) {
    std::size_t size = std::min(sizes[i % std::size(sizes)], stream.size() - offset);
    client.send(stream.substr(offset, size));
    offset += size;
  }

  for (const char* id : {"SPLIT1", "SPLIT2", "SPLIT3"}) {
    auto ack = client.readFrame();
    BOOST_REQUIRE(ack.has_value());
    BOOST_CHECK_EQUAL(msaField(*ack, 1), "AA");
    BOOST_CHECK_EQUAL(msaField(*ack, 2), id);
  }
  auto received = sink.messages();
  BOOST_REQUIRE_EQUAL(received.size(), 3u);
  BOOST_CHECK_EQUAL(received[0], makeMessage("SPLIT1"));
  BOOST_CHECK_EQUAL(received[2], makeMessage("SPLIT3"));
}

BOOST_AUTO_TEST_CASE(answers_several_frames_from_one_write_in_order) {
  RecordingSink sink;
  auto listener = startListener(plainConfig(), sink);
  RawClient client(listener->boundPort());
  std::string stream;
  for (int i = 0; i < 5; ++i) {
    stream += encodeFrame(makeMessage("BATCH" + std::to_string(i)));
  }

  client.send("\r\n" + stream);

  for (int i = 0; i < 5; ++i) {
    auto ack = client.readFrame();
    BOOST_REQUIRE(ack.has_value());
    BOOST_CHECK_EQUAL(msaField(*ack, 2), "BATCH" + std::to_string(i));
  }
  BOOST_CHECK_EQUAL(sink.count(), 5u);
}

BOOST_AUTO_TEST_CASE(passes_source_name_and_peer_to_the_sink) {
  RecordingSink sink;
  auto listener = startListener(plainConfig(), sink);
  RawClient client(listener->boundPort());

  client.send(encodeFrame(makeMessage("CTX1")));
  BOOST_REQUIRE(client.readFrame().has_value());

  auto contexts = sink.contexts();
  BOOST_REQUIRE_EQUAL(contexts.size(), 1u);
  BOOST_CHECK_EQUAL(contexts[0].source, "test-listener");
  BOOST_CHECK_EQUAL(contexts[0].peer, client.socket().address().toString());
}

BOOST_AUTO_TEST_CASE(rejects_oversized_frame_with_ar_and_closes_the_connection) {
  RecordingSink sink;
  ListenerConfig config = plainConfig();
  config.max_message_bytes = 1024;
  auto listener = startListener(config, sink);
  RawClient client(listener->boundPort());
  std::string big = makeMessage("HUGE1") + "NTE|1||" + std::string(8000, 'x') + "\r";

  client.send(encodeFrame(big));

  auto ack = client.readFrame();
  BOOST_REQUIRE(ack.has_value());
  BOOST_CHECK_EQUAL(msaField(*ack, 1), "AR");
  BOOST_CHECK_EQUAL(msaField(*ack, 2), "HUGE1");
  BOOST_CHECK(ack->find("\rERR|") != std::string::npos);
  BOOST_CHECK(ack->find("1024") != std::string::npos);
  BOOST_CHECK(client.closedByPeer());
  BOOST_CHECK_EQUAL(sink.count(), 0u);
}

BOOST_AUTO_TEST_CASE(closes_idle_connections) {
  RecordingSink sink;
  ListenerConfig config = plainConfig();
  config.idle_timeout = std::chrono::milliseconds(200);
  auto listener = startListener(config, sink);
  RawClient client(listener->boundPort());

  BOOST_CHECK(client.closedByPeer());
  BOOST_CHECK(waitUntil([&] { return listener->openConnections() == 0; }, kGuardTimeout));
}

// Sends `bytes` one at a time, 40 ms apart, until the listener closes the connection; returns
// how long that took (or `give_up`).
std::chrono::milliseconds dripUntilClosed(RawClient& client, const std::string& bytes,
                                          std::chrono::milliseconds give_up) {
  auto started = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 started);
  };
  try {
    for (std::size_t index = 0; elapsed() < give_up; index = (index + 1) % bytes.size()) {
      client.send(std::string(1, bytes[index]));
      std::this_thread::sleep_for(std::chrono::milliseconds(40));
    }
  } catch (const Poco::Exception&) {
    return elapsed();  // the listener closed the connection; a later write fails
  }
  return elapsed();
}

BOOST_AUTO_TEST_CASE(closes_a_connection_whose_message_trickles_in_past_frame_timeout) {
  RecordingSink sink;
  ListenerConfig config = plainConfig();
  config.idle_timeout = std::chrono::milliseconds(300);
  config.frame_timeout = std::chrono::milliseconds(800);
  auto listener = startListener(config, sink);
  RawClient client(listener->boundPort());

  // Each byte comes well within the idle timeout; only the deadline on the frame stops it.
  client.send("\x0bMSH|^~\\&|");
  auto lasted = dripUntilClosed(client, "PID|1||X\r", std::chrono::seconds(5));

  BOOST_CHECK_GE(lasted.count(), 600);
  BOOST_CHECK_LT(lasted.count(), 3000);
  BOOST_CHECK(sink.messages().empty());
  BOOST_CHECK(waitUntil([&] { return listener->openConnections() == 0; }, kGuardTimeout));
}

BOOST_AUTO_TEST_CASE(bytes_outside_frames_do_not_keep_an_idle_connection_open) {
  RecordingSink sink;
  ListenerConfig config = plainConfig();
  config.idle_timeout = std::chrono::milliseconds(500);
  auto listener = startListener(config, sink);
  RawClient client(listener->boundPort());

  auto lasted = dripUntilClosed(client, "junk\r\n", std::chrono::seconds(5));

  BOOST_CHECK_LT(lasted.count(), 3000);
  BOOST_CHECK(waitUntil([&] { return listener->openConnections() == 0; }, kGuardTimeout));
}

BOOST_AUTO_TEST_CASE(serves_concurrent_connections_independently) {
  constexpr int kClients = 8;
  constexpr int kMessagesEach = 200;
  RecordingSink sink;
  auto listener = startListener(plainConfig(), sink);
  std::atomic<int> acked{0};
  std::atomic<int> wrong{0};

  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      try {
        RawClient client(listener->boundPort());
        for (int m = 0; m < kMessagesEach; ++m) {
          std::string id = "C" + std::to_string(c) + "M" + std::to_string(m);
          client.send(encodeFrame(makeMessage(id)));
          auto ack = client.readFrame();
          if (ack && msaField(*ack, 1) == "AA" && msaField(*ack, 2) == id) {
            ++acked;
          } else {
            ++wrong;
          }
        }
      } catch (const std::exception&) {
        ++wrong;
      }
    });
  }
  for (auto& client : clients) {
    client.join();
  }

  BOOST_CHECK_EQUAL(wrong.load(), 0);
  BOOST_CHECK_EQUAL(acked.load(), kClients * kMessagesEach);
  BOOST_CHECK_EQUAL(sink.count(), static_cast<std::size_t>(kClients * kMessagesEach));
}

BOOST_AUTO_TEST_CASE(stop_lets_a_message_in_the_sink_finish_and_writes_its_ack) {
  RecordingSink sink;
  std::promise<void> entered;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  sink.on_message = [&](const std::string&) {
    entered.set_value();
    released.wait_for(kGuardTimeout);
  };
  auto listener = startListener(plainConfig(), sink);
  int port = listener->boundPort();
  RawClient client(port);
  client.send(encodeFrame(makeMessage("STOP1")));
  BOOST_REQUIRE(entered.get_future().wait_for(kGuardTimeout) == std::future_status::ready);

  std::thread stopper([&] { listener->stop(); });
  // Once the listening socket is closed, stop() is under way.
  bool stopping = waitUntil([&] { return connectionRefused(port); }, kGuardTimeout);
  release.set_value();
  auto ack = client.readFrame();
  stopper.join();

  BOOST_CHECK(stopping);
  BOOST_REQUIRE(ack.has_value());
  BOOST_CHECK_EQUAL(msaField(*ack, 2), "STOP1");
  BOOST_CHECK(client.closedByPeer());
}

BOOST_AUTO_TEST_CASE(exception_in_one_connection_leaves_the_others_served) {
  RecordingSink sink;
  sink.on_message = [](const std::string& message) {
    if (mshField(message, 10) == "BOOM") {
      throw std::runtime_error("sink failure");
    }
  };
  auto listener = startListener(plainConfig(), sink);
  RawClient failing(listener->boundPort());
  RawClient healthy(listener->boundPort());

  failing.send(encodeFrame(makeMessage("BOOM")));
  BOOST_CHECK(failing.closedByPeer());
  healthy.send(encodeFrame(makeMessage("FINE")));
  auto ack = healthy.readFrame();

  BOOST_REQUIRE(ack.has_value());
  BOOST_CHECK_EQUAL(msaField(*ack, 2), "FINE");
  RawClient later(listener->boundPort());
  later.send(encodeFrame(makeMessage("LATER")));
  BOOST_CHECK(later.readFrame().has_value());
}

BOOST_AUTO_TEST_CASE(serves_a_waiting_client_once_a_connection_slot_frees) {
  RecordingSink sink;
  ListenerConfig config = plainConfig();
  config.max_connections = 1;
  std::atomic<std::size_t> most_open{0};
  std::unique_ptr<MllpListener> listener;
  sink.on_message = [&](const std::string&) {
    most_open.store(std::max(most_open.load(), listener->openConnections()));
  };
  listener = startListener(config, sink);
  auto first = std::make_unique<RawClient>(listener->boundPort());
  first->send(encodeFrame(makeMessage("FIRST")));
  BOOST_REQUIRE(first->readFrame().has_value());

  RawClient second(listener->boundPort());
  second.send(encodeFrame(makeMessage("SECOND")));
  first.reset();
  auto ack = second.readFrame();

  BOOST_REQUIRE(ack.has_value());
  BOOST_CHECK_EQUAL(msaField(*ack, 2), "SECOND");
  BOOST_CHECK_EQUAL(most_open.load(), 1u);
}

BOOST_AUTO_TEST_CASE(closes_the_connection_when_the_sink_returns_no_ack) {
  RecordingSink sink;
  sink.answer = [](const std::string&) { return std::string(); };
  auto listener = startListener(plainConfig(), sink);
  RawClient client(listener->boundPort());

  client.send(encodeFrame(makeMessage("NOACK")));

  BOOST_CHECK(client.closedByPeer());
  BOOST_CHECK_EQUAL(sink.count(), 1u);
}

BOOST_AUTO_TEST_CASE(enhanced_mode_sends_commit_ack_and_application_ack_as_asked) {
  RecordingSink sink;
  ListenerConfig config = plainConfig();
  config.ack_mode = AckMode::Enhanced;
  auto listener = startListener(config, sink);
  RawClient client(listener->boundPort());

  client.send(encodeFrame(makeMessage("ENH1", "AL", "AL")));
  auto commit = client.readFrame();
  auto application = client.readFrame();
  client.send(encodeFrame(makeMessage("ENH2", "AL", "NE")));
  auto commit_only = client.readFrame();
  client.send(encodeFrame(makeMessage("ORIG3")));
  auto original = client.readFrame();

  BOOST_REQUIRE(commit && application && commit_only && original);
  BOOST_CHECK_EQUAL(msaField(*commit, 1), "CA");
  BOOST_CHECK_EQUAL(msaField(*commit, 2), "ENH1");
  BOOST_CHECK_EQUAL(msaField(*application, 1), "AA");
  BOOST_CHECK_EQUAL(msaField(*application, 2), "ENH1");
  BOOST_CHECK_EQUAL(msaField(*commit_only, 1), "CA");
  BOOST_CHECK_EQUAL(msaField(*commit_only, 2), "ENH2");
  BOOST_CHECK_EQUAL(msaField(*original, 1), "AA");
  BOOST_CHECK_EQUAL(msaField(*original, 2), "ORIG3");
}

BOOST_AUTO_TEST_CASE(original_mode_answers_once_even_when_enhanced_mode_is_asked) {
  RecordingSink sink;
  auto listener = startListener(plainConfig(), sink);
  RawClient client(listener->boundPort());

  client.send(encodeFrame(makeMessage("ASK1", "AL", "AL")));
  auto first = client.readFrame();
  client.send(encodeFrame(makeMessage("ASK2")));
  auto second = client.readFrame();

  BOOST_REQUIRE(first && second);
  BOOST_CHECK_EQUAL(msaField(*first, 1), "AA");
  BOOST_CHECK_EQUAL(msaField(*first, 2), "ASK1");
  BOOST_CHECK_EQUAL(msaField(*second, 2), "ASK2");
}

BOOST_AUTO_TEST_CASE(refuses_to_start_plain_listener_not_marked_insecure) {
  RecordingSink sink;
  ListenerConfig config = plainConfig();
  config.insecure = false;
  MllpListener listener(config, sink);

  auto status = listener.start();

  BOOST_CHECK(status.code() == ErrorCode::ConfigError);
  BOOST_CHECK_EQUAL(listener.boundPort(), 0);
}

BOOST_AUTO_TEST_CASE(reports_connection_error_when_the_port_is_taken) {
  RecordingSink sink;
  auto first = startListener(plainConfig(), sink);
  ListenerConfig config = plainConfig();
  config.port = first->boundPort();
  MllpListener second(config, sink);

  auto status = second.start();

  BOOST_CHECK(status.code() == ErrorCode::ConnectionError);
}

BOOST_AUTO_TEST_CASE(logs_a_warning_naming_a_plain_listener_and_its_port) {
  ferry::testing::CapturedLog log("connectors.mllp");
  RecordingSink sink;
  ListenerConfig config = plainConfig();
  config.name = "plain-inbound";

  auto listener = startListener(config, sink);

  bool warned = false;
  for (const auto& [priority, text] : log.entries()) {
    warned = warned || (priority == Poco::Message::PRIO_WARNING &&
                        text.find("plain-inbound") != std::string::npos &&
                        text.find(std::to_string(listener->boundPort())) != std::string::npos &&
                        text.find("insecure") != std::string::npos);
  }
  BOOST_CHECK(warned);
}

BOOST_AUTO_TEST_CASE(config_without_tls_and_not_marked_insecure_is_an_error) {
  RecordingSink sink;
  ferry::engine::config::ConfigErrors errors;

  auto listener =
      fromConfig(R"({"sources": [{"name": "in", "type": "mllp", "port": 2575}]})", errors, sink);

  BOOST_CHECK(listener == nullptr);
  BOOST_CHECK(hasError(errors, "/sources/0", "plain MLLP listener must be marked insecure"));
}

BOOST_AUTO_TEST_CASE(config_with_unknown_key_is_an_error) {
  RecordingSink sink;
  ferry::engine::config::ConfigErrors errors;

  auto listener = fromConfig(
      R"({"sources": [{"name": "in", "type": "mllp", "port": 2575, "insecure": true,
                       "idle_timeout": 5}]})",
      errors, sink);

  BOOST_CHECK(listener == nullptr);
  BOOST_CHECK(hasError(errors, "/sources/0/idle_timeout", "unknown key"));
}

BOOST_AUTO_TEST_CASE(config_reports_bad_values_with_their_paths) {
  RecordingSink sink;
  ferry::engine::config::ConfigErrors errors;

  auto listener = fromConfig(
      R"({"sources": [{"name": "in", "type": "mllp", "port": 70000, "insecure": true,
                       "ack_mode": "fancy", "max_connections": 0}]})",
      errors, sink);

  BOOST_CHECK(listener == nullptr);
  BOOST_CHECK(hasError(errors, "/sources/0/port", ""));
  BOOST_CHECK(hasError(errors, "/sources/0/ack_mode", "original"));
  BOOST_CHECK(hasError(errors, "/sources/0/max_connections", ""));
}

BOOST_AUTO_TEST_CASE(config_builds_an_unbound_listener_with_defaults) {
  RecordingSink sink;
  ferry::engine::config::ConfigErrors errors;

  auto connector =
      fromConfig(R"({"sources": [{"name": "in", "type": "mllp", "port": 0, "insecure": true}]})",
                 errors, sink);

  BOOST_REQUIRE_MESSAGE(errors.empty(), errors.format());
  auto* listener = dynamic_cast<MllpListener*>(connector.get());
  BOOST_REQUIRE(listener != nullptr);
  BOOST_CHECK_EQUAL(listener->boundPort(), 0);
  BOOST_CHECK_EQUAL(listener->config().host, "127.0.0.1");
  BOOST_CHECK_EQUAL(listener->config().max_message_bytes, 16u * 1024 * 1024);
  BOOST_CHECK(listener->config().idle_timeout == std::chrono::seconds(300));
  BOOST_CHECK(listener->config().frame_timeout == std::chrono::seconds(60));
  BOOST_CHECK_EQUAL(listener->config().max_connections, 64);
  BOOST_CHECK(listener->config().ack_mode == AckMode::Original);
}

BOOST_AUTO_TEST_SUITE_END()
