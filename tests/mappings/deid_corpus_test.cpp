#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/config/config_node.h"
#include "engine/fhir/definitions.h"
#include "engine/fhir/json_parser.h"
#include "engine/fhir/json_value.h"
#include "engine/fhir/validator.h"
#include "engine/hl7/message.h"
#include "engine/hl7/message_splitter.h"
#include "engine/pipeline/transform.h"
#include "support/test_support.h"

// The acceptance test of issue #5: de-identify every message of the public corpus, then look in
// each output for every identifying value the input held, collected by path for the 18 Safe
// Harbor kinds. None may be found.
//
// What counts as a value to look for: each name, address, telecom and identifier component
// (split at component and subcomponent delimiters), the day-precision part (YYYYMMDD,
// YYYY-MM-DD) of every date, whole free-text and attachment values. Skipped, because they are
// not identifying on their own and would match innocently: values shorter than 3 characters,
// pure years (Safe Harbor keeps the year), and state codes (2 letters, kept by the rule).
//
// A value is found when it occurs in the output as a whole token (not inside a longer word or
// number: "van" is not found in "Advantage", "200" not in "2006"). A value the input also
// holds outside every identifying path (sample files reuse words: an address part "test" that
// is also a relationship's text, an MRN "12345" that is also the patient type code) cannot be
// told apart from that innocent copy; such values are counted as ambiguous and reported, not
// failed. Failure messages name the file, message index, kind and path, never the value.

namespace fhir = ferry::engine::fhir;
namespace hl7 = ferry::engine::hl7;
namespace pipeline = ferry::engine::pipeline;

namespace {

struct Found {
  std::string kind;
  std::string path;
  std::string value;
  const void* origin = nullptr;  // the JSON value it came from (FHIR only)
};

bool isYear(std::string_view value) {
  return value.size() == 4 && value.find_first_not_of("0123456789") == std::string_view::npos;
}

std::string trim(std::string_view text) {
  const std::size_t first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) {
    return {};
  }
  const std::size_t last = text.find_last_not_of(" \t");
  return std::string(text.substr(first, last - first + 1));
}

// Adds a value to look for unless the skip rule (see the top) drops it.
bool addValue(std::vector<Found>& found, const std::string& kind, const std::string& path,
              std::string value, const void* origin = nullptr) {
  value = trim(value);
  if (value.size() < 3 || isYear(value) || value == "\"\"") {
    return false;
  }
  found.push_back({kind, path, std::move(value), origin});
  return true;
}

// ---- HL7 v2 -------------------------------------------------------------------------------

struct Source {
  const char* kind;
  const char* fields;      // "PID-5 PID-6": fields, every occurrence and repetition
  const char* components;  // "1,2,3", or "*" for all, or "=" for the whole value
  // Subcomponents of those components: "*" for all; "1" for an identifier's own value (not
  // its assigning authority's namespace, OID and type, which name an organisation).
  const char* subcomponents = "*";
};

