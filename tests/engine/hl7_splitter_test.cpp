#include <boost/test/unit_test.hpp>

#include <string>
#include <string_view>

#include "engine/hl7/message.h"
#include "engine/hl7/message_splitter.h"
#include "support/test_support.h"

namespace hl7 = ferry::engine::hl7;

namespace {

std::string sample(const std::string& name) {
  return ferry::testing::readFile(ferry::testing::testDataDir() / "hl7" / name);
}

std::string reassemble(const hl7::SplitResult& result) {
  std::string bytes;
  for (const hl7::FilePart& part : result.parts) {
    bytes += part.bytes;
  }
  return bytes;
}

std::size_t countIssues(const hl7::SplitResult& result, hl7::SplitSeverity severity) {
  std::size_t count = 0;
  for (const hl7::SplitIssue& issue : result.issues) {
    count += issue.severity == severity ? 1 : 0;
  }
  return count;
}

const std::string kFirst = "MSH|^~\\&|A|B|C|D|1||ADT^A01|FIRST|P|2.5\rPID|1||ID1\r";
const std::string kSecond = "MSH|^~\\&|A|B|C|D|1||ADT^A01|SECOND|P|2.5\rPID|1||ID2\r";

}  // namespace

BOOST_AUTO_TEST_SUITE(hl7_splitter)

BOOST_AUTO_TEST_CASE(splits_concatenated_messages_at_each_msh) {
  const std::string file = kFirst + kSecond;

  hl7::SplitResult result = hl7::splitMessages(file);

  BOOST_REQUIRE_EQUAL(result.messages().size(), 2u);
  BOOST_CHECK(result.messages()[0] == kFirst);
  BOOST_CHECK(result.messages()[1] == kSecond);
  BOOST_CHECK_EQUAL(result.parts[1].line, 3u);
  BOOST_CHECK_EQUAL(result.parts[1].offset, kFirst.size());
  BOOST_CHECK(result.issues.empty());
}

BOOST_AUTO_TEST_CASE(msh_inside_a_line_does_not_split) {
  const std::string file = "MSH|^~\\&|A|B|C|D|1||ADT^A01|X|P|2.5\nNTE|1||see MSH|^ text\n";

  hl7::SplitResult result = hl7::splitMessages(file);

  BOOST_CHECK_EQUAL(result.messages().size(), 1u);
}

BOOST_AUTO_TEST_CASE(parts_reassemble_to_the_exact_input) {
  const std::string files[] = {
      sample("batch.hl7"),
      "\xEF\xBB\xBF" + kFirst + "\r\n\r\n" + kSecond + "  ",
      "\n\nstray text\r\n" + kFirst,
      "",
      "no message here",
  };

  for (const std::string& file : files) {
    hl7::SplitResult result = hl7::splitMessages(file);

    BOOST_CHECK(reassemble(result) == file);
  }
}

BOOST_AUTO_TEST_CASE(batch_envelope_segments_are_skipped) {
  const std::string file = sample("batch.hl7");

  hl7::SplitResult result = hl7::splitMessages(file);

  BOOST_REQUIRE_EQUAL(result.messages().size(), 2u);
  auto first = hl7::Message::parse(result.messages()[0]);
  auto second = hl7::Message::parse(result.messages()[1]);
  BOOST_REQUIRE(first.isOk() && second.isOk());
  BOOST_CHECK_EQUAL(first.value().controlId(), "BATCH0001");
  BOOST_CHECK_EQUAL(second.value().controlId(), "BATCH0002");
  BOOST_CHECK_EQUAL(first.value().segmentCount(), 2u);
  BOOST_REQUIRE_EQUAL(result.parts.size(), 6u);
  BOOST_CHECK(result.parts[0].kind == hl7::FilePartKind::Envelope);
  BOOST_CHECK_EQUAL(result.parts[0].segment_id, "FHS");
  BOOST_CHECK_EQUAL(result.parts[5].segment_id, "FTS");
  BOOST_CHECK(result.issues.empty());
}

BOOST_AUTO_TEST_CASE(warns_with_line_number_when_bts_count_disagrees) {
  const std::string file = "BHS|^~\\&|A\r" + kFirst + kSecond + "BTS|3\r";

  hl7::SplitResult result = hl7::splitMessages(file);

  BOOST_CHECK_EQUAL(result.messages().size(), 2u);
  BOOST_REQUIRE_EQUAL(result.issues.size(), 1u);
  BOOST_CHECK(result.issues[0].severity == hl7::SplitSeverity::Warning);
  BOOST_CHECK_EQUAL(result.issues[0].line, 6u);
  BOOST_CHECK_EQUAL(result.issues[0].text,
                    "line 6: BTS-1 (batch message count) gives 3 but the batch opened at line 1 "
                    "holds 2");
  BOOST_CHECK(!result.hasErrors());
}

