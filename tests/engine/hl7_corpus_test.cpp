#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <filesystem>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "engine/hl7/ack_builder.h"
#include "engine/hl7/message.h"
#include "engine/hl7/message_splitter.h"
#include "engine/hl7/validator.h"
#include "support/test_support.h"

// Runs the parser over the public sample corpus (real files from other HL7 projects) and over
// deterministic mutations of our own synthetic messages. The point is robustness: byte-exact
// round trips for every well-formed file and clean, located errors for everything else.

namespace hl7 = ferry::engine::hl7;

namespace {

bool isMalformedSample(const std::filesystem::path& path) {
  return path.parent_path().filename() == "malformed";
}

std::string reassemble(const hl7::SplitResult& result) {
  std::string bytes;
  for (const hl7::FilePart& part : result.parts) {
    bytes += part.bytes;
  }
  return bytes;
}

hl7::AckRequest rejectRequest() {
  hl7::AckRequest request;
  request.msa_code = "AR";
  request.ack_control_id = "ACK1";
  request.timestamp = "20240101000000+0000";
  return request;
}

// Reads, validates and acknowledges a parsed message the way ingest and routes do.
void exercise(const hl7::Message& message) {
  for (std::string_view path : {"MSH-9", "MSH-10", "PID-3", "PID-5.1", "PID-3[2].1", "OBX[3]-5",
                                "MSH-2", "MSH-1", "ZZZ-1.1.1"}) {
    (void)message.get(path);
  }
  (void)message.getAll("OBX[*]-5");
  (void)message.getAll("PID-3[*].1");
  std::vector<hl7::AckErrorDetail> problems;
  (void)hl7::validateForIngest(message, problems);
  (void)hl7::patientIdentifiers(message);
  hl7::AckRequest request = rejectRequest();
  request.errors = problems;
  auto ack = hl7::Message::parse(hl7::buildAck(message, request));
  BOOST_CHECK_MESSAGE(ack.isOk(), "ACK does not parse: " << ack.status().toString());
}

// Our synthetic messages, one string each.
std::vector<std::string> seedMessages() {
  std::vector<std::string> seeds;
  for (const char* name : {"adt_a01.hl7", "oru_r01_wrapped_lf.hl7", "latin1_8859_1.hl7",
                           "v27_truncation.hl7", "batch.hl7"}) {
    std::string file = ferry::testing::readFile(ferry::testing::testDataDir() / "hl7" / name);
    for (std::string_view message : hl7::splitMessages(file).messages()) {
      seeds.emplace_back(message);
    }
  }
  return seeds;
}

class Mutator {
 public:
  explicit Mutator(std::uint32_t seed) : generator_(seed) {}

  std::size_t below(std::size_t bound) { return bound == 0 ? 0 : generator_() % bound; }

  void mutate(std::string& bytes) {
    static const std::string kSpecial = "|^~\\&#\r\n \xEF\xBB\xBF\xC3\xFF";
    switch (below(7)) {
      case 0:  // flip bits of one byte
        if (!bytes.empty()) {
          bytes[below(bytes.size())] ^= static_cast<char>(1u << below(8));
        }
        break;
      case 1:  // overwrite with a delimiter, line break or 8-bit byte
        if (!bytes.empty()) {
          bytes[below(bytes.size())] = kSpecial[below(kSpecial.size())];
        }
        break;
      case 2:  // truncate
        bytes.resize(below(bytes.size() + 1));
        break;
      case 3:  // inject a run of one delimiter
        bytes.insert(below(bytes.size() + 1), 1 + below(64), kSpecial[below(6)]);
        break;
      case 4:  // delete a range
        if (!bytes.empty()) {
          const std::size_t at = below(bytes.size());
          bytes.erase(at, 1 + below(16));
        }
        break;
      case 5: {  // duplicate a range (segments, fields)
        const std::size_t at = below(bytes.size() + 1);
        const std::size_t length = below(bytes.size() - at + 1);
        bytes.insert(below(bytes.size() + 1), bytes.substr(at, length));
        break;
      }
      default:  // break a line in two
        bytes.insert(below(bytes.size() + 1), below(2) == 0 ? "\r" : "\n");
        break;
    }
  }