// Where the 18 kinds live in HL7 v2.5 to v2.8 (written independently of the profile's table).
constexpr Source kHl7Sources[] = {
    {"name",
     "PID-5 PID-6 PID-9 NK1-2 NK1-30 GT1-3 GT1-4 GT1-16 GT1-45 IN1-6 IN1-16 IN2-7 IN2-49 "
     "IN2-52 MRG-7",
     "1,2,3"},
    {"name",
     "PD1-4 PV1-7 PV1-8 PV1-9 PV1-17 PV1-52 PV2-13 ORC-10 ORC-11 ORC-12 ORC-19 OBR-10 "
     "OBR-16 OBR-28 OBX-16 OBX-25 EVN-5 ROL-4 PRT-5 TXA-5 TXA-9 TXA-10 TXA-11 AIP-3 "
     "SCH-12 SCH-16 SCH-20 DG1-16 PR1-8 PR1-11 PR1-12 RXA-10 FT1-20 FT1-21 PDA-5 PDA-8 "
     "ACC-7 IN2-3",
     "2,3,4"},
    {"name", "OBR-32 OBR-33 OBR-34 OBR-35", "1", "2,3,4"},
    {"employer", "NK1-13 GT1-51 IN1-9 IN1-11 IN2-70", "1"},
    {"address",
     "PID-11 NK1-4 NK1-32 GT1-5 GT1-17 IN1-5 IN1-19 IN1-44 ACC-11 ROL-11 PRT-14 "
     "ORC-22 ORC-24 OBX-24",
     "1,2,3,5,8,9"},
    {"address", "PID-12 PID-23 ACC-3", "="},
    {"date",
     "MSH-7 EVN-2 EVN-3 EVN-6 PID-7 PID-29 PID-33 NK1-8 NK1-9 NK1-16 PV1-44 PV1-45 "
     "PV2-8 PV2-9 GT1-8 GT1-13 GT1-14 GT1-24 IN1-12 IN1-13 IN1-18 IN1-29 ORC-9 ORC-15 "
     "OBR-6 OBR-7 OBR-8 OBR-14 OBR-22 OBR-36 OBX-14 OBX-19 SPM-17 SPM-18 TQ1-7 TQ1-8 "
     "RXA-3 RXA-4 RXA-16 DG1-5 DG1-19 PR1-5 AL1-6 TXA-4 TXA-6 TXA-7 TXA-8 AIS-4 AIG-8 "
     "AIL-6 AIP-6 PDA-4 PDA-7 ACC-1 DB1-5 DB1-6 DB1-7 DB1-8 RF1-7 RF1-8 RF1-9 PRT-11 "
     "PRT-12 ROL-5 ROL-6 FT1-4 FT1-5 NTE-6 ARV-6",
     "*"},
    {"telecom",
     "PID-13 PID-14 PID-40 NK1-5 NK1-6 NK1-31 NK1-40 NK1-41 GT1-6 GT1-7 GT1-18 "
     "GT1-46 IN1-7 IN2-50 IN2-53 IN2-58 IN2-63 IN2-64 ORC-14 ORC-23 OBR-17 ROL-12 "
     "PRT-15 SCH-13 SCH-17 SCH-21",
     "1,4,7,12"},
    {"identifier",
     "PID-2 PID-3 PID-4 PID-18 PID-19 PID-20 PID-21 NK1-12 NK1-33 NK1-37 IN1-8 "
     "IN1-36 IN1-49 IN2-1 IN2-2 IN2-6 IN2-8 IN2-10 IN2-61 GT1-2 GT1-12 GT1-19 "
     "PV1-5 PV1-19 PV1-50 MRG-1 MRG-2 MRG-3 MRG-4 MRG-5 MRG-6 ORC-2 ORC-3 ORC-4 "
     "OBR-2 OBR-3 OBR-53 SPM-2 SPM-30 SPM-31 TXA-12 TXA-14 TXA-15 TXA-16 SCH-1 "
     "SCH-2 SCH-26 SCH-27 DG1-20 PR1-19 FT1-2 FT1-23 PRB-4 PV1-7 PV1-8 PV1-17 "
     "OBX-16 OBX-21 DB1-3 SAC-1 SAC-2 SAC-3 RF1-6 RF1-11 ROL-1 PRT-1",
     "1", "1"},
    {"device", "OBX-18 PRT-10 PRT-16 PRT-19 PRT-20 RXA-15", "1", "1"},
    {"free text", "NTE-3 OBR-13 PV2-12", "="},
};

std::vector<std::string> words(std::string_view text) {
  std::vector<std::string> result;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find(' ', start);
    if (end == std::string_view::npos) {
      end = text.size();
    }
    if (end > start) {
      result.emplace_back(text.substr(start, end - start));
    }
    start = end + 1;
  }
  return result;
}

std::vector<std::string> split(std::string_view text, char delimiter) {
  std::vector<std::string> pieces;
  std::size_t start = 0;
  while (true) {
    const std::size_t end =
        delimiter == '\0' ? std::string_view::npos : text.find(delimiter, start);
    pieces.emplace_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) {
      return pieces;
    }
    start = end + 1;
  }
}

bool wanted(const std::string& components, std::size_t index) {
  if (components == "*") {
    return true;
  }
  for (const std::string& number : split(components, ',')) {
    if (std::stoul(number) == index) {
      return true;
    }
  }
  return false;
}