BOOST_AUTO_TEST_CASE(warns_about_unbalanced_envelopes) {
  const std::string file =
      "FHS|^~\\&\rBHS|^~\\&\r" + kFirst + "BHS|^~\\&\r" + kSecond + "BTS|x\rBTS|1\rFTS|2\r";

  hl7::SplitResult result = hl7::splitMessages(file);

  BOOST_CHECK_EQUAL(result.messages().size(), 2u);
  BOOST_CHECK_EQUAL(countIssues(result, hl7::SplitSeverity::Error), 0u);
  BOOST_REQUIRE_EQUAL(countIssues(result, hl7::SplitSeverity::Warning), 3u);
  BOOST_CHECK_EQUAL(result.issues[0].text,
                    "line 5: BHS while the batch opened at line 2 has no BTS");
  BOOST_CHECK_EQUAL(result.issues[1].text, "line 8: BTS-1 (batch message count) is not a number");
  BOOST_CHECK_EQUAL(result.issues[2].text, "line 9: BTS without a BHS before it");
}

BOOST_AUTO_TEST_CASE(segments_outside_any_message_are_errors) {
  const std::string file = "BHS|^~\\&\rEVN|A04\rPID|1||SECRETID\rBTS|0\r";

  hl7::SplitResult result = hl7::splitMessages(file);

  BOOST_CHECK(result.messages().empty());
  BOOST_CHECK(result.hasErrors());
  BOOST_REQUIRE_EQUAL(result.issues.size(), 2u);
  BOOST_CHECK_EQUAL(result.issues[0].text,
                    "line 2: EVN segment outside any message (no MSH "
                    "before it)");
  BOOST_CHECK_EQUAL(result.issues[1].text, "no MSH segment in the file");
  BOOST_CHECK(reassemble(result) == file);
}

BOOST_AUTO_TEST_CASE(issues_never_quote_content) {
  const std::string file = "secret free text\rBHS|^~\\&\r" + kFirst + "BTS|SECRET\rFTS|1\r";

  hl7::SplitResult result = hl7::splitMessages(file);

  BOOST_REQUIRE(!result.issues.empty());
  for (const hl7::SplitIssue& issue : result.issues) {
    BOOST_CHECK(issue.text.find("SECRET") == std::string::npos);
    BOOST_CHECK(issue.text.find("secret") == std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(leading_bom_and_blank_lines_are_other_parts) {
  const std::string file = "\xEF\xBB\xBF\r\n" + kFirst;

  hl7::SplitResult result = hl7::splitMessages(file);

  BOOST_REQUIRE_EQUAL(result.parts.size(), 3u);
  BOOST_CHECK(result.parts[0].kind == hl7::FilePartKind::Other);
  BOOST_CHECK(result.parts[0].bytes == "\xEF\xBB\xBF");
  BOOST_CHECK(result.parts[1].kind == hl7::FilePartKind::Other);
  BOOST_CHECK(result.parts[2].kind == hl7::FilePartKind::Message);
  BOOST_CHECK_EQUAL(result.parts[2].line, 2u);
  BOOST_CHECK(result.issues.empty());
}

BOOST_AUTO_TEST_CASE(file_without_messages_is_an_error) {
  hl7::SplitResult empty = hl7::splitMessages("");
  hl7::SplitResult blank = hl7::splitMessages("\r\n\r\n");

  BOOST_CHECK(empty.hasErrors());
  BOOST_CHECK(blank.hasErrors());
  BOOST_CHECK(empty.parts.empty());
}

BOOST_AUTO_TEST_CASE(wire_format_ends_every_segment_with_cr) {
  const std::string file = "\xEF\xBB\xBFMSH|^~\\&|A|B|C|D|1||ADT^A01|X|P|2.5\r\nPID|1\r\n\r\n";

  auto wire = hl7::toWireFormat(file);

  BOOST_REQUIRE(wire.isOk());
  BOOST_CHECK(wire.value() == "MSH|^~\\&|A|B|C|D|1||ADT^A01|X|P|2.5\rPID|1\r");
}

BOOST_AUTO_TEST_CASE(wire_format_escapes_wrapped_lines) {
  auto wire = hl7::toWireFormat(sample("oru_r01_wrapped_lf.hl7"));

  BOOST_REQUIRE(wire.isOk());
  BOOST_CHECK(wire.value().find("the sender\\X0A\\wrapped") != std::string::npos);
  BOOST_CHECK(wire.value().find('\n') == std::string::npos);
  auto reparsed = hl7::Message::parse(wire.value());
  BOOST_REQUIRE(reparsed.isOk());
  BOOST_CHECK_EQUAL(reparsed.value().segmentCount(), 5u);
  BOOST_CHECK_EQUAL(*reparsed.value().get("OBX-5").value(),
                    "a long note that the sender\nwrapped onto a second line");
}

BOOST_AUTO_TEST_CASE(wire_format_refuses_unparsable_bytes) {
  auto wire = hl7::toWireFormat("not a message");

  BOOST_CHECK(!wire.isOk());
}

BOOST_AUTO_TEST_SUITE_END()
