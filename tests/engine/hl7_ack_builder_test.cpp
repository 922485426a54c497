#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <random>
#include <string>
#include <string_view>

#include "engine/hl7/ack_builder.h"
#include "engine/hl7/message.h"
#include "support/test_support.h"

namespace hl7 = ferry::engine::hl7;

namespace {

hl7::Message parseOk(std::string_view bytes) {
  auto parsed = hl7::Message::parse(bytes);
  BOOST_REQUIRE_MESSAGE(parsed.isOk(), parsed.status().toString());
  return std::move(parsed).value();
}

std::string value(const hl7::Message& message, std::string_view path) {
  auto got = message.get(path);
  BOOST_REQUIRE_MESSAGE(got.isOk(), got.status().toString());
  return got.value().value_or("");
}

hl7::AckRequest request(std::string code) {
  hl7::AckRequest r;
  r.msa_code = std::move(code);
  r.ack_control_id = "ACK0001";
  r.timestamp = "20240102030405+0000";
  return r;
}

hl7::AckErrorDetail error(std::string segment, std::size_t index, std::size_t field,
                          std::size_t component, std::string code, std::string text) {
  hl7::AckErrorDetail detail;
  detail.location.segment_id = std::move(segment);
  detail.location.segment_index = index;
  detail.location.field = field;
  detail.location.component = component;
  detail.hl7_error_code = std::move(code);
  detail.text = std::move(text);
  return detail;
}

const std::string kOriginal =
    "MSH|^~\\&|SENDAPP^1.2^ISO|SENDFAC|RECVAPP|RECVFAC|20240101||ADT^A01^ADT_A01|CTRL42|T|2.5.1\r"
    "PID|1||ID1\r"
    "OBX|1|ST|A||x\r"
    "OBX|2|ST|B||y\r";

}  // namespace

BOOST_AUTO_TEST_SUITE(hl7_ack_builder)

BOOST_AUTO_TEST_CASE(builds_original_mode_accept_from_the_message_header) {
  hl7::Message original = parseOk(kOriginal);

  std::string ack = hl7::buildAck(original, request("AA"));

  BOOST_CHECK_EQUAL(ack,
                    "MSH|^~\\&|RECVAPP|RECVFAC|SENDAPP^1.2^ISO|SENDFAC|20240102030405+0000||"
                    "ACK^A01^ACK|ACK0001|T|2.5.1\r"
                    "MSA|AA|CTRL42\r");
}

BOOST_AUTO_TEST_CASE(ack_parses_and_swaps_sender_and_receiver) {
  hl7::Message original = parseOk(kOriginal);

  hl7::Message ack = parseOk(hl7::buildAck(original, request("AE")));

  BOOST_CHECK_EQUAL(ack.sendingApplication(), "RECVAPP");
  BOOST_CHECK_EQUAL(ack.sendingFacility(), "RECVFAC");
  BOOST_CHECK_EQUAL(ack.receivingApplication(), "SENDAPP");
  BOOST_CHECK_EQUAL(ack.receivingFacility(), "SENDFAC");
  BOOST_CHECK_EQUAL(ack.messageCode(), "ACK");
  BOOST_CHECK_EQUAL(ack.triggerEvent(), "A01");
  BOOST_CHECK_EQUAL(ack.messageStructure(), "ACK");
  BOOST_CHECK_EQUAL(ack.version(), "2.5.1");
  BOOST_CHECK_EQUAL(ack.processingId(), "T");
  BOOST_CHECK_EQUAL(value(ack, "MSA-1"), "AE");
  BOOST_CHECK_EQUAL(value(ack, "MSA-2"), "CTRL42");
}

BOOST_AUTO_TEST_CASE(err_segments_name_location_code_severity_and_text) {
  hl7::Message original = parseOk(kOriginal);
  hl7::AckRequest r = request("AE");
  r.text = "rejected";
  r.errors.push_back(error("OBX", 4, 5, 2, "102", "OBX-5: not a number"));
  r.errors.push_back(error("", 0, 0, 0, "207", "internal"));
  r.errors.back().severity = "W";

  hl7::Message ack = parseOk(hl7::buildAck(original, r));

  BOOST_CHECK_EQUAL(value(ack, "MSA-3"), "rejected");
  BOOST_CHECK_EQUAL(value(ack, "ERR-2"), "OBX^2^5^^2");
  BOOST_CHECK_EQUAL(value(ack, "ERR-3"), "102^Data type error^HL70357");
  BOOST_CHECK_EQUAL(value(ack, "ERR-4"), "E");
  BOOST_CHECK_EQUAL(value(ack, "ERR-8"), "OBX-5: not a number");
  BOOST_CHECK(value(ack, "ERR-1").empty());
  BOOST_CHECK(value(ack, "ERR[2]-2").empty());
  BOOST_CHECK_EQUAL(value(ack, "ERR[2]-3.1"), "207");
  BOOST_CHECK_EQUAL(value(ack, "ERR[2]-4"), "W");
}