 private:
  std::mt19937 generator_;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(hl7_corpus)

BOOST_AUTO_TEST_CASE(every_wellformed_corpus_file_splits_parses_and_round_trips) {
  const auto files = ferry::testing::corpusFiles("hl7v2");
  if (files.empty()) {
    BOOST_TEST_MESSAGE("corpus/hl7v2 not found; skipping");
    return;
  }

  std::size_t messages = 0;
  for (const auto& path : files) {
    if (isMalformedSample(path)) {
      continue;
    }
    const std::string file = ferry::testing::readFile(path);
    BOOST_TEST_CONTEXT(path.filename().string()) {
      hl7::SplitResult split = hl7::splitMessages(file);

      BOOST_CHECK(reassemble(split) == file);
      if (split.messages().empty()) {
        BOOST_CHECK(split.hasErrors());
      }
      for (std::string_view bytes : split.messages()) {
        ++messages;
        auto parsed = hl7::Message::parse(bytes);
        if (!parsed.isOk()) {
          BOOST_ERROR(parsed.status().toString());
          continue;
        }
        const hl7::Message& message = parsed.value();
        BOOST_CHECK(message.serialize() == bytes);
        BOOST_CHECK_EQUAL(message.segmentId(0), "MSH");
        exercise(message);

        auto wire = hl7::toWireFormat(bytes);
        BOOST_CHECK_MESSAGE(wire.isOk(), wire.status().toString());
        auto reparsed = hl7::Message::parse(wire.isOk() ? wire.value() : std::string());
        if (reparsed.isOk()) {
          BOOST_CHECK_EQUAL(reparsed.value().segmentCount(), message.segmentCount());
          BOOST_CHECK_EQUAL(reparsed.value().controlId(), message.controlId());
        } else {
          BOOST_ERROR("wire format does not parse: " << reparsed.status().toString());
        }
      }
    }
  }
  BOOST_TEST_MESSAGE(messages << " corpus messages parsed and round-tripped");
  BOOST_CHECK_GT(messages, 0u);
}

BOOST_AUTO_TEST_CASE(every_malformed_corpus_file_gives_a_clean_error_or_parse) {
  const auto files = ferry::testing::corpusFiles("hl7v2");
  if (files.empty()) {
    BOOST_TEST_MESSAGE("corpus/hl7v2 not found; skipping");
    return;
  }

  std::size_t seen = 0;
  for (const auto& path : files) {
    if (!isMalformedSample(path)) {
      continue;
    }
    ++seen;
    const std::string file = ferry::testing::readFile(path);
    BOOST_TEST_CONTEXT(path.filename().string()) {
      hl7::SplitResult split = hl7::splitMessages(file);
      BOOST_CHECK(reassemble(split) == file);

      hl7::ErrorLocation location;
      auto parsed = hl7::Message::parse(file, {}, &location);
      if (parsed.isOk()) {
        BOOST_CHECK(parsed.value().serialize() == file);
        exercise(parsed.value());
      } else {
        BOOST_CHECK_GE(location.segment_index, 1u);
        BOOST_CHECK_LE(location.byte_offset, file.size());
        BOOST_CHECK(!parsed.status().context().empty());
        auto ack = hl7::Message::parse(hl7::buildAckForUnparsed(file, rejectRequest()));
        BOOST_CHECK_MESSAGE(ack.isOk(), ack.status().toString());
      }
    }
  }
  BOOST_CHECK_GT(seen, 0u);
}

BOOST_AUTO_TEST_CASE(mutated_messages_never_crash_and_errors_carry_a_location) {
  const std::vector<std::string> seeds = seedMessages();
  BOOST_REQUIRE_GE(seeds.size(), 5u);
  Mutator mutator(0x5eed1u);
  hl7::ParseLimits tight;
  tight.max_segments = 12;
  tight.max_fields_per_segment = 40;
  tight.max_repetitions_per_field = 8;
  tight.max_components = 12;
  tight.max_subcomponents = 6;

  std::size_t parsed_count = 0;
  std::size_t failed_count = 0;
  for (int round = 0; round < 4000; ++round) {
    std::string bytes = seeds[mutator.below(seeds.size())];
    const std::size_t edits = 1 + mutator.below(3);
    for (std::size_t i = 0; i < edits; ++i) {
      mutator.mutate(bytes);
    }
    const hl7::ParseLimits limits = round % 4 == 0 ? tight : hl7::ParseLimits{};

    hl7::ErrorLocation location;
    auto parsed = hl7::Message::parse(bytes, limits, &location);

    if (parsed.isOk()) {
      ++parsed_count;
      hl7::Message message = std::move(parsed).value();
      BOOST_REQUIRE(message.serialize() == bytes);
      exercise(message);
      if (message.set("PID-5.2", "NEWNAME").isOk()) {
        BOOST_CHECK(hl7::Message::parse(message.serialize(), limits).isOk());
      }
      (void)hl7::toWireFormat(bytes, limits);
    } else {
      ++failed_count;
      BOOST_REQUIRE_MESSAGE(location.segment_index >= 1,
                            "round " << round << ": " << parsed.status().toString());
      BOOST_REQUIRE_LE(location.byte_offset, bytes.size());
      BOOST_CHECK(parsed.status().context().find("byte ") != std::string::npos);
      BOOST_CHECK(parsed.status().context().find("TESTPATIENT") == std::string::npos);
      auto ack = hl7::Message::parse(hl7::buildAckForUnparsed(bytes, rejectRequest()));
      BOOST_REQUIRE_MESSAGE(ack.isOk(), "round " << round << ": " << ack.status().toString());
    }
    hl7::SplitResult split = hl7::splitMessages(bytes);
    BOOST_REQUIRE(reassemble(split) == bytes);
  }
  BOOST_TEST_MESSAGE(parsed_count << " mutations parsed, " << failed_count << " refused");
  // Both outcomes must occur, or the mutations test nothing.
  BOOST_CHECK_GT(parsed_count, 100u);
  BOOST_CHECK_GT(failed_count, 100u);
}

BOOST_AUTO_TEST_SUITE_END()
