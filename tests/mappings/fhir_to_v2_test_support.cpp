#include "fhir_to_v2_test_support.h"

#include <chrono>
#include <ctime>

#include <boost/test/unit_test.hpp>

#include "engine/fhir/json_parser.h"
#include "engine/hl7/validator.h"

namespace ferry::mappings::fhirv2 {

namespace {

// 2024-01-05T10:30:00Z.
constexpr std::time_t kClockSeconds = 1704450600;

}  // namespace

FhirToV2Options fixedOptions(MessageChoice choice) {
  FhirToV2Options options;
  options.message = choice;
  options.clock = [] { return std::chrono::system_clock::from_time_t(kClockSeconds); };
  return options;
}

engine::Result<V2MapOutput> mapText(const std::string& json, const FhirToV2Options& options) {
  auto parsed = engine::fhir::parseFhirJson(json);
  BOOST_REQUIRE_MESSAGE(parsed.isOk(), parsed.status().toString());
  BOOST_REQUIRE(!engine::fhir::hasErrors(parsed.value().issues));
  auto mapper = FhirToV2Mapper::shared();
  BOOST_REQUIRE_MESSAGE(mapper.isOk(), mapper.status().toString());
  return mapper.value()->map(parsed.value().root, options);
}

V2MapOutput mapOrFail(const std::string& json, const FhirToV2Options& options) {
  auto output = mapText(json, options);
  BOOST_REQUIRE_MESSAGE(output.isOk(), output.status().toString());
  return std::move(output).value();
}

engine::hl7::Message parseOrFail(const V2MapOutput& output) {
  auto message = engine::hl7::Message::parse(output.message);
  BOOST_REQUIRE_MESSAGE(message.isOk(), message.status().toString());
  std::vector<engine::hl7::AckErrorDetail> problems;
  engine::Status status = engine::hl7::validateForIngest(message.value(), problems);
  BOOST_REQUIRE_MESSAGE(status.isOk(), status.toString());
  BOOST_CHECK_MESSAGE(problems.empty(), "ingest warnings on the mapped message");
  return std::move(message).value();
}

std::string at(const engine::hl7::Message& message, const std::string& path) {
  auto value = message.get(path);
  BOOST_REQUIRE_MESSAGE(value.isOk(), path);
  return value.value().value_or("");
}

std::vector<std::string> segmentIds(const engine::hl7::Message& message) {
  std::vector<std::string> ids;
  for (std::size_t index = 0; index < message.segmentCount(); ++index) {
    ids.emplace_back(message.segmentId(index));
  }
  return ids;
}

}  // namespace ferry::mappings::fhirv2