BOOST_AUTO_TEST_CASE(legacy_versions_also_get_err_1) {
  std::string legacy = kOriginal;
  legacy.replace(legacy.find("2.5.1"), 5, "2.3");
  hl7::Message original = parseOk(legacy);
  hl7::AckRequest r = request("AE");
  r.errors.push_back(error("PID", 2, 3, 0, "101", "PID-3: required field missing"));

  hl7::Message ack = parseOk(hl7::buildAck(original, r));

  BOOST_CHECK_EQUAL(value(ack, "ERR-1"), "PID^1^3^101&Required field missing&HL70357");
  BOOST_CHECK_EQUAL(value(ack, "ERR-2"), "PID^1^3");
}

BOOST_AUTO_TEST_CASE(keeps_the_original_delimiters) {
  hl7::Message original =
      parseOk("MSH^~|\\&^SEND^FAC^RECV^RFAC^20240101^^ADT~A24^C9^T^2.4\r\nPID^1\r\n");
  hl7::AckRequest r = request("AR");
  r.errors.push_back(error("PID", 2, 3, 0, "101", "missing"));

  std::string ack = hl7::buildAck(original, r);

  BOOST_CHECK(ack.rfind("MSH^~|\\&^RECV^RFAC^SEND^FAC^", 0) == 0);
  hl7::Message parsed = parseOk(ack);
  BOOST_CHECK_EQUAL(parsed.triggerEvent(), "A24");
  BOOST_CHECK_EQUAL(value(parsed, "MSA-2"), "C9");
  BOOST_CHECK_EQUAL(value(parsed, "ERR-2"), "PID~1~3");
}

BOOST_AUTO_TEST_CASE(own_text_is_escaped_and_kept_to_one_line) {
  hl7::Message original = parseOk(kOriginal);
  hl7::AckRequest r = request("AE");
  r.text = "a|b^c\rd";
  r.errors.push_back(error("PID", 2, 3, 0, "101", "x~y\nz"));

  hl7::Message ack = parseOk(hl7::buildAck(original, r));

  BOOST_CHECK_EQUAL(ack.segmentCount(), 3u);
  BOOST_CHECK_EQUAL(value(ack, "MSA-3"), "a|b^c d");
  BOOST_CHECK_EQUAL(value(ack, "ERR-8"), "x~y z");
}

BOOST_AUTO_TEST_CASE(wrapped_control_id_does_not_break_the_ack) {
  hl7::Message original = parseOk("MSH|^~\\&|A|B|C|D|1||MDM^T04|{AB-\nCD}|P|2.3\nPID|1\n");

  hl7::Message ack = parseOk(hl7::buildAck(original, request("AA")));

  BOOST_CHECK_EQUAL(ack.segmentCount(), 2u);
  BOOST_CHECK_EQUAL(value(ack, "MSA-2"), "{AB-\nCD}");
}

BOOST_AUTO_TEST_CASE(copies_character_set_and_empty_timestamp_gets_the_current_time) {
  hl7::Message original = parseOk("MSH|^~\\&|A|B|C|D|1||ADT^A01|X|P|2.5||||||8859/1\rPID|1\r");
  hl7::AckRequest r = request("AA");
  r.timestamp.clear();

  hl7::Message ack = parseOk(hl7::buildAck(original, r));

  BOOST_CHECK_EQUAL(ack.charset(), "8859/1");
  BOOST_CHECK_EQUAL(value(ack, "MSH-7").size(), 19u);
}

BOOST_AUTO_TEST_CASE(enhanced_mode_commit_codes) {
  hl7::Message original = parseOk(kOriginal);
  hl7::Message enhanced = parseOk("MSH|^~\\&|A|B|C|D|1||ADT^A01|X|P|2.5|||AL|ER\rPID|1\r");

  hl7::Message ack =
      parseOk(hl7::buildAck(original, request(std::string(hl7::commitCodeFor("AA")))));

  BOOST_CHECK_EQUAL(value(ack, "MSA-1"), "CA");
  BOOST_CHECK_EQUAL(hl7::commitCodeFor("AE"), "CE");
  BOOST_CHECK_EQUAL(hl7::commitCodeFor("AR"), "CR");
  BOOST_CHECK(hl7::ackModeOf(original) == hl7::AckMode::Original);
  BOOST_CHECK(hl7::ackModeOf(enhanced) == hl7::AckMode::Enhanced);
  BOOST_CHECK(hl7::ackWanted("AL", true) && hl7::ackWanted("", false));
  BOOST_CHECK(!hl7::ackWanted("NE", true) && !hl7::ackWanted("NE", false));
  BOOST_CHECK(hl7::ackWanted("ER", false) && !hl7::ackWanted("ER", true));
  BOOST_CHECK(hl7::ackWanted("SU", true) && !hl7::ackWanted("SU", false));
}