void collectHl7(const hl7::Message& message, std::vector<Found>& found) {
  const hl7::Delimiters& d = message.delimiters();
  for (const Source& source : kHl7Sources) {
    for (const std::string& field : words(source.fields)) {
      const std::string path = field.substr(0, 3) + "[*]" + field.substr(3) + "[*]";
      auto values = message.getAll(path);
      if (!values.isOk()) {
        continue;
      }
      for (const std::string& value : values.value()) {
        if (std::string(source.components) == "=") {
          addValue(found, source.kind, field, value);
          continue;
        }
        const auto components = split(value, d.component);
        for (std::size_t c = 1; c <= components.size(); ++c) {
          if (!wanted(source.components, c)) {
            continue;
          }
          const auto subcomponents = split(components[c - 1], d.subcomponent);
          for (std::size_t sub = 1; sub <= subcomponents.size(); ++sub) {
            if (!wanted(source.subcomponents, sub)) {
              continue;
            }
            const std::string& token = subcomponents[sub - 1];
            if (std::string_view(source.kind) == "date") {
              if (token.size() >= 8 &&
                  token.substr(0, 8).find_first_not_of("0123456789") == std::string::npos) {
                addValue(found, source.kind, field, token.substr(0, 8));
              }
            } else {
              addValue(found, source.kind, field, token);
            }
          }
        }
      }
    }
  }
  // OBX-5 by value type: free text and attachments whole.
  for (std::size_t i = 0, obx = 0; i < message.segmentCount(); ++i) {
    if (message.segmentId(i) != "OBX") {
      continue;
    }
    ++obx;
    const std::string prefix = "OBX[" + std::to_string(obx) + "]-";
    auto type = message.get(prefix + "2");
    const std::string kind = type.isOk() && type.value() ? *type.value() : "";
    if (kind == "ST" || kind == "TX" || kind == "FT" || kind == "ED" || kind == "RP") {
      auto value = message.get(prefix + "5");
      if (value.isOk() && value.value()) {
        addValue(found, kind == "ED" || kind == "RP" ? "attachment" : "free text", "OBX-5",
                 *value.value());
      }
    }
  }
}

// The fields kHl7Sources reads, and OBX-5.
bool isSourceField(const std::string& field) {
  if (field == "OBX-5") {
    return true;
  }
  for (const Source& source : kHl7Sources) {
    for (const std::string& listed : words(source.fields)) {
      if (listed == field) {
        return true;
      }
    }
  }
  return false;
}

// Decoded text of every field of a message, to search next to its raw bytes; with
// `innocent_only`, only of the fields that are not identifying sources.
std::string decodedText(const hl7::Message& message, bool innocent_only = false) {
  std::string text;
  std::vector<std::size_t> occurrences;
  std::vector<std::string> ids;
  for (std::size_t i = 0; i < message.segmentCount(); ++i) {
    const std::string id(message.segmentId(i));
    std::size_t occurrence = 1;
    for (const std::string& seen : ids) {
      occurrence += seen == id ? 1 : 0;
    }
    ids.push_back(id);
    const std::size_t fields = split(message.rawSegment(i), message.delimiters().field).size();
    for (std::size_t f = 1; f < fields + 1; ++f) {
      if (innocent_only && isSourceField(id + "-" + std::to_string(f))) {
        continue;
      }
      auto values =
          message.getAll(id + "[" + std::to_string(occurrence) + "]-" + std::to_string(f) + "[*]");
      if (values.isOk()) {
        for (const std::string& value : values.value()) {
          text += value;
          text += '\n';
        }
      }
    }
  }
  return text;
}

// ---- FHIR ---------------------------------------------------------------------------------

bool isDayDate(const std::string& text) {
  return text.size() >= 10 &&
         text.substr(0, 4).find_first_not_of("0123456789") == std::string::npos && text[4] == '-' &&
         text[7] == '-';
}

void addStrings(const fhir::JsonValue& value, const std::string& kind, const std::string& path,
                std::vector<Found>& found) {
  if (value.isString()) {
    addValue(found, kind, path, std::string(value.text()), &value);
  } else if (value.isArray()) {
    for (const fhir::JsonValue& item : value.elements()) {
      addStrings(item, kind, path, found);
    }
  }
}

