// `ferry messages list` and `ferry messages reprocess` through the real binary: a message that a
// destination parked as dead is listed with its last error, requeued while the engine is
// stopped (refused while it runs), and delivered at the next start, with the audit trail
// recording the requeue and still verifying.

#include <boost/test/unit_test.hpp>

#include "integration/engine_process.h"
#include "integration/integration_support.h"
#include "integration/mllp_peer.h"
#include "support/test_support.h"

namespace ferry::testing {
namespace {

using namespace std::chrono_literals;

std::string downstreamWithOneAttempt(int port) {
  return R"({"name": "downstream", "type": "mllp", "host": "127.0.0.1", "port": )" +
         std::to_string(port) +
         R"(, "insecure": true, "ack_timeout_ms": 2000, "retry": {"max_attempts": 1},)"
         R"( "business_associate": {"covered": true, "agreement": "test peer"}})";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cli_messages)

BOOST_AUTO_TEST_CASE(a_dead_message_is_listed_requeued_and_delivered_at_the_next_start) {
  TempDir dir;
  int downstream_port = 0;
  {
    MllpPeer probe;  // a free port with nobody listening yet: every delivery fails
    downstream_port = probe.port();
  }
  auto config = writeEngineConfig(dir.path(), {downstreamWithOneAttempt(downstream_port)});
  auto database = dir.path() / "data" / "ferry.db";
  auto message_file = dir.path() / "message.hl7";
  writeFile(message_file, syntheticAdt("REQUEUE1", "TESTFAMILY", "TESTID0001"));

  std::string message_id;
  {
    EngineProcess engine(config, dir.path());
    BOOST_REQUIRE(engine.waitReady());
    auto sent = runFerry(
        {"send", "--to", "127.0.0.1:" + std::to_string(engine.port("in")), message_file.string()});
    BOOST_REQUIRE_EQUAL(sent.exit_code, 0);
    BOOST_REQUIRE(
        waitUntil([&] { return querySql(database, "SELECT state FROM outbox") == "dead\n"; }, 30s));
    message_id = querySql(database, "SELECT message_id FROM outbox");
    message_id.pop_back();

    // Listing works beside the running engine; reprocessing does not.
    auto listed = runFerry({"messages", "list", "--config", config.string()});
    BOOST_CHECK_EQUAL(listed.exit_code, 0);
    BOOST_CHECK(listed.output.find(message_id) != std::string::npos);
    BOOST_CHECK(listed.output.find("REQUEUE1") != std::string::npos);
    BOOST_CHECK(listed.output.find("connection_error") != std::string::npos);
    BOOST_CHECK(listed.output.find("1 message(s) dead") != std::string::npos);
    BOOST_CHECK(listed.output.find("TESTFAMILY") == std::string::npos);

    auto refused = runFerry({"messages", "reprocess", "--config", config.string(), "--destination",
                             "downstream", "--all-dead"});
    BOOST_CHECK_EQUAL(refused.exit_code, 2);
    BOOST_CHECK(refused.output.find("stop the engine first") != std::string::npos);
    BOOST_CHECK_EQUAL(engine.stop(), 0);
  }

  auto unknown = runFerry({"messages", "reprocess", "--config", config.string(), "--destination",
                           "downstream", "NOSUCHMESSAGE"});
  BOOST_CHECK_EQUAL(unknown.exit_code, 1);
  BOOST_CHECK(unknown.output.find("NOSUCHMESSAGE is not in the store") != std::string::npos);
  BOOST_CHECK(unknown.output.find("delivers them") == std::string::npos);

  auto requeued = runFerry({"messages", "reprocess", "--config", config.string(), "--destination",
                            "downstream", message_id});
  BOOST_CHECK_EQUAL(requeued.exit_code, 0);
  BOOST_CHECK(requeued.output.find("1 message(s) requeued") != std::string::npos);
  BOOST_CHECK_EQUAL(querySql(database, "SELECT state || ' ' || attempts FROM outbox"),
                    "pending 0\n");
  BOOST_CHECK_EQUAL(
      querySql(database, "SELECT count(*) FROM audit WHERE hop = 'requeued' AND message_id = '" +
                             message_id + "'"),
      "1\n");

  MllpPeer downstream(downstream_port);
  {
    EngineProcess engine(config, dir.path());
    BOOST_REQUIRE(engine.waitReady());
    BOOST_REQUIRE(waitUntil([&] { return downstream.count() == 1; }, 30s));
    BOOST_REQUIRE(waitUntil(
        [&] { return querySql(database, "SELECT state FROM outbox") == "delivered\n"; }, 30s));
    BOOST_CHECK_EQUAL(engine.stop(), 0);
  }
  BOOST_CHECK(downstream.received()[0].find("REQUEUE1") != std::string::npos);

  auto verified = runFerry({"audit", "verify", "--config", config.string()});
  BOOST_CHECK_EQUAL(verified.exit_code, 0);
  auto none_dead = runFerry({"messages", "list", "--config", config.string()});
  BOOST_CHECK(none_dead.output.find("0 message(s) dead") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(bad_arguments_are_refused_with_usage) {
  TempDir dir;
  auto config = writeEngineConfig(dir.path(), {downstreamWithOneAttempt(1)});
  BOOST_CHECK_EQUAL(runFerry({"messages"}).exit_code, 2);
  BOOST_CHECK_EQUAL(runFerry({"messages", "list"}).exit_code, 2);
  auto state = runFerry({"messages", "list", "--config", config.string(), "--state", "lost"});
  BOOST_CHECK_EQUAL(state.exit_code, 2);
  BOOST_CHECK(state.output.find("--state must be") != std::string::npos);
  auto both = runFerry({"messages", "reprocess", "--config", config.string(), "--destination",
                        "downstream", "--all-dead", "SOMEID"});
  BOOST_CHECK_EQUAL(both.exit_code, 2);
  // Nothing was ever stored: reprocessing must not create a database.
  auto missing = runFerry({"messages", "reprocess", "--config", config.string(), "--destination",
                           "downstream", "--all-dead"});
  BOOST_CHECK_EQUAL(missing.exit_code, 2);
  BOOST_CHECK(!std::filesystem::exists(dir.path() / "data" / "ferry.db"));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace ferry::testing