BOOST_AUTO_TEST_CASE(unparsed_bytes_with_a_readable_header_get_its_values) {
  const std::string raw =
      "MSH|^~\\&|SENDAPP|SENDFAC|RECVAPP|RECVFAC|20240101||ADT^A01|CTRL9|P|2.5||||||UNICODE "
      "UTF-8\rPID|1||\xFF\r";
  hl7::AckRequest r = request("AR");
  r.errors.push_back(error("PID", 2, 3, 0, "102", "invalid UTF-8"));

  hl7::Message ack = parseOk(hl7::buildAckForUnparsed(raw, r));

  BOOST_CHECK_EQUAL(value(ack, "MSA-1"), "AR");
  BOOST_CHECK_EQUAL(value(ack, "MSA-2"), "CTRL9");
  BOOST_CHECK_EQUAL(ack.receivingApplication(), "SENDAPP");
  BOOST_CHECK_EQUAL(ack.triggerEvent(), "A01");
  BOOST_CHECK_EQUAL(value(ack, "ERR-2"), "PID^1^3");
}

BOOST_AUTO_TEST_CASE(unparsed_bytes_with_broken_delimiters_recover_the_control_id) {
  const std::string raw = "\x01\x02MSH|^A|SEND|FAC|RECV|RFAC|20240101||ADT^A01|CTRL^7|P|2.4^x\r";

  hl7::Message ack = parseOk(hl7::buildAckForUnparsed(raw, request("AR")));

  BOOST_CHECK_EQUAL(value(ack, "MSA-2"), "CTRL^7");
  BOOST_CHECK_EQUAL(ack.receivingApplication(), "SEND");
  BOOST_CHECK_EQUAL(ack.version(), "2.4");
  BOOST_CHECK(ack.delimiters().component == '^');
}

BOOST_AUTO_TEST_CASE(bytes_without_msh_get_a_default_reject) {
  hl7::Message ack = parseOk(hl7::buildAckForUnparsed("garbage", request("AR")));

  BOOST_CHECK_EQUAL(value(ack, "MSA-1"), "AR");
  BOOST_CHECK(value(ack, "MSA-2").empty());
  BOOST_CHECK_EQUAL(ack.version(), "2.5.1");
  BOOST_CHECK_EQUAL(ack.processingId(), "P");
  BOOST_CHECK_EQUAL(ack.messageCode(), "ACK");
}

BOOST_AUTO_TEST_CASE(any_bytes_give_a_parsable_ack) {
  std::mt19937 generator(20240607u);
  const std::string alphabet = "MSH|^~\\&\r\n#ABC0123\x01\xFF";
  hl7::AckRequest r = request("AR");
  r.errors.push_back(error("PID", 2, 3, 1, "100", "bad"));

  for (int round = 0; round < 500; ++round) {
    std::string raw = round % 2 == 0 ? "MSH" : "";
    const std::size_t length = generator() % 120;
    for (std::size_t i = 0; i < length; ++i) {
      raw.push_back(alphabet[generator() % alphabet.size()]);
    }

    std::string ack = hl7::buildAckForUnparsed(raw, r);

    auto parsed = hl7::Message::parse(ack);
    BOOST_REQUIRE_MESSAGE(parsed.isOk(), "round " << round << ": " << parsed.status().toString());
    BOOST_CHECK_EQUAL(parsed.value().messageCode(), "ACK");
    BOOST_CHECK_EQUAL(value(parsed.value(), "MSA-1"), "AR");
  }
}

BOOST_AUTO_TEST_CASE(control_bytes_in_copied_header_fields_are_escaped_so_the_frame_holds) {
  const std::string raw =
      "MSH|^~\\&|A|B|C|D|20240101||ADT^A01|X3\x1c|P|2.5||||||UNICODE UTF-8\x1c\rPID|1\r";
  hl7::Message original = parseOk(raw);

  std::string ack = hl7::buildAck(original, request("AA"));

  for (char c : ack) {
    BOOST_CHECK(c == '\r' || static_cast<unsigned char>(c) >= 0x20);
  }
  hl7::Message parsed = parseOk(ack);
  BOOST_CHECK_EQUAL(value(parsed, "MSA-2"), "X3\x1c");
}

BOOST_AUTO_TEST_CASE(unparsed_bytes_never_take_a_header_from_inside_another_segment) {
  const std::string raw = "PID|1||123||NOTAHEADER see MSH|x|FAMILYNAME^JOHN|19700101\r";

  std::string ack = hl7::buildAckForUnparsed(raw, request("AR"));

  BOOST_CHECK(ack.find("FAMILYNAME") == std::string::npos);
  BOOST_CHECK(ack.find("19700101") == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
