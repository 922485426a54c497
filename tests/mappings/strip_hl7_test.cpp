#include <boost/test/unit_test.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/hl7/message.h"
#include "mappings/strip/hl7_strip.h"

namespace hl7 = ferry::engine::hl7;
namespace strip = ferry::mappings::strip;
using ferry::engine::ErrorCode;

namespace {

// Synthetic: made-up names, numbers and places.
constexpr std::string_view kMessage =
    "MSH|^~\\&|SENDAPP|SENDFAC|RECVAPP|RECVFAC|20240102030405+0000||ORU^R01^ORU_R01|CTRL0001|P|"
    "2.5.1\r"
    "EVN|R01|20240102030405\r"
    "PID|1||MRN0001^^^HOSPA&1.2.3&ISO^MR~ALT0002^^^HOSPB^PI||TESTPATIENT^ALPHA^Q||19700101|F|||"
    "1 TEST ST^^TESTTOWN^MA^02139||555-0100\r"
    "NK1|1|TESTKIN^BETA|SPO\r"
    "PV1|1|I|WARD^101^A\r"
    "OBR|1|PLACER1|FILLER1|CBC^Complete blood count\r"
    "OBX|1|NM|HGB^Hemoglobin||13.5|g/dL|||||F\r"
    "OBX|2|ST|NOTE^Note||Synthetic note text||||||F\r";

hl7::Message parse(std::string_view bytes) {
  auto parsed = hl7::Message::parse(bytes);
  BOOST_REQUIRE_MESSAGE(parsed.isOk(), parsed.status().toString());
  return std::move(parsed).value();
}

std::optional<std::string> valueAt(const hl7::Message& message, std::string_view path) {
  auto value = message.get(path);
  BOOST_REQUIRE_MESSAGE(value.isOk(), value.status().toString());
  return value.value();
}

strip::Hl7StripProfile profile(strip::StripMode mode, std::vector<std::string> entries) {
  std::vector<strip::Hl7StripPath> paths;
  for (const std::string& entry : entries) {
    auto path = strip::parseHl7StripPath(entry);
    BOOST_REQUIRE_MESSAGE(path.isOk(), path.status().toString());
    paths.push_back(path.value());
  }
  auto created = strip::Hl7StripProfile::create(mode, std::move(paths));
  BOOST_REQUIRE_MESSAGE(created.isOk(), created.status().toString());
  return std::move(created).value();
}

struct Stripped {
  hl7::Message message;
  std::vector<std::string> actions;
};

Stripped run(const strip::Hl7StripProfile& p, std::string_view input = kMessage) {
  strip::ActionList actions;
  std::string out = p.apply(parse(input), actions);
  return {parse(out), actions.take()};
}

bool listed(const std::vector<std::string>& actions, std::string_view entry) {
  for (const std::string& action : actions) {
    if (action == entry) {
      return true;
    }
  }
  return false;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(strip_hl7)

BOOST_AUTO_TEST_CASE(allow_list_keeps_only_the_listed_paths) {
  auto p = profile(strip::StripMode::Allow, {"PID-3", "PID-5.1", "OBX[*]-5", "PV1-3.1"});

  Stripped out = run(p);

  const hl7::Message input = parse(kMessage);
  BOOST_CHECK(valueAt(out.message, "PID-3") == valueAt(input, "PID-3"));
  BOOST_CHECK(valueAt(out.message, "PID-3[2]") == valueAt(input, "PID-3[2]"));
  BOOST_CHECK(valueAt(out.message, "PID-5.1") == std::optional<std::string>("TESTPATIENT"));
  BOOST_CHECK(!valueAt(out.message, "PID-5.2"));
  BOOST_CHECK(!valueAt(out.message, "PID-7"));
  BOOST_CHECK(!valueAt(out.message, "PID-11"));
  BOOST_CHECK(!valueAt(out.message, "PID-1"));
  BOOST_CHECK(valueAt(out.message, "PV1-3.1") == std::optional<std::string>("WARD"));
  BOOST_CHECK(!valueAt(out.message, "PV1-3.2"));
  BOOST_CHECK(!valueAt(out.message, "PV1-2"));
  BOOST_CHECK(valueAt(out.message, "OBX[1]-5") == std::optional<std::string>("13.5"));
  BOOST_CHECK(valueAt(out.message, "OBX[2]-5") == valueAt(input, "OBX[2]-5"));
  BOOST_CHECK(!valueAt(out.message, "OBX-3"));
  std::vector<std::string> ids;
  for (std::size_t i = 0; i < out.message.segmentCount(); ++i) {
    ids.emplace_back(out.message.segmentId(i));
  }
  BOOST_CHECK((ids == std::vector<std::string>{"MSH", "PID", "PV1", "OBX", "OBX"}));
}

BOOST_AUTO_TEST_CASE(allow_list_keeps_the_message_header_essentials) {
  auto p = profile(strip::StripMode::Allow, {"PID-3"});

  Stripped out = run(p);

  BOOST_CHECK_EQUAL(out.message.messageCode(), "ORU");
  BOOST_CHECK_EQUAL(out.message.triggerEvent(), "R01");
  BOOST_CHECK_EQUAL(out.message.controlId(), "CTRL0001");
  BOOST_CHECK_EQUAL(out.message.version(), "2.5.1");
  BOOST_CHECK_EQUAL(out.message.delimiters().component, '^');
  BOOST_CHECK_EQUAL(out.message.sendingApplication(), "");
  BOOST_CHECK(!valueAt(out.message, "MSH-7"));
  BOOST_CHECK(listed(out.actions, "removed MSH-3"));
}

BOOST_AUTO_TEST_CASE(deny_list_removes_only_the_listed_paths) {
  auto p = profile(strip::StripMode::Deny, {"PID-5", "NK1", "OBX-3.2", "PID-11.1"});

  Stripped out = run(p);

  const hl7::Message input = parse(kMessage);
  BOOST_CHECK(!valueAt(out.message, "PID-5"));
  BOOST_CHECK(!valueAt(out.message, "NK1-2"));
  BOOST_CHECK(!valueAt(out.message, "OBX[1]-3.2"));
  BOOST_CHECK(!valueAt(out.message, "OBX[2]-3.2"));
  BOOST_CHECK(!valueAt(out.message, "PID-11.1"));
  for (std::string_view kept :
       {"MSH-3", "MSH-7", "EVN-2", "PID-3", "PID-3[2]", "PID-7", "PID-11.3", "PID-11.5", "PID-13",
        "PV1-3", "OBR-4", "OBX[1]-3.1", "OBX[1]-5", "OBX[2]-5", "OBX[2]-11"}) {
    BOOST_TEST_CONTEXT(kept) { BOOST_CHECK(valueAt(out.message, kept) == valueAt(input, kept)); }
  }
  BOOST_CHECK_EQUAL(out.message.segmentCount(), input.segmentCount() - 1);
}

BOOST_AUTO_TEST_CASE(selects_one_repetition_or_one_segment_occurrence) {
  auto p = profile(strip::StripMode::Allow, {"PID-3[2]", "OBX[2]-5"});

  Stripped out = run(p);

  // The kept repetition moves up: removed repetitions are dropped, not left empty.
  BOOST_CHECK(valueAt(out.message, "PID-3.1") == std::optional<std::string>("ALT0002"));
  BOOST_CHECK(!valueAt(out.message, "PID-3[2]"));
  // The first OBX has nothing listed, so it goes whole; the second stays with OBX-5 only.
  BOOST_CHECK(valueAt(out.message, "OBX[1]-5") ==
              std::optional<std::string>("Synthetic note text"));
  BOOST_CHECK(!valueAt(out.message, "OBX[1]-3"));
  BOOST_CHECK(!valueAt(out.message, "OBX[2]-5"));
  BOOST_CHECK(listed(out.actions, "removed PID-3[1]"));
  BOOST_CHECK(listed(out.actions, "removed OBX"));
}

BOOST_AUTO_TEST_CASE(keeps_components_and_subcomponents_in_place) {
  auto p = profile(strip::StripMode::Allow, {"PID-3.1", "PID-3.4.2", "PID-11.5"});

  Stripped out = run(p);

  BOOST_CHECK(valueAt(out.message, "PID-3.1") == std::optional<std::string>("MRN0001"));
  BOOST_CHECK(!valueAt(out.message, "PID-3.4.1"));
  BOOST_CHECK(valueAt(out.message, "PID-3.4.2") == std::optional<std::string>("1.2.3"));
  BOOST_CHECK(!valueAt(out.message, "PID-3.5"));
  BOOST_CHECK(valueAt(out.message, "PID-11.5") == std::optional<std::string>("02139"));
  BOOST_CHECK(!valueAt(out.message, "PID-11.1"));
  BOOST_CHECK(listed(out.actions, "removed PID-3.4.1"));
  BOOST_CHECK(listed(out.actions, "removed PID-11.3"));
}

BOOST_AUTO_TEST_CASE(actions_name_paths_once_and_never_values) {
  auto p = profile(strip::StripMode::Allow, {"PID-3"});

  Stripped out = run(p);

  BOOST_CHECK(listed(out.actions, "removed NK1"));
  BOOST_CHECK(listed(out.actions, "removed PID-5"));
  BOOST_CHECK(listed(out.actions, "removed OBX"));
  std::size_t obx = 0;
  for (const std::string& action : out.actions) {
    obx += action == "removed OBX" ? 1 : 0;
    for (std::string_view value : {"TESTPATIENT", "ALPHA", "19700101", "TESTTOWN", "555-0100",
                                   "Synthetic", "13.5", "TESTKIN"}) {
      BOOST_CHECK_MESSAGE(action.find(value) == std::string::npos, "an action quotes a value");
    }
  }
  BOOST_CHECK_EQUAL(obx, 1u);
}

BOOST_AUTO_TEST_CASE(refuses_a_deny_list_that_removes_header_essentials) {
  for (std::string_view entry : {"MSH", "MSH-9", "MSH-10.1", "MSH-12", "MSH-2"}) {
    auto path = strip::parseHl7StripPath(entry);
    BOOST_REQUIRE(path.isOk());

    auto created = strip::Hl7StripProfile::create(strip::StripMode::Deny, {path.value()});

    BOOST_TEST_CONTEXT(entry) {
      BOOST_CHECK(!created.isOk());
      BOOST_CHECK(created.status().code() == ErrorCode::ConfigError);
    }
  }
  auto allowed = strip::parseHl7StripPath("MSH-3");
  BOOST_REQUIRE(allowed.isOk());
  BOOST_CHECK(strip::Hl7StripProfile::create(strip::StripMode::Deny, {allowed.value()}).isOk());
}

BOOST_AUTO_TEST_CASE(parses_whole_segments_and_wildcards) {
  auto segment = strip::parseHl7StripPath("NK1");
  auto second = strip::parseHl7StripPath("OBX[2]");
  auto every = strip::parseHl7StripPath("OBX[*]-5[*].1");
  auto malformed = strip::parseHl7StripPath("pid-3");

  BOOST_REQUIRE(segment.isOk() && second.isOk() && every.isOk());
  BOOST_CHECK_EQUAL(segment.value().field, 0u);
  BOOST_CHECK_EQUAL(segment.value().segment_occurrence, 0u);
  BOOST_CHECK_EQUAL(second.value().segment_occurrence, 2u);
  BOOST_CHECK_EQUAL(every.value().segment_occurrence, 0u);
  BOOST_CHECK_EQUAL(every.value().repetition, 0u);
  BOOST_CHECK_EQUAL(every.value().component, 1u);
  BOOST_CHECK(!malformed.isOk());
}

BOOST_AUTO_TEST_CASE(keeps_wrapped_lines_blank_lines_and_the_terminator) {
  const std::string input =
      "MSH|^~\\&|A|B|C|D|20240101||ADT^A01|C1|P|2.5\n"
      "PID|1||ID1||NAME^GIVEN\n"
      "NTE|1||first line\nsecond line\n\n";
  auto p = profile(strip::StripMode::Deny, {"PID-5"});

  strip::ActionList actions;
  std::string out = p.apply(parse(input), actions);

  BOOST_CHECK_EQUAL(out,
                    "MSH|^~\\&|A|B|C|D|20240101||ADT^A01|C1|P|2.5\n"
                    "PID|1||ID1\n"
                    "NTE|1||first line\nsecond line\n\n");
}

BOOST_AUTO_TEST_SUITE_END()
