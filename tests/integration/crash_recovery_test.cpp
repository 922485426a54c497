// Promise 1 of DESIGN.md: an AA means the message is on disk. Under load, kill -9 the engine,
// restart it, and every message that got an AA must still be delivered (duplicates allowed).

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "engine/hl7/message.h"
#include "integration/engine_process.h"
#include "integration/integration_support.h"
#include "integration/mllp_peer.h"
#include "support/test_support.h"

namespace ferry::testing {
namespace {

using namespace std::chrono_literals;

std::set<std::string> controlIdsIn(const std::vector<std::string>& messages) {
  std::set<std::string> ids;
  for (const auto& message : messages) {
    auto parsed = engine::hl7::Message::parse(message);
    if (parsed.isOk()) {
      ids.insert(parsed.value().controlId());
    }
  }
  return ids;
}

std::vector<std::string> deliveredFiles(const std::filesystem::path& dir) {
  std::vector<std::string> contents;
  if (std::filesystem::exists(dir)) {
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      if (entry.path().filename().string()[0] != '.') {
        contents.push_back(readFile(entry.path()));
      }
    }
  }
  return contents;
}

bool includesAll(const std::set<std::string>& have, const std::set<std::string>& want) {
  return std::includes(have.begin(), have.end(), want.begin(), want.end());
}

}  // namespace

BOOST_AUTO_TEST_SUITE(crash_recovery)

BOOST_AUTO_TEST_CASE(every_acknowledged_message_is_delivered_after_kill_9_and_restart) {
  TempDir dir;
  int downstream_port = 0;
  {
    MllpPeer probe;  // a free port; the downstream system is down until after the crash
    downstream_port = probe.port();
  }
  auto config = writeEngineConfig(
      dir.path(),
      {R"({"name": "archive", "type": "file", "directory": ")" + (dir.path() / "out").string() +
           R"(", "business_associate": {"covered": true, "agreement": "own"}})",
       R"({"name": "downstream", "type": "mllp", "host": "127.0.0.1", "port": )" +
           std::to_string(downstream_port) +
           R"(, "insecure": true, "retry": {"max_attempts": 1000, "initial_backoff_ms": 20,)" +
           R"( "max_backoff_ms": 100},)"
           R"( "business_associate": {"covered": true, "agreement": "test peer"}})"});

  std::set<std::string> acknowledged;
  {
    EngineProcess engine(config, dir.path());
    BOOST_REQUIRE(engine.waitReady());
    int port = engine.port("in");

    std::mutex mutex;
    std::atomic<bool> crashed{false};
    std::vector<std::thread> senders;
    for (int sender = 0; sender < 4; ++sender) {
      senders.emplace_back([&, sender] {
        for (int index = 0; !crashed; ++index) {
          std::string id = "C" + std::to_string(sender) + "-" + std::to_string(index);
          std::string ack = MllpPeer::sendOne(port, syntheticAdt(id, "CRASHTEST", "CRASHID1"));
          if (ack.find("MSA|AA|" + id + "|") != std::string::npos ||
              ack.find("MSA|AA|" + id + "\r") != std::string::npos) {
            std::lock_guard lock(mutex);
            acknowledged.insert(id);
          }
        }
      });
    }
    waitUntil(
        [&] {
          std::lock_guard lock(mutex);
          return acknowledged.size() >= 1500;
        },
        60s);
    engine.kill9();
    crashed = true;
    for (auto& thread : senders) {
      thread.join();
    }
  }
  BOOST_TEST_MESSAGE(acknowledged.size() << " messages acknowledged before kill -9");
  BOOST_REQUIRE_GE(acknowledged.size(), 100u);

  MllpPeer downstream(downstream_port);
  EngineProcess restarted(config, dir.path());
  BOOST_REQUIRE(restarted.waitReady());
  bool all_delivered = waitUntil(
      [&] {
        return includesAll(controlIdsIn(deliveredFiles(dir.path() / "out")), acknowledged) &&
               includesAll(controlIdsIn(downstream.received()), acknowledged);
      },
      120s);
  BOOST_CHECK_EQUAL(restarted.stop(), 0);
  BOOST_CHECK_MESSAGE(all_delivered, "an acknowledged message was lost");

  auto in_files = controlIdsIn(deliveredFiles(dir.path() / "out"));
  auto downstream_ids = controlIdsIn(downstream.received());
  for (const auto& id : acknowledged) {
    BOOST_CHECK_MESSAGE(in_files.contains(id), "not delivered to file: " + id);
    BOOST_CHECK_MESSAGE(downstream_ids.contains(id), "not delivered downstream: " + id);
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace ferry::testing