void collectFhir(const fhir::JsonValue& value, const std::string& path, const std::string& member,
                 std::vector<Found>& found) {
  if (value.isString()) {
    if (isDayDate(std::string(value.text())) && member != "id") {
      addValue(found, "date", path, std::string(value.text().substr(0, 10)), &value);
    }
    return;
  }
  if (value.isArray()) {
    for (const fhir::JsonValue& item : value.elements()) {
      collectFhir(item, path, member, found);
    }
    return;
  }
  if (!value.isObject()) {
    return;
  }
  const bool name = member == "name" && (value.find("family") || value.find("given"));
  const bool address = member == "address" || member == "valueAddress";
  for (const auto& [key, child] : value.members()) {
    const std::string child_path = path + "." + key;
    if (name && (key == "family" || key == "given" || key == "text")) {
      addStrings(child, "name", child_path, found);
    } else if (address && (key == "line" || key == "city" || key == "district" || key == "text" ||
                           key == "postalCode")) {
      addStrings(child, "address", child_path, found);
    } else if (member == "telecom" && key == "value") {
      addStrings(child, "telecom", child_path, found);
    } else if (member == "identifier" && key == "value") {
      addStrings(child, "identifier", child_path, found);
    } else if (key == "display" && value.find("reference") != nullptr) {
      addStrings(child, "name", child_path, found);
    } else if (key == "data" || key == "div" || key == "valueString" ||
               (member == "note" && key == "text")) {
      addStrings(child, "free text", child_path, found);
    }
    collectFhir(child, child_path, key, found);
  }
}

// Every string of a tree, one a line; leaves out the values in `skip` (identifying ones).
void allStrings(const fhir::JsonValue& value, std::string& out,
                const std::vector<Found>* skip = nullptr) {
  if (value.isString()) {
    bool identifying = false;
    for (std::size_t i = 0; skip != nullptr && i < skip->size() && !identifying; ++i) {
      identifying = (*skip)[i].origin == &value;
    }
    if (!identifying) {
      out += value.text();
      out += '\n';
    }
  }
  for (const fhir::JsonValue& item : value.elements()) {
    allStrings(item, out, skip);
  }
  for (const auto& member : value.members()) {
    allStrings(member.second, out, skip);
  }
}

std::unique_ptr<pipeline::PayloadTransform> deidentifier() {
  const pipeline::TransformFactory* factory = pipeline::findTransformType("deidentify");
  BOOST_REQUIRE(factory != nullptr);
  auto node = ferry::engine::config::ConfigNode::parse(R"({"type": "deidentify"})", "test");
  BOOST_REQUIRE(node.isOk());
  ferry::engine::config::ConfigErrors errors;
  auto transform = (*factory)(node.value(), errors, {});
  BOOST_REQUIRE_MESSAGE(transform, errors.format());
  return transform;
}

bool isAlnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// True when `value` occurs in `text` as a whole token.
bool containsToken(const std::string& text, const std::string& value) {
  for (std::size_t at = text.find(value); at != std::string::npos; at = text.find(value, at + 1)) {
    const bool open = at == 0 || !isAlnum(value.front()) || !isAlnum(text[at - 1]);
    const std::size_t end = at + value.size();
    const bool close = end == text.size() || !isAlnum(value.back()) || !isAlnum(text[end]);
    if (open && close) {
      return true;
    }
  }
  return false;
}

struct Tally {
  std::size_t searched = 0;
  std::size_t ambiguous = 0;
};

