// Field-by-field agreement with the Microsoft FHIR-Converter's expected outputs for the corpus
// messages that have one (../shared/corpus/fhir/fhir-converter-expected). The converter is one
// implementation, not the IG: where they differ on purpose, mappings/CONVERTER_AGREEMENT.md
// says why. This test prints the table and guards against agreement falling below the level
// reached when the table was written.

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iomanip>
#include <map>
#include <sstream>

#include <boost/test/unit_test.hpp>

#include "engine/fhir/json_parser.h"
#include "engine/hl7/message.h"
#include "engine/hl7/message_splitter.h"
#include "mapping_test_support.h"
#include "mappings/v2_fhir/v2_to_fhir.h"
#include "support/test_support.h"

namespace ferry::mappings::v2fhir {

using engine::fhir::JsonValue;
using ferry::testing::resourcesOf;
using ferry::testing::textAt;

namespace {

// Compared elements per resource type; `key` pairs an expected resource with ours (empty:
// the first of that type).
struct Comparison {
  std::string type;
  std::string key;
  std::vector<std::string> fields;
};

const std::vector<Comparison>& comparisons() {
  static const std::vector<Comparison> kComparisons = {
      {"Patient",
       "",
       {"identifier.0.value", "name.0.family", "name.0.given.0", "birthDate", "gender",
        "address.0.line.0", "address.0.city", "address.0.postalCode", "telecom.0.value",
        "maritalStatus.coding.0.code"}},
      {"Encounter",
       "",
       {"class.code", "status", "period.start", "period.end", "identifier.0.value"}},
      {"Observation",
       "code.coding.0.code",
       {"status", "valueQuantity.value", "valueQuantity.unit", "valueString",
        "valueCodeableConcept.coding.0.code", "effectiveDateTime",
        "interpretation.0.coding.0.code"}},
      {"DiagnosticReport",
       "code.coding.0.code",
       {"status", "issued", "effectiveDateTime", "identifier.0.value"}},
      {"ServiceRequest", "", {"status", "intent", "code.coding.0.code"}},
      {"Immunization",
       "vaccineCode.coding.0.code",
       {"status", "occurrenceDateTime", "lotNumber", "doseQuantity.value"}},
      {"Appointment", "", {"status", "start", "end", "minutesDuration"}},
      {"DocumentReference", "", {"status", "docStatus", "type.coding.0.code", "date"}},
      {"Condition", "code.coding.0.code", {"onsetDateTime", "recordedDate"}},
      {"AllergyIntolerance", "code.coding.0.code", {"criticality", "onsetDateTime"}},
      {"Coverage", "", {"status", "subscriberId"}},
  };
  return kComparisons;
}

// Seconds since 1970 for "YYYY-MM-DDThh:mm:ss[.f](Z|+hh:mm)"; -1 for anything else. The
// converter re-expresses stamps in its own machine's offset; the same instant agrees.
long long instantSeconds(const std::string& text) {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (text.size() < 20 || std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &year, &month, &day,
                                      &hour, &minute, &second) != 6) {
    return -1;
  }
  std::size_t zone = text.find_first_of("Z+-", 19);
  if (zone == std::string::npos) {
    return -1;
  }
  long long offset = 0;
  if (text[zone] != 'Z') {
    int zone_hours = 0, zone_minutes = 0;
    if (std::sscanf(text.c_str() + zone + 1, "%2d:%2d", &zone_hours, &zone_minutes) != 2) {
      return -1;
    }
    offset = (zone_hours * 60LL + zone_minutes) * 60 * (text[zone] == '-' ? -1 : 1);
  }
  // Days from civil (proleptic Gregorian), after H. Hinnant's public-domain algorithm.
  year -= month <= 2 ? 1 : 0;
  long long era = (year >= 0 ? year : year - 399) / 400;
  long long year_of_era = year - era * 400;
  long long day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  long long day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  long long days = era * 146097 + day_of_era - 719468;
  return days * 86400 + hour * 3600 + minute * 60 + second - offset;
}

bool sameValue(const std::string& expected, const std::string& ours) {
  if (expected == ours) {
    return true;
  }
  long long left = instantSeconds(expected);
  return left >= 0 && left == instantSeconds(ours);
}

struct Tally {
  std::size_t compared = 0;
  std::size_t agreed = 0;
};

const JsonValue* counterpart(const JsonValue& ours, const Comparison& comparison,
                             const JsonValue& expected) {
  auto candidates = resourcesOf(ours, comparison.type);
  if (candidates.empty()) {
    return nullptr;
  }
  if (comparison.key.empty()) {
    return candidates.front();
  }
  std::string key = textAt(expected, comparison.key);
  for (const JsonValue* candidate : candidates) {
    if (textAt(*candidate, comparison.key) == key) {
      return candidate;
    }
  }
  return nullptr;
}

void compare(const JsonValue& expected_bundle, const JsonValue& ours,
             std::map<std::string, Tally>& by_type, Tally& total) {
  for (const Comparison& comparison : comparisons()) {
    for (const JsonValue* expected : resourcesOf(expected_bundle, comparison.type)) {
      const JsonValue* mine = counterpart(ours, comparison, *expected);
      for (const std::string& field : comparison.fields) {
        std::string want = textAt(*expected, field);
        if (want.empty()) {
          continue;
        }
        bool same = mine != nullptr && sameValue(want, textAt(*mine, field));
        Tally& tally = by_type[comparison.type + "." + field];
        ++tally.compared;
        ++total.compared;
        tally.agreed += same ? 1 : 0;
        total.agreed += same ? 1 : 0;
      }
    }
  }
}

std::string percent(const Tally& tally) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(1)
      << (tally.compared == 0 ? 0.0 : 100.0 * tally.agreed / tally.compared) << "%";
  return out.str();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(converter_agreement)

// Floor: the overall agreement reached when CONVERTER_AGREEMENT.md was written (88.1%),
// rounded down.
constexpr double kAgreementFloor = 0.85;

BOOST_AUTO_TEST_CASE(agreement_with_fhir_converter_does_not_fall_below_the_floor) {
  std::filesystem::path root = ferry::testing::corpusDir();
  std::filesystem::path expected_dir = root / "fhir" / "fhir-converter-expected";
  if (root.empty() || !std::filesystem::is_directory(expected_dir)) {
    BOOST_TEST_MESSAGE("corpus absent: skipped");
    return;
  }
  auto mapper = V2ToFhirMapper::shared();
  BOOST_REQUIRE(mapper.isOk());

  std::map<std::string, Tally> by_type;
  std::vector<std::pair<std::string, Tally>> by_file;
  Tally total;
  std::size_t pairs = 0;
  std::vector<std::filesystem::path> expected_files;
  for (const auto& item : std::filesystem::directory_iterator(expected_dir)) {
    expected_files.push_back(item.path());
  }
  std::sort(expected_files.begin(), expected_files.end());
  for (const auto& expected_path : expected_files) {
    std::string stem = expected_path.filename().string();
    stem = stem.substr(0, stem.size() - std::string("-expected.json").size());
    std::filesystem::path input = root / "hl7v2" / "fhir-converter" / (stem + ".hl7");
    if (!std::filesystem::exists(input)) {
      continue;
    }
    std::string bytes = ferry::testing::readFile(input);
    auto messages = engine::hl7::splitMessages(bytes).messages();
    BOOST_REQUIRE(!messages.empty());
    auto message = engine::hl7::Message::parse(messages.front());
    BOOST_REQUIRE(message.isOk());
    auto ours = mapper.value()->map(message.value());
    std::string expected_text = ferry::testing::readFile(expected_path);
    auto expected = engine::fhir::parseFhirJson(expected_text);
    BOOST_REQUIRE_MESSAGE(expected.isOk(), stem + ": expected output does not parse");
    if (!ours.isOk()) {
      BOOST_TEST_MESSAGE(stem << ": no message map (" << ours.status().context() << ")");
      continue;
    }
    Tally file_tally;
    compare(expected.value().root, ours.value().bundle, by_type, file_tally);
    total.compared += file_tally.compared;
    total.agreed += file_tally.agreed;
    by_file.emplace_back(stem, file_tally);
    ++pairs;
  }

  std::ostringstream table;
  table << "\n| message | compared | agreed | agreement |\n|---|---|---|---|\n";
  for (const auto& [stem, tally] : by_file) {
    table << "| " << stem << " | " << tally.compared << " | " << tally.agreed << " | "
          << percent(tally) << " |\n";
  }
  table << "| **all** | " << total.compared << " | " << total.agreed << " | " << percent(total)
        << " |\n\n| element | compared | agreed | agreement |\n|---|---|---|---|\n";
  for (const auto& [element, tally] : by_type) {
    table << "| " << element << " | " << tally.compared << " | " << tally.agreed << " | "
          << percent(tally) << " |\n";
  }
  BOOST_TEST_MESSAGE(table.str());

  BOOST_REQUIRE_GT(pairs, 0u);
  BOOST_REQUIRE_GT(total.compared, 0u);
  BOOST_CHECK_GE(static_cast<double>(total.agreed) / total.compared, kAgreementFloor);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace ferry::mappings::v2fhir
