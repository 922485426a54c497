// Acceptance of issue #4: HL7 v2 -> FHIR (mappings/v2_fhir) -> HL7 v2 (mappings/fhir_v2) keeps
// what a receiving system needs. For ADT: PID-3 identifiers (id, assigning authority, type),
// PID-5 names (family, given, middle), PID-7, PID-8, PID-11 (street, city, state, zip,
// country), PV1-2, PV1-3, PV1-7 attending id, PV1-19, PV1-44/45. For ORU^R01: OBX-3, OBX-5,
// OBX-6 and OBX-11. Values are compared decoded, path by path; failures name file and path,
// never values.
//
// Where the v2-to-fhir mapping itself drops or reshapes something, the comparison says so
// (listed here) and checks what survives instead of skipping the path:
//   - CX.4.2 survives only as an ISO OID, UUID or URI (HD-uri); another universal id is lost.
//   - CX.4.3 is written from the form of the system URI ("ISO", "UUID", "URI"), so it is
//     compared only when the sender gave one.
//   - PID-8 A (ambiguous) and N (not applicable) both become FHIR "other", which returns as O.
//   - XPN.3 (middle) without XPN.2 becomes the first given name and returns as XPN.2.
//   - XAD.2 without XAD.1 becomes the first address line and returns as XAD.1.
//   - PL.2, PL.3, PL.7, PL.8 become Location.alias in order, without their positions and
//     each distinct text once: they return as a sequence (an empty room before a bed shifts
//     the bed into PL.2; a bed named like its room is gone). PL.1 is read to its first
//     subcomponent (PL.1 is an HD from v2.6 on).
//   - Times: FHIR wants seconds and a zone, so "202401051030" returns as
//     "20240105103000+0000" (the mapping's zone); compared as the same instant when the sender
//     gave no offset.
//   - OBX-5 NR becomes a Range and returns as SN "^low^-^high"; SN without a comparator or
//     second number becomes a plain Quantity and returns as NM; numbers lose leading zeros.
//   - OBX-6: a unit code whose coding system has no URI keeps only its text (Quantity.unit).
//   - An OBX before the first OBR becomes an Observation of no report and is not returned.
//   - OBX-11 codes outside table 0085's concept map (I, R, S, N, U) are not converted; D and W
//     both become entered-in-error and return as W.

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>

#include <boost/test/unit_test.hpp>

#include "engine/hl7/message.h"
#include "engine/hl7/message_splitter.h"
#include "engine/hl7/validator.h"
#include "mappings/fhir_v2/fhir_to_v2.h"
#include "mappings/v2_fhir/v2_to_fhir.h"
#include "mappings/v2_fhir/value_builders.h"
#include "support/test_support.h"

namespace ferry::mappings {

namespace {

using engine::hl7::Message;

// Compares decoded values path by path; records which paths it compared and which differed
// (paths only: the values stay out of every message).
class Comparison {
 public:
  Comparison(const Message& original, const Message& returned)
      : original_(original), returned_(returned) {}

  std::string before(const std::string& path) const { return read(original_, path); }
  std::string after(const std::string& path) const { return read(returned_, path); }
  std::vector<std::optional<std::string>> beforeEach(const std::string& path) const {
    return each(original_, path);
  }
  std::vector<std::optional<std::string>> afterEach(const std::string& path) const {
    return each(returned_, path);
  }

  // The same decoded text at `path` in both messages (skipped when the original has none).
  void same(const std::string& path) { expect(path, before(path), after(path)); }
  void expect(const std::string& path, const std::string& expected, const std::string& actual) {
    if (expected.empty()) {
      return;
    }
    ++compared_;
    paths_.insert(withoutRepetitions(path));
    if (expected != actual) {
      failures_.push_back(path + " not kept");
    }
  }
  void fail(const std::string& what) { failures_.push_back(what); }

  std::size_t compared() const { return compared_; }
  // Paths compared, repetition numbers left out ("PID-3.4.1").
  const std::set<std::string>& paths() const { return paths_; }
  const std::vector<std::string>& failures() const { return failures_; }

 private:
  static std::string withoutRepetitions(const std::string& path) {
    std::string out;
    bool skipping = false;
    for (char c : path) {
      skipping = c == '[' || (skipping && c != ']');
      if (!skipping && c != ']') {
        out += c;
      }
    }
    return out;
  }
  static std::string read(const Message& message, const std::string& path) {
    auto value = message.get(path);
    BOOST_REQUIRE_MESSAGE(value.isOk(), path);
    std::string text = value.value().value_or("");
    return text == "\"\"" ? std::string() : text;
  }
  static std::vector<std::optional<std::string>> each(const Message& message,
                                                      const std::string& path) {
    auto values = message.getPerRepetition(path);
    BOOST_REQUIRE_MESSAGE(values.isOk(), path);
    return values.value();
  }