void checkNoneFound(const std::vector<Found>& found, const std::string& output,
                    const std::string& innocent, const std::string& where, Tally& tally) {
  for (const Found& item : found) {
    ++tally.searched;
    if (!containsToken(output, item.value)) {
      continue;
    }
    if (containsToken(innocent, item.value)) {
      ++tally.ambiguous;
      continue;
    }
    // Name the path and the message, never the value.
    BOOST_ERROR(where << ": " << item.kind << " value from " << item.path << " is in the output");
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(deid_corpus)

BOOST_AUTO_TEST_CASE(no_identifying_value_of_any_hl7_corpus_message_survives) {
  const auto files = ferry::testing::corpusFiles("hl7v2");
  if (files.empty()) {
    BOOST_TEST_MESSAGE("corpus/hl7v2 not found; skipping");
    return;
  }
  auto transform = deidentifier();

  std::size_t messages = 0;
  Tally tally;
  for (const auto& path : files) {
    if (path.parent_path().filename() == "malformed") {
      continue;
    }
    const std::string file = ferry::testing::readFile(path);
    const hl7::SplitResult split = hl7::splitMessages(file);
    std::size_t index = 0;
    for (std::string_view bytes : split.messages()) {
      ++index;
      const std::string where = path.filename().string() + " message " + std::to_string(index);
      auto input = hl7::Message::parse(bytes);
      if (!input.isOk()) {
        continue;  // the parser's own corpus test covers what does not parse
      }
      ++messages;
      auto result = transform->apply(bytes, {});
      BOOST_REQUIRE_MESSAGE(result.isOk(), where << ": " << result.status().toString());
      auto output = hl7::Message::parse(result.value().payload);
      BOOST_REQUIRE_MESSAGE(output.isOk(),
                            where << ": output does not parse: " << output.status().toString());

      std::vector<Found> found;
      collectHl7(input.value(), found);
      checkNoneFound(found, result.value().payload + "\n" + decodedText(output.value()),
                     decodedText(input.value(), true), where, tally);
    }
  }
  BOOST_TEST_MESSAGE(messages << " HL7 v2 messages de-identified, " << tally.searched
                              << " identifying values searched for, " << tally.ambiguous
                              << " also held outside identifying fields");
  BOOST_CHECK_GT(messages, 0u);
  BOOST_CHECK_GT(tally.searched, 0u);
}

BOOST_AUTO_TEST_CASE(no_identifying_value_of_any_fhir_corpus_resource_survives) {
  const auto files = ferry::testing::corpusFiles("fhir");
  if (files.empty()) {
    BOOST_TEST_MESSAGE("corpus/fhir not found; skipping");
    return;
  }
  auto transform = deidentifier();
  auto definitions = fhir::Definitions::builtIn();
  BOOST_REQUIRE(definitions.isOk());
  fhir::Validator validator(definitions.value());

  std::size_t resources = 0;
  std::size_t validated = 0;
  Tally tally;
  for (const auto& path : files) {
    const std::string name = path.filename().string();
    if (name.find(".expected-outcome.json") != std::string::npos) {
      continue;
    }
    const std::string bytes = ferry::testing::readFile(path);
    auto input = fhir::parseFhirJson(bytes);
    if (!input.isOk() || !input.value().root.isObject() ||
        input.value().root.find("resourceType") == nullptr ||
        pipeline::detectPayloadFormat(bytes) != pipeline::PayloadFormat::FhirJson) {
      continue;  // not a FHIR resource at all (broken JSON samples, converter inputs)
    }
    const bool input_valid = !fhir::hasErrors(validator.validateText(bytes));
    auto result = transform->apply(bytes, {});
    if (!result.isOk()) {
      // Only a resource that is itself invalid may be refused.
      BOOST_CHECK_MESSAGE(!input_valid, name << ": " << result.status().toString());
      continue;
    }
    ++resources;
    auto output = fhir::parseFhirJson(result.value().payload);
    BOOST_REQUIRE_MESSAGE(output.isOk(), name << ": output does not parse as JSON");
    if (input_valid) {
      ++validated;
      auto issues = validator.validateText(result.value().payload);
      BOOST_CHECK_MESSAGE(!fhir::hasErrors(issues), name << ": output does not validate\n"
                                                         << fhir::formatIssues(issues));
    }

    std::vector<Found> found;
    collectFhir(input.value().root, std::string(input.value().root.find("resourceType")->text()),
                "", found);
    std::string text = result.value().payload + "\n";
    allStrings(output.value().root, text);
    std::string innocent;
    allStrings(input.value().root, innocent, &found);
    checkNoneFound(found, text, innocent, name, tally);
  }
  BOOST_TEST_MESSAGE(resources << " FHIR resources de-identified (" << validated << " validated), "
                               << tally.searched << " identifying values searched for, "
                               << tally.ambiguous << " also held outside identifying elements");
  BOOST_CHECK_GT(resources, 0u);
  BOOST_CHECK_GT(tally.searched, 0u);
}

BOOST_AUTO_TEST_SUITE_END()
