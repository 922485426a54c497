#include "engine/pipeline/ingest_tally.h"

#include <boost/test/unit_test.hpp>

#include "engine/ingest_fixture.h"
#include "support/captured_log.h"

namespace ferry::testing {
namespace {

using engine::pipeline::IngestTally;
using Priority = Poco::Message::Priority;

std::vector<std::string> linesAt(CapturedLog& log, Priority priority) {
  std::vector<std::string> lines;
  for (const auto& [level, text] : log.entries()) {
    if (level == priority) {
      lines.push_back(text);
    }
  }
  return lines;
}

const std::string kAdt =
    "MSH|^~\\&|SENDAPP|SENDFAC|RECVAPP|RECVFAC|20260101120000||ADT^A01^ADT_A01|TALLY01|P|2.5.1\r"
    "PID|1||TALLYMRN^^^AUTH^MR||TALLYFAMILY^GIVEN||19800101|M\r";

}  // namespace

BOOST_AUTO_TEST_SUITE(ingest_tally)

BOOST_AUTO_TEST_CASE(logs_nothing_until_the_interval_has_passed_then_the_counts_per_source) {
  CapturedLog log("engine.ingest");
  IngestTally tally(std::chrono::seconds(3600));

  tally.note("adt-in", true);
  tally.note("adt-in", true);
  tally.note("adt-in", false);
  tally.note("lab-in", true);
  BOOST_CHECK(log.entries().empty());

  tally.flush();
  auto lines = linesAt(log, Poco::Message::PRIO_INFORMATION);
  BOOST_REQUIRE_EQUAL(lines.size(), 2u);
  BOOST_CHECK(lines[0].starts_with("source 'adt-in': 2 message(s) accepted, 1 rejected in the"));
  BOOST_CHECK(lines[1].starts_with("source 'lab-in': 1 message(s) accepted, 0 rejected in the"));

  tally.flush();  // nothing new: no line
  BOOST_CHECK_EQUAL(log.entries().size(), 2u);
}

BOOST_AUTO_TEST_CASE(a_zero_interval_logs_at_every_message) {
  CapturedLog log("engine.ingest");
  IngestTally tally(std::chrono::seconds(0));

  tally.note("adt-in", true);
  tally.note("adt-in", false);

  auto lines = linesAt(log, Poco::Message::PRIO_INFORMATION);
  BOOST_REQUIRE_EQUAL(lines.size(), 2u);
  BOOST_CHECK(lines[0].starts_with("source 'adt-in': 1 message(s) accepted, 0 rejected"));
  BOOST_CHECK(lines[1].starts_with("source 'adt-in': 0 message(s) accepted, 1 rejected"));
}

BOOST_AUTO_TEST_CASE(an_accepted_message_is_a_debug_line_and_counts_in_the_summary) {
  IngestFixture fixture;
  CapturedLog log("engine.ingest");

  auto outcome = fixture.ingest->ingest(kAdt, {"adt-in", "127.0.0.1:1"});
  BOOST_REQUIRE(outcome.accepted);

  BOOST_CHECK(linesAt(log, Poco::Message::PRIO_INFORMATION).empty());
  auto debug = linesAt(log, Poco::Message::PRIO_DEBUG);
  BOOST_REQUIRE_EQUAL(debug.size(), 1u);
  BOOST_CHECK(debug[0].find(outcome.message_id) != std::string::npos);
  BOOST_CHECK(debug[0].find("TALLYFAMILY") == std::string::npos);

  fixture.ingest->logIntakeSummary();
  auto summary = linesAt(log, Poco::Message::PRIO_INFORMATION);
  BOOST_REQUIRE_EQUAL(summary.size(), 1u);
  BOOST_CHECK(summary[0].starts_with("source 'adt-in': 1 message(s) accepted, 0 rejected"));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace ferry::testing
