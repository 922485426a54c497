#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "connectors/mllp/mllp_frame_decoder.h"

namespace {

using ferry::connectors::mllp::DecodedFrame;
using ferry::connectors::mllp::encodeFrame;
using ferry::connectors::mllp::FrameDecoder;

const std::string kFirst = "MSH|^~\\&|SENDER|FAC|RECV|FAC|20240101000000||ADT^A01|CTRL1|P|2.5\r";
const std::string kSecond = "MSH|^~\\&|SENDER|FAC|RECV|FAC|20240101000001||ADT^A08|CTRL2|P|2.5\r";

std::vector<DecodedFrame> drain(FrameDecoder& decoder) {
  std::vector<DecodedFrame> frames;
  while (auto frame = decoder.next()) {
    frames.push_back(std::move(*frame));
  }
  return frames;
}

std::vector<std::string> messagesOf(const std::vector<DecodedFrame>& frames) {
  std::vector<std::string> messages;
  for (const auto& frame : frames) {
    BOOST_REQUIRE(frame.kind == DecodedFrame::Kind::Message);
    messages.push_back(frame.bytes);
  }
  return messages;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(mllp_frame_decoder)

BOOST_AUTO_TEST_CASE(encodes_payload_between_start_and_end_blocks) {
  std::string frame = encodeFrame("ABC");

  BOOST_CHECK_EQUAL(frame, std::string("\x0b"
                                       "ABC"
                                       "\x1c\x0d"));
}

BOOST_AUTO_TEST_CASE(decodes_one_frame_fed_at_once) {
  FrameDecoder decoder;

  decoder.feed(encodeFrame(kFirst));

  auto frames = drain(decoder);
  BOOST_REQUIRE_EQUAL(frames.size(), 1u);
  BOOST_CHECK(frames[0].kind == DecodedFrame::Kind::Message);
  BOOST_CHECK_EQUAL(frames[0].bytes, kFirst);
  BOOST_CHECK(!decoder.inFrame());
  BOOST_CHECK_EQUAL(decoder.skippedBytes(), 0u);
}

BOOST_AUTO_TEST_CASE(decodes_two_frames_split_at_every_pair_of_points) {
  const std::string stream = encodeFrame(kFirst) + encodeFrame(kSecond);

  for (std::size_t a = 0; a <= stream.size(); ++a) {
    for (std::size_t b = a; b <= stream.size(); ++b) {
      FrameDecoder decoder;

      decoder.feed(std::string_view(stream).substr(0, a));
      auto frames = drain(decoder);
      decoder.feed(std::string_view(stream).substr(a, b - a));
      auto more = drain(decoder);
      frames.insert(frames.end(), more.begin(), more.end());
      decoder.feed(std::string_view(stream).substr(b));
      more = drain(decoder);
      frames.insert(frames.end(), more.begin(), more.end());

      auto messages = messagesOf(frames);
      BOOST_REQUIRE_EQUAL(messages.size(), 2u);
      BOOST_CHECK_EQUAL(messages[0], kFirst);
      BOOST_CHECK_EQUAL(messages[1], kSecond);
      BOOST_CHECK(!decoder.inFrame());
    }
  }
}

BOOST_AUTO_TEST_CASE(decodes_stream_fed_one_byte_at_a_time) {
  const std::string stream = encodeFrame(kFirst) + encodeFrame(kSecond);
  FrameDecoder decoder;

  std::vector<DecodedFrame> frames;
  for (char byte : stream) {
    decoder.feed(std::string_view(&byte, 1));
    auto more = drain(decoder);
    frames.insert(frames.end(), more.begin(), more.end());
  }

  auto messages = messagesOf(frames);
  BOOST_REQUIRE_EQUAL(messages.size(), 2u);
  BOOST_CHECK_EQUAL(messages[0], kFirst);
  BOOST_CHECK_EQUAL(messages[1], kSecond);
}

BOOST_AUTO_TEST_CASE(returns_several_frames_from_one_read_in_order) {
  FrameDecoder decoder;

  decoder.feed(encodeFrame("one") + encodeFrame("two") + encodeFrame("three"));

  auto messages = messagesOf(drain(decoder));
  BOOST_REQUIRE_EQUAL(messages.size(), 3u);
  BOOST_CHECK_EQUAL(messages[0], "one");
  BOOST_CHECK_EQUAL(messages[1], "two");
  BOOST_CHECK_EQUAL(messages[2], "three");
}

BOOST_AUTO_TEST_CASE(skips_and_counts_bytes_between_frames) {
  FrameDecoder decoder;

  decoder.feed("noise" + encodeFrame("one") + "\r\n" + encodeFrame("two") + "xy");

  auto messages = messagesOf(drain(decoder));
  BOOST_REQUIRE_EQUAL(messages.size(), 2u);
  BOOST_CHECK_EQUAL(messages[0], "one");
  BOOST_CHECK_EQUAL(messages[1], "two");
  BOOST_CHECK_EQUAL(decoder.skippedBytes(), 9u);
  BOOST_CHECK(!decoder.inFrame());
}

BOOST_AUTO_TEST_CASE(treats_end_block_without_carriage_return_as_data) {
  FrameDecoder decoder;
  const std::string payload = std::string(
      "A\x1c"
      "B\x1c\x1c"
      "C\x1c",
      7);

  decoder.feed(encodeFrame(payload));

  auto messages = messagesOf(drain(decoder));
  BOOST_REQUIRE_EQUAL(messages.size(), 1u);
  BOOST_CHECK_EQUAL(messages[0], payload);
}

BOOST_AUTO_TEST_CASE(end_block_at_end_of_read_waits_for_the_next_byte) {
  FrameDecoder decoder;

  decoder.feed(
      "\x0b"
      "AB\x1c");
  BOOST_CHECK(!decoder.next().has_value());
  BOOST_CHECK(decoder.inFrame());
  decoder.feed("C\x1c");
  BOOST_CHECK(!decoder.next().has_value());
  decoder.feed("\x0d");

  auto messages = messagesOf(drain(decoder));
  BOOST_REQUIRE_EQUAL(messages.size(), 1u);
  BOOST_CHECK_EQUAL(messages[0],
                    "AB\x1c"
                    "C");
}

BOOST_AUTO_TEST_CASE(start_block_inside_a_frame_abandons_the_partial_frame) {
  FrameDecoder decoder;

  decoder.feed(
      "\x0b"
      "lost" +
      encodeFrame("kept"));

  auto messages = messagesOf(drain(decoder));
  BOOST_REQUIRE_EQUAL(messages.size(), 1u);
  BOOST_CHECK_EQUAL(messages[0], "kept");
  BOOST_CHECK_EQUAL(decoder.skippedBytes(), 4u);
}

BOOST_AUTO_TEST_CASE(accepts_payload_of_exactly_the_maximum_size) {
  FrameDecoder decoder(8);

  decoder.feed(encodeFrame("12345678"));

  auto messages = messagesOf(drain(decoder));
  BOOST_REQUIRE_EQUAL(messages.size(), 1u);
  BOOST_CHECK_EQUAL(messages[0], "12345678");
}

BOOST_AUTO_TEST_CASE(reports_oversized_frame_once_with_the_bytes_received_so_far) {
  FrameDecoder decoder(8);

  decoder.feed(
      "\x0b"
      "123456789");
  auto frames = drain(decoder);
  decoder.feed(std::string(1000, 'x'));
  auto later = drain(decoder);

  BOOST_REQUIRE_EQUAL(frames.size(), 1u);
  BOOST_CHECK(frames[0].kind == DecodedFrame::Kind::Oversized);
  BOOST_CHECK_EQUAL(frames[0].bytes, "12345678");
  BOOST_CHECK(later.empty());
  BOOST_CHECK_EQUAL(decoder.bufferedBytes(), 0u);
  BOOST_CHECK(decoder.inFrame());
}

BOOST_AUTO_TEST_CASE(oversized_by_a_trailing_lone_end_block) {
  FrameDecoder decoder(4);

  decoder.feed(
      "\x0b"
      "1234\x1c"
      "5\x1c\x0d");

  auto frames = drain(decoder);
  BOOST_REQUIRE_EQUAL(frames.size(), 1u);
  BOOST_CHECK(frames[0].kind == DecodedFrame::Kind::Oversized);
  BOOST_CHECK_EQUAL(frames[0].bytes, "1234");
  BOOST_CHECK(!decoder.inFrame());
}

BOOST_AUTO_TEST_CASE(resumes_with_the_next_frame_after_an_oversized_one) {
  FrameDecoder decoder(4);

  decoder.feed(encodeFrame("much too long") + encodeFrame("ok"));

  auto frames = drain(decoder);
  BOOST_REQUIRE_EQUAL(frames.size(), 2u);
  BOOST_CHECK(frames[0].kind == DecodedFrame::Kind::Oversized);
  BOOST_CHECK_EQUAL(frames[0].bytes, "much");
  BOOST_CHECK(frames[1].kind == DecodedFrame::Kind::Message);
  BOOST_CHECK_EQUAL(frames[1].bytes, "ok");
}

BOOST_AUTO_TEST_CASE(never_buffers_more_than_the_limit_while_skipping_an_oversized_frame) {
  FrameDecoder decoder(16);

  decoder.feed("\x0b");
  for (int i = 0; i < 1000; ++i) {
    decoder.feed(std::string(64, 'z'));
    BOOST_REQUIRE_LE(decoder.bufferedBytes(), 16u);
  }

  auto frames = drain(decoder);
  BOOST_REQUIRE_EQUAL(frames.size(), 1u);
  BOOST_CHECK(frames[0].kind == DecodedFrame::Kind::Oversized);
  BOOST_CHECK_EQUAL(frames[0].bytes.size(), 16u);
}

BOOST_AUTO_TEST_CASE(decodes_an_empty_frame) {
  FrameDecoder decoder;

  decoder.feed("\x0b\x1c\x0d");

  auto messages = messagesOf(drain(decoder));
  BOOST_REQUIRE_EQUAL(messages.size(), 1u);
  BOOST_CHECK(messages[0].empty());
}

BOOST_AUTO_TEST_CASE(detects_end_sequence_inside_a_payload) {
  BOOST_CHECK(
      ferry::connectors::mllp::containsEndSequence("A\x1c\x0d"
                                                   "B"));
  BOOST_CHECK(
      !ferry::connectors::mllp::containsEndSequence("A\x1c"
                                                    "B\x0d"));
}

BOOST_AUTO_TEST_SUITE_END()