  const Message& original_;
  const Message& returned_;
  std::size_t compared_ = 0;
  std::set<std::string> paths_;
  std::vector<std::string> failures_;
};

std::string valueOr(const std::optional<std::string>& value) { return value.value_or(""); }

// A DTM split into its digits (with fraction) and its offset.
std::pair<std::string, std::string> splitDtm(const std::string& dtm) {
  std::size_t zone = dtm.find_first_of("+-", 4);
  if (zone == std::string::npos) {
    return {dtm, ""};
  }
  return {dtm.substr(0, zone), dtm.substr(zone)};
}

// The same point in time at the original's precision. Stamps with a time gain seconds (FHIR
// wants them), and a stamp sent without an offset gains the mapping's zone.
bool sameTime(const std::string& original, const std::string& returned) {
  auto [original_digits, original_zone] = splitDtm(original);
  auto [returned_digits, returned_zone] = splitDtm(returned);
  if (!original_zone.empty() && original_zone != returned_zone) {
    return false;
  }
  if (original_digits.size() > 8) {
    for (std::string* digits : {&original_digits, &returned_digits}) {
      std::size_t whole = digits->find('.');
      whole = whole == std::string::npos ? digits->size() : whole;
      if (whole < 14) {
        digits->insert(whole, 14 - whole, '0');
      }
    }
  }
  return original_digits == returned_digits;
}

void sameInstant(Comparison& check, const std::string& path) {
  std::string original = check.before(path);
  if (original.empty()) {
    return;
  }
  check.expect(path, "same instant", sameTime(original, check.after(path)) ? "same instant" : "");
}

bool isOid(const std::string& text) {
  return !text.empty() && std::isdigit(static_cast<unsigned char>(text.front())) &&
         text.find('.') != std::string::npos &&
         text.find_first_not_of("0123456789.") == std::string::npos;
}

// CX.4.2 survives the v2-to-fhir HD-uri conversion (value_builders.cpp hdUri).
bool universalIdKept(const std::string& id, const std::string& type) {
  return ((type.empty() || type == "ISO") && isOid(id)) || type == "UUID" || type == "GUID" ||
         ((type.empty() || type == "URI" || type == "URL") && id.find("://") != std::string::npos);
}

void comparePatientIdentifiers(Comparison& check) {
  std::vector<std::optional<std::string>> ids = check.beforeEach("PID-3.1");
  std::vector<std::optional<std::string>> returned_ids = check.afterEach("PID-3.1");
  for (std::size_t index = 0; index < ids.size(); ++index) {
    std::string id = valueOr(ids[index]);
    if (id.empty()) {
      continue;
    }
    std::string rep = "PID-3[" + std::to_string(index + 1) + "]";
    std::string authority = check.before(rep + ".4.1");
    std::string universal = check.before(rep + ".4.2");
    std::string universal_type = check.before(rep + ".4.3");
    std::string type = check.before(rep + ".5");
    // The identifier may come back at another position (PID-2 and PID-4 identifiers join
    // PID-3): find the repetition with the same id and authority.
    std::optional<std::size_t> found;
    for (std::size_t other = 0; other < returned_ids.size() && !found; ++other) {
      std::string back = "PID-3[" + std::to_string(other + 1) + "]";
      if (valueOr(returned_ids[other]) == id && check.after(back + ".4.1") == authority) {
        found = other;
      }
    }
    check.expect(rep + ".1", "found", found ? "found" : "");
    if (!found) {
      continue;
    }
    std::string back = "PID-3[" + std::to_string(*found + 1) + "]";
    check.expect(rep + ".4.1", authority, check.after(back + ".4.1"));
    if (universalIdKept(universal, universal_type)) {
      check.expect(rep + ".4.2", universal, check.after(back + ".4.2"));
      check.expect(rep + ".4.3", universal_type, check.after(back + ".4.3"));
    }
    check.expect(rep + ".5", type, check.after(back + ".5"));
  }
}

void compareNames(Comparison& check) {
  std::vector<std::optional<std::string>> families = check.beforeEach("PID-5.1.1");
  std::size_t returned = 0;
  for (std::size_t index = 0; index < families.size(); ++index) {
    std::string rep = "PID-5[" + std::to_string(index + 1) + "]";
    if (check.before(rep + ".1.1").empty() && check.before(rep + ".2").empty() &&
        check.before(rep + ".3").empty()) {
      continue;  // an empty repetition makes no HumanName
    }
    std::string back = "PID-5[" + std::to_string(++returned) + "]";
    check.expect(rep + ".1.1", check.before(rep + ".1.1"), check.after(back + ".1.1"));
    if (!check.before(rep + ".2").empty()) {
      check.expect(rep + ".2", check.before(rep + ".2"), check.after(back + ".2"));
      check.expect(rep + ".3", check.before(rep + ".3"), check.after(back + ".3"));
    } else {
      check.expect(rep + ".3", check.before(rep + ".3"), check.after(back + ".2"));
    }
  }
}

void compareAddresses(Comparison& check) {
  std::vector<std::optional<std::string>> cities = check.beforeEach("PID-11.3");
  std::size_t returned = 0;
  for (std::size_t index = 0; index < cities.size(); ++index) {
    std::string rep = "PID-11[" + std::to_string(index + 1) + "]";
    bool any = false;
    for (const char* part : {".1.1", ".2", ".3", ".4", ".5", ".6"}) {
      any = any || !check.before(rep + part).empty();
    }
    if (!any) {
      continue;
    }
    std::string back = "PID-11[" + std::to_string(++returned) + "]";
    std::string street = check.before(rep + ".1.1");
    check.expect(rep + ".1.1", street.empty() ? check.before(rep + ".2") : street,
                 check.after(back + ".1.1"));
    for (const char* part : {".3", ".4", ".5", ".6"}) {
      check.expect(rep + part, check.before(rep + part), check.after(back + part));
    }
  }
}

void compareSex(Comparison& check) {
  std::string sex = check.before("PID-8");
  static const std::vector<std::string> kTable = {"F", "M", "O", "U", "A", "N"};
  if (std::find(kTable.begin(), kTable.end(), sex) == kTable.end()) {
    return;  // not a table 0001 code: the v2-to-fhir mapping reports it unconverted
  }
  check.expect("PID-8", sex == "A" || sex == "N" ? "O" : sex, check.after("PID-8"));
}

void compareLocation(Comparison& check) {
  check.same("PV1-3.1.1");
  check.same("PV1-3.4.1");
  std::vector<std::string> before;
  std::vector<std::string> after;
  for (const char* part : {".2", ".3", ".7", ".8"}) {
    std::string text = check.before(std::string("PV1-3") + part);
    if (!text.empty() && std::find(before.begin(), before.end(), text) == before.end()) {
      before.push_back(text);
    }
    if (std::string returned = check.after(std::string("PV1-3") + part); !returned.empty()) {
      after.push_back(returned);
    }
  }
  if (!before.empty()) {
    check.expect("PV1-3.2/.3/.7/.8", "same", before == after ? "same" : "");
  }
}

void compareVisit(Comparison& check) {
  if (check.before("PV1-1").empty() && check.before("PV1-2").empty() &&
      check.before("PV1-3").empty() && check.before("PV1-19").empty()) {
    return;
  }
  check.same("PV1-2");
  compareLocation(check);
  check.same("PV1-7.1");
  check.same("PV1-7.2.1");
  check.same("PV1-19.1");
  sameInstant(check, "PV1-44");
  sameInstant(check, "PV1-45");
}

void compareAdt(Comparison& check) {
  comparePatientIdentifiers(check);
  compareNames(check);
  sameInstant(check, "PID-7");
  compareSex(check);
  compareAddresses(check);
  compareVisit(check);
}

struct Mappers {
  std::shared_ptr<const v2fhir::V2ToFhirMapper> to_fhir;
  std::shared_ptr<const fhirv2::FhirToV2Mapper> to_v2;
  v2fhir::LeafContext leaf;
};

Mappers mappers() {
  auto to_fhir = v2fhir::V2ToFhirMapper::shared();
  BOOST_REQUIRE_MESSAGE(to_fhir.isOk(), to_fhir.status().toString());
  auto to_v2 = fhirv2::FhirToV2Mapper::shared();
  BOOST_REQUIRE_MESSAGE(to_v2.isOk(), to_v2.status().toString());
  Mappers out{to_fhir.value(), to_v2.value(), {}};
  out.leaf.zone = nullptr;  // UTC
  out.leaf.coding_systems = out.to_fhir->mappings().findVocabulary("CodingSystem");
  return out;
}

bool bundleHolds(const engine::fhir::JsonValue& bundle, std::string_view type) {
  const engine::fhir::JsonValue* entries = bundle.find("entry");
  for (const engine::fhir::JsonValue& entry :
       entries ? entries->elements() : engine::fhir::JsonElements{}) {
    const engine::fhir::JsonValue* resource = entry.find("resource");
    const engine::fhir::JsonValue* resource_type =
        resource ? resource->find("resourceType") : nullptr;
    if (resource_type != nullptr && resource_type->text() == type) {
      return true;
    }
  }
  return false;
}

// v2 -> FHIR -> v2; std::nullopt (with a test error) when a step fails. The returned message
// must parse and pass the ingest checks. A message from which the v2-to-fhir mapping makes no
// `needed` resource (no PID segment, an OBR without a code: its coverage notes say so) has
// nothing to return and is skipped with a message.
std::optional<Message> roundTrip(const Mappers& with, const Message& original,
                                 fhirv2::MessageChoice choice, const std::string& label,
                                 std::string_view needed) {
  auto bundle = with.to_fhir->map(original);
  if (!bundle.isOk()) {
    BOOST_ERROR(label + ": v2-to-fhir failed: " + bundle.status().toString());
    return std::nullopt;
  }
  if (!bundleHolds(bundle.value().bundle, needed)) {
    BOOST_TEST_MESSAGE(label + ": skipped, v2-to-fhir made no " + std::string(needed));
    return std::nullopt;
  }
  fhirv2::FhirToV2Options options;
  options.message = choice;
  auto mapped = with.to_v2->map(bundle.value().bundle, options);
  if (!mapped.isOk()) {
    BOOST_ERROR(label + ": fhir-to-v2 failed: " + mapped.status().toString());
    return std::nullopt;
  }
  auto returned = Message::parse(mapped.value().message);
  if (!returned.isOk()) {
    BOOST_ERROR(label + ": the returned message does not parse: " + returned.status().toString());
    return std::nullopt;
  }
  std::vector<engine::hl7::AckErrorDetail> problems;
  engine::Status valid = engine::hl7::validateForIngest(returned.value(), problems);
  if (!valid.isOk()) {
    BOOST_ERROR(label + ": the returned message fails the ingest checks: " + valid.toString());
  }
  return std::move(returned).value();
}

// The corpus messages with the given code and one of the triggers, parsed.
std::vector<std::pair<std::string, Message>> corpusMessages(
    const std::string& code, const std::vector<std::string>& triggers) {
  std::vector<std::pair<std::string, Message>> found;
  for (const auto& path : ferry::testing::corpusFiles("hl7v2")) {
    if (path.string().find("/malformed/") != std::string::npos) {
      continue;
    }
    std::string content = ferry::testing::readFile(path);
    engine::hl7::SplitResult split = engine::hl7::splitMessages(content);
    std::size_t number = 0;
    for (std::string_view bytes : split.messages()) {
      ++number;
      auto message = Message::parse(bytes);
      if (!message.isOk() || message.value().messageCode() != code ||
          std::find(triggers.begin(), triggers.end(), message.value().triggerEvent()) ==
              triggers.end()) {
        continue;
      }
      found.emplace_back(path.filename().string() + " message " + std::to_string(number),
                         std::move(message).value());
    }
  }
  return found;
}

// What one message's round trip compared and where it differed.
struct Outcome {
  std::size_t compared = 0;
  std::set<std::string> paths;
  std::vector<std::string> failures;
  bool skipped = false;
};

Outcome outcomeOf(const Comparison& check) {
  return {check.compared(), check.paths(), check.failures(), false};
}

Outcome checkAdt(const Mappers& with, const std::string& label, const Message& original) {
  auto returned = roundTrip(with, original, fhirv2::MessageChoice::AdtA08, label, "Patient");
  if (!returned) {
    return {0, {}, {}, true};
  }
  Comparison check(original, *returned);
  if (returned->triggerEvent() != "A08") {
    check.fail("MSH-9.2 is not A08");
  }
  compareAdt(check);
  return outcomeOf(check);
}

// Reports every failure (file and path), and returns the number of values compared.
std::size_t report(const std::string& label, const Outcome& outcome) {
  for (const std::string& failure : outcome.failures) {
    BOOST_ERROR(label + ": " + failure);
  }
  return outcome.compared;
}

// ORU: OBX-3, OBX-5 (by the original OBX-2), OBX-6, OBX-11.
void compareObservationValue(Comparison& check, const Mappers& with, const std::string& before,
                             const std::string& after) {
  std::string type = check.before(before + "-2");
  auto number = [](const std::string& text) { return v2fhir::decimalLiteral(text).value_or(""); };
  if (type == "NM") {
    std::string value = number(check.before(before + "-5"));
    check.expect(before + "-5", value, number(check.after(after + "-5")));
    std::string units = check.before(before + "-6.1");
    std::string system = v2fhir::codingSystemUri(check.before(before + "-6.3"), with.leaf);
    std::string text = check.before(before + "-6.2");
    if (!value.empty()) {
      check.expect(before + "-6.1", system.empty() && !text.empty() ? text : units,
                   check.after(after + "-6.1"));
    }
  } else if (type == "ST" || type == "TX" || type == "FT") {
    auto joined = [](const std::vector<std::optional<std::string>>& lines) {
      std::string text;
      for (std::size_t index = 0; index < lines.size(); ++index) {
        text += (index == 0 ? "" : "\n") + lines[index].value_or("");
      }
      return text;
    };
    check.expect(before + "-5", joined(check.beforeEach(before + "-5")),
                 joined(check.afterEach(after + "-5")));
  } else if (type == "CWE" || type == "CE" || type == "CNE" || type == "CF") {
    if (!check.before(before + "-5.1").empty()) {
      check.expect(before + "-5.1", check.before(before + "-5.1"), check.after(after + "-5.1"));
      check.expect(before + "-5.2", check.before(before + "-5.2"), check.after(after + "-5.2"));
    }
  } else if (type == "ID" || type == "IS") {
    check.expect(before + "-5", check.before(before + "-5.1"), check.after(after + "-5.1"));
  } else if (type == "SN") {
    std::string comparator = check.before(before + "-5.1");
    std::string separator = check.before(before + "-5.3");
    std::string first = number(check.before(before + "-5.2"));
    std::string second = number(check.before(before + "-5.4"));
    if (separator.empty() && (comparator.empty() || comparator == "=")) {
      check.expect(before + "-5.2", first, number(check.after(after + "-5")));
    } else {
      check.expect(before + "-5.1", comparator, check.after(after + "-5.1"));
      check.expect(before + "-5.2", first, number(check.after(after + "-5.2")));
      check.expect(before + "-5.3", separator, check.after(after + "-5.3"));
      check.expect(before + "-5.4", second, number(check.after(after + "-5.4")));
    }
  } else if (type == "NR") {
    check.expect(before + "-5.1", number(check.before(before + "-5.1")),
                 number(check.after(after + "-5.2")));
    check.expect(before + "-5.2", number(check.before(before + "-5.2")),
                 number(check.after(after + "-5.4")));
  } else if (type == "DT" || type == "TS" || type == "DTM") {
    std::string original = check.before(before + "-5.1");
    if (!original.empty()) {
      check.expect(before + "-5", "same instant",
                   sameTime(original, check.after(after + "-5")) ? "same instant" : "");
    }
  }
}

Outcome checkOru(const Mappers& with, const std::string& label, const Message& original) {
  auto returned =
      roundTrip(with, original, fhirv2::MessageChoice::OruR01, label, "DiagnosticReport");
  if (!returned) {
    return {0, {}, {}, true};
  }
  Comparison check(original, *returned);
  // The OBX segments that became results of a report: after an OBR, with a code (CWE.1 or
  // original text). An OBX before any OBR becomes an Observation of no report.
  std::vector<std::string> kept;
  std::size_t occurrence = 0;
  bool in_order = false;
  for (std::size_t index = 0; index < original.segmentCount(); ++index) {
    in_order = in_order || original.segmentId(index) == "OBR";
    if (original.segmentId(index) != "OBX") {
      continue;
    }
    std::string obx = "OBX[" + std::to_string(++occurrence) + "]";
    if (in_order && (!check.before(obx + "-3.1").empty() || !check.before(obx + "-3.9").empty())) {
      kept.push_back(obx);
    }
  }
  std::size_t returned_count = 0;
  for (std::size_t index = 0; index < returned->segmentCount(); ++index) {
    returned_count += returned->segmentId(index) == "OBX" ? 1 : 0;
  }
  if (kept.size() != returned_count) {
    check.fail("OBX count differs");
    return outcomeOf(check);
  }
  static const std::vector<std::string> kStatusTable = {"A", "C", "D", "F", "P", "X", "W"};
  for (std::size_t index = 0; index < kept.size(); ++index) {
    const std::string& before = kept[index];
    std::string after = "OBX[" + std::to_string(index + 1) + "]";
    check.expect(before + "-3.1", check.before(before + "-3.1"), check.after(after + "-3.1"));
    if (!check.before(before + "-3.1").empty()) {
      check.expect(before + "-3.2", check.before(before + "-3.2"), check.after(after + "-3.2"));
      std::string system = v2fhir::codingSystemUri(check.before(before + "-3.3"), with.leaf);
      if (!system.empty()) {
        check.expect(before + "-3.3", system,
                     v2fhir::codingSystemUri(check.after(after + "-3.3"), with.leaf));
      }
    }
    compareObservationValue(check, with, before, after);
    std::string status = check.before(before + "-11");
    if (std::find(kStatusTable.begin(), kStatusTable.end(), status) != kStatusTable.end()) {
      check.expect(before + "-11", status == "D" ? "W" : status, check.after(after + "-11"));
    }
  }
  return outcomeOf(check);
}

// Synthetic ADT messages (made-up people), written for this test.
const std::vector<std::string> kSyntheticAdt = {
    // Several identifiers, names and addresses; a visit with location, attending, admit and
    // discharge times.
    "MSH|^~\\&|TESTAPP|TESTFAC|RCV|RCVFAC|20240105103000||ADT^A08^ADT_A01|SYN1|P|2.5.1\r"
    "EVN|A08|20240105103000\r"
    "PID|1||MRN0001^^^TESTHOSP^MR~MRN0002^^^OTHERHOSP&1.2.840.99&ISO^PI~SSN00^^^SSA^SS||"
    "TESTPATIENT^ALPHA^BETA^JR^DR^^L~TESTALIAS^GAMMA^^^^^A||19800214|F|||"
    "1 TEST STREET^FLAT 2^TESTCITY^TS^12345^USA^H~9 OTHER ROAD^^OTHERTOWN^OT^99999^CAN^B|"
    "|555-0100^PRN^PH|555-0111^WPN^PH||S\r"
    "PV1|1|I|WARD1^101^A^TESTHOSP||||1234^TESTDOCTOR^DELTA^^^DR|5678^TESTREFERRER^EPS||||||"
    "7|||9012^TESTADMITTER^ZETA||VN0001^^^TESTHOSP^VN|||||||||||||||||01||||||||"
    "202401051000|202401101200\r",
    // Times with offsets and seconds; an OID authority; a room without a bed; outpatient.
    "MSH|^~\\&|TESTAPP|TESTFAC|RCV|RCVFAC|20240201080000+0100||ADT^A08^ADT_A01|SYN2|P|2.5.1\r"
    "EVN|A08|20240201080000+0100\r"
    "PID|1||X99^^^&2.16.840.1.113883.19.5&ISO^MR||TESTPATIENT^ETA||198507230815+0100|M|||"
    "^^TESTVILLE^^54321\r"
    "PV1|1|O|CLINIC^12^^TESTHOSP||||4321^TESTDOCTOR^THETA||||||||||||V200^^^TESTHOSP|||||||||||"
    "||||||||||||||20240201073015+0100\r",
    // Delimiters escaped inside values, middle name without first name, unknown sex.
    "MSH|^~\\&|TESTAPP|TESTFAC|RCV|RCVFAC|20240301120000||ADT^A08^ADT_A01|SYN3|P|2.5.1\r"
    "EVN|A08|20240301120000\r"
    "PID|1||AB\\F\\12^^^TEST\\T\\HOSP^MR||O\\S\\BRIEN^^IOTA||1970|U|||"
    "12 \\R\\ STREET^^TEST\\E\\CITY^^11111^GBR\r"
    "PV1|1|E|ER^^3||||77^TESTDOCTOR||||||||||||V300\r",
    // An A01 and an A04: any ADT event returns as A08.
    "MSH|^~\\&|TESTAPP|TESTFAC|RCV|RCVFAC|20240401090000||ADT^A01^ADT_A01|SYN4|P|2.5.1\r"
    "EVN|A01|20240401090000\r"
    "PID|1||MRN0004^^^TESTHOSP^MR||TESTPATIENT^KAPPA^L||20000101|A\r"
    "PV1|1|I|ICU^1^1^TESTHOSP^^^MAIN^2||||11^TESTDOCTOR^LAMBDA||||||||||||V400^^^TESTHOSP|||||"
    "||||||||||||||||||||202404010830\r",
    "MSH|^~\\&|TESTAPP|TESTFAC|RCV|RCVFAC|20240402090000||ADT^A04^ADT_A01|SYN5|P|2.5.1\r"
    "EVN|A04|20240402090000\r"
    "PID|1||MRN0005^^^TESTHOSP^MR||TESTPATIENT^MU||19991231|N|||1 TEST STREET^^TESTCITY\r"
    "PV1|1|O\r",
};

// A synthetic ORU^R01 with one value of each common type.
const std::string kSyntheticOru =
    "MSH|^~\\&|TESTLAB|TESTFAC|RCV|RCVFAC|20240105103000||ORU^R01^ORU_R01|SYNORU|P|2.5.1\r"
    "PID|1||MRN0009^^^TESTHOSP^MR||TESTPATIENT^NU||19900101|F\r"
    "ORC|RE|PLC9^TESTEMR|FIL9^TESTLAB\r"
    "OBR|1|PLC9^TESTEMR|FIL9^TESTLAB|24323-8^TEST PANEL^LN|||202401050900|||||||||||||||"
    "202401051000|||F\r"
    "OBX|1|NM|2345-7^GLUCOSE^LN||005.40|mmol/L^millimole per liter^UCUM|3.9-5.5|H|||F|||"
    "202401050900\r"
    "OBX|2|ST|8251-1^SERVICE COMMENT^LN||SAMPLE \\T\\ HEMOLYSED^SLIGHTLY||||||P\r"
    "OBX|3|CWE|600-7^BLOOD CULTURE^LN||3092008^STAPHYLOCOCCUS AUREUS^SCT||||||C\r"
    "OBX|4|SN|5198-7^HCV AB^LN||>^11.0|s/co^ratio^UCUM|||||F\r"
    "OBX|5|TX|11294-6^NOTES^LN||FIRST LINE~~THIRD LINE||||||F\r"
    "OBX|6|DTM|8665-2^LAST PERIOD^LN||20231224||||||F\r"
    "OBX|7|SN|2093-3^RATIO^LN||^1^:^128||||||D\r"
    "OBX|8|NM|718-7^HEMOGLOBIN^LN||13.5|g/dL|||||I\r";

}  // namespace

BOOST_AUTO_TEST_SUITE(round_trip)

BOOST_AUTO_TEST_CASE(synthetic_oru_keeps_observation_codes_values_units_and_status) {
  Mappers with = mappers();
  auto original = Message::parse(kSyntheticOru);
  BOOST_REQUIRE_MESSAGE(original.isOk(), original.status().toString());

  Outcome outcome = checkOru(with, "synthetic ORU", original.value());

  BOOST_REQUIRE(!outcome.skipped);
  report("synthetic ORU", outcome);
  for (const char* path : {"OBX-3.1", "OBX-3.2", "OBX-3.3", "OBX-5", "OBX-5.1", "OBX-5.2",
                           "OBX-5.3", "OBX-5.4", "OBX-6.1", "OBX-11"}) {
    BOOST_CHECK_MESSAGE(outcome.paths.count(path) == 1, std::string("never compared: ") + path);
  }
}

BOOST_AUTO_TEST_CASE(synthetic_adt_keeps_patient_and_visit_data) {
  Mappers with = mappers();
  std::size_t compared = 0;
  std::set<std::string> paths;

  for (std::size_t index = 0; index < kSyntheticAdt.size(); ++index) {
    auto original = Message::parse(kSyntheticAdt[index]);
    BOOST_REQUIRE_MESSAGE(original.isOk(), original.status().toString());
    std::string label = "synthetic " + std::to_string(index + 1);
    Outcome outcome = checkAdt(with, label, original.value());
    BOOST_CHECK_MESSAGE(!outcome.skipped, label + ": skipped");
    compared += report(label, outcome);
    paths.insert(outcome.paths.begin(), outcome.paths.end());
  }

  BOOST_TEST_MESSAGE("synthetic ADT: " + std::to_string(kSyntheticAdt.size()) + " messages, " +
                     std::to_string(compared) + " values compared");
  for (const char* path :
       {"PID-3.1",   "PID-3.4.1", "PID-3.4.2", "PID-3.4.3", "PID-3.5",    "PID-5.1.1",
        "PID-5.2",   "PID-5.3",   "PID-7",     "PID-8",     "PID-11.1.1", "PID-11.3",
        "PID-11.4",  "PID-11.5",  "PID-11.6",  "PV1-2",     "PV1-3.1.1",  "PV1-3.2/.3/.7/.8",
        "PV1-3.4.1", "PV1-7.1",   "PV1-7.2.1", "PV1-19.1",  "PV1-44",     "PV1-45"}) {
    BOOST_CHECK_MESSAGE(paths.count(path) == 1, std::string("never compared: ") + path);
  }
}

BOOST_AUTO_TEST_CASE(comparison_notices_a_changed_value) {
  Mappers with = mappers();
  auto original = Message::parse(kSyntheticAdt[0]);
  BOOST_REQUIRE(original.isOk());
  auto returned =
      roundTrip(with, original.value(), fhirv2::MessageChoice::AdtA08, "changed", "Patient");
  BOOST_REQUIRE(returned);
  BOOST_REQUIRE(returned->set("PID-11[1].3", "SOMEWHERE ELSE").isOk());
  BOOST_REQUIRE(returned->set("PV1-44", "20240105100001").isOk());
  BOOST_REQUIRE(returned->set("PID-3[2].5", "XX").isOk());

  Comparison check(original.value(), *returned);
  compareAdt(check);

  BOOST_CHECK(
      (check.failures() ==
       std::vector<std::string>{"PID-3[2].5 not kept", "PID-11[1].3 not kept", "PV1-44 not kept"}));
}

BOOST_AUTO_TEST_CASE(times_compare_as_the_same_instant_at_the_original_precision) {
  BOOST_CHECK(sameTime("202401051000", "20240105100000+0000"));
  BOOST_CHECK(sameTime("20240105", "20240105"));
  BOOST_CHECK(sameTime("20240105103000.12+0100", "20240105103000.12+0100"));
  BOOST_CHECK(!sameTime("202401051000+0100", "20240105100000+0000"));
  BOOST_CHECK(!sameTime("20240105", "20240106"));
  BOOST_CHECK(!sameTime("202401051000", "20240105100001+0000"));
}

BOOST_AUTO_TEST_CASE(corpus_adt_a01_a04_a08_keep_patient_and_visit_data) {
  if (ferry::testing::corpusFiles("hl7v2").empty()) {
    BOOST_TEST_MESSAGE("corpus absent: skipped");
    return;
  }
  Mappers with = mappers();
  auto messages = corpusMessages("ADT", {"A01", "A04", "A08"});
  std::size_t compared = 0;
  std::size_t skipped = 0;

  std::set<std::string> paths;
  for (const auto& [label, message] : messages) {
    Outcome outcome = checkAdt(with, label, message);
    skipped += outcome.skipped ? 1 : 0;
    compared += report(label, outcome);
    paths.insert(outcome.paths.begin(), outcome.paths.end());
  }

  BOOST_TEST_MESSAGE("corpus ADT A01/A04/A08: " + std::to_string(messages.size()) + " messages, " +
                     std::to_string(skipped) + " without a Patient, " + std::to_string(compared) +
                     " values compared");
  BOOST_CHECK_GT(messages.size(), skipped);
  for (const char* path :
       {"PID-3.1", "PID-3.4.1", "PID-3.5", "PID-5.1.1", "PID-5.2", "PID-7", "PID-8", "PID-11.1.1",
        "PID-11.3", "PV1-2", "PV1-3.1.1", "PV1-7.1", "PV1-19.1"}) {
    BOOST_CHECK_MESSAGE(paths.count(path) == 1, std::string("never compared: ") + path);
  }
  std::string list;
  for (const std::string& path : paths) {
    list += " " + path;
  }
  BOOST_TEST_MESSAGE("corpus ADT paths compared:" + list);
}

BOOST_AUTO_TEST_CASE(corpus_oru_r01_keeps_observations) {
  if (ferry::testing::corpusFiles("hl7v2").empty()) {
    BOOST_TEST_MESSAGE("corpus absent: skipped");
    return;
  }
  Mappers with = mappers();
  auto messages = corpusMessages("ORU", {"R01"});
  std::size_t compared = 0;
  std::size_t skipped = 0;

  std::set<std::string> paths;
  for (const auto& [label, message] : messages) {
    Outcome outcome = checkOru(with, label, message);
    skipped += outcome.skipped ? 1 : 0;
    compared += report(label, outcome);
    paths.insert(outcome.paths.begin(), outcome.paths.end());
  }

  BOOST_TEST_MESSAGE("corpus ORU^R01: " + std::to_string(messages.size()) + " messages, " +
                     std::to_string(skipped) + " without a DiagnosticReport, " +
                     std::to_string(compared) + " values compared");
  BOOST_CHECK_GT(messages.size(), skipped);
  for (const char* path : {"OBX-3.1", "OBX-3.2", "OBX-3.3", "OBX-5", "OBX-6.1", "OBX-11"}) {
    BOOST_CHECK_MESSAGE(paths.count(path) == 1, std::string("never compared: ") + path);
  }
  std::string list;
  for (const std::string& path : paths) {
    list += " " + path;
  }
  BOOST_TEST_MESSAGE("corpus ORU^R01 paths compared:" + list);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace ferry::mappings
