#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "connectors/mllp/mllp_enhanced_ack.h"
#include "connectors/mllp_test_support.h"

namespace {

using ferry::connectors::mllp::AckPreference;
using ferry::connectors::mllp::enhancedReplies;
using ferry::connectors::mllp::requestedAckPreference;
using namespace ferry::testing::mllp;

constexpr std::size_t kLimit = 1024 * 1024;

std::vector<std::string> codesOf(const std::vector<std::string>& replies) {
  std::vector<std::string> codes;
  for (const auto& reply : replies) {
    codes.push_back(msaField(reply, 1));
  }
  return codes;
}

std::vector<std::string> codes(std::initializer_list<const char*> list) {
  return std::vector<std::string>(list.begin(), list.end());
}

}  // namespace

BOOST_AUTO_TEST_SUITE(mllp_enhanced_ack)

BOOST_AUTO_TEST_CASE(message_without_msh15_and_msh16_asks_for_original_mode) {
  BOOST_CHECK(!requestedAckPreference(makeMessage("O1"), kLimit).has_value());
}

BOOST_AUTO_TEST_CASE(reads_accept_and_application_ack_types) {
  auto preference = requestedAckPreference(makeMessage("E1", "AL", "ER"), kLimit);

  BOOST_REQUIRE(preference.has_value());
  BOOST_CHECK_EQUAL(preference->accept_ack_type, "AL");
  BOOST_CHECK_EQUAL(preference->application_ack_type, "ER");
}

BOOST_AUTO_TEST_CASE(unparseable_message_gets_original_mode) {
  BOOST_CHECK(!requestedAckPreference("not a message", kLimit).has_value());
}

BOOST_AUTO_TEST_CASE(always_sends_commit_then_application_ack) {
  std::string ack = makeAck(makeMessage("E2"), "AA");

  auto replies = enhancedReplies(ack, AckPreference{"AL", "AL"});

  BOOST_CHECK(codesOf(replies) == codes({"CA", "AA"}));
  BOOST_REQUIRE_EQUAL(replies.size(), 2u);
  BOOST_CHECK_EQUAL(replies[1], ack);
  BOOST_CHECK_EQUAL(msaField(replies[0], 2), "E2");
}

BOOST_AUTO_TEST_CASE(commit_ack_differs_from_the_sink_ack_only_in_msa1) {
  std::string ack = makeAck(makeMessage("E3"), "AE");

  auto replies = enhancedReplies(ack, AckPreference{"AL", "NE"});

  BOOST_REQUIRE_EQUAL(replies.size(), 1u);
  std::string restored = replies[0];
  auto at = restored.find("MSA|CE|");
  BOOST_REQUIRE(at != std::string::npos);
  restored.replace(at, 7, "MSA|AE|");
  BOOST_CHECK_EQUAL(restored, ack);
}

BOOST_AUTO_TEST_CASE(never_suppresses_the_respective_ack) {
  std::string ack = makeAck(makeMessage("E4"), "AA");

  BOOST_CHECK(codesOf(enhancedReplies(ack, AckPreference{"NE", "AL"})) == codes({"AA"}));
  BOOST_CHECK(codesOf(enhancedReplies(ack, AckPreference{"AL", "NE"})) == codes({"CA"}));
  BOOST_CHECK(enhancedReplies(ack, AckPreference{"NE", "NE"}).empty());
}

BOOST_AUTO_TEST_CASE(error_only_and_success_only_follow_the_outcome) {
  std::string accepted = makeAck(makeMessage("E5"), "AA");
  std::string rejected = makeAck(makeMessage("E6"), "AR");

  BOOST_CHECK(enhancedReplies(accepted, AckPreference{"ER", "ER"}).empty());
  BOOST_CHECK(codesOf(enhancedReplies(rejected, AckPreference{"ER", "ER"})) == codes({"CR", "AR"}));
  BOOST_CHECK(codesOf(enhancedReplies(accepted, AckPreference{"SU", "SU"})) == codes({"CA", "AA"}));
  BOOST_CHECK(enhancedReplies(rejected, AckPreference{"SU", "SU"}).empty());
}

BOOST_AUTO_TEST_CASE(empty_type_next_to_a_valued_one_counts_as_always) {
  std::string ack = makeAck(makeMessage("E7"), "AA");

  BOOST_CHECK(codesOf(enhancedReplies(ack, AckPreference{"AL", ""})) == codes({"CA", "AA"}));
}

BOOST_AUTO_TEST_CASE(unreadable_sink_ack_is_sent_unchanged) {
  auto replies = enhancedReplies("garbage", AckPreference{"NE", "NE"});

  BOOST_REQUIRE_EQUAL(replies.size(), 1u);
  BOOST_CHECK_EQUAL(replies[0], "garbage");
}

BOOST_AUTO_TEST_SUITE_END()
