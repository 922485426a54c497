// De-identification throughput per core, beside plain routing of the same messages.
//
// "Plain" is what every route does to a message anyway: parse it and serialize it again (HL7 v2:
// Message::parse + serialize; FHIR: parseFhirJson + writeJson). Each other row runs one
// transform as the delivery worker would (PayloadTransform::apply on the payload bytes, which
// parses, rewrites and serializes), built through the transform registry from the same config
// a destination would carry, with a key file loaded as in `ferry run`:
//   deidentify              {"type": "deidentify"}                   Safe Harbor
//   deidentify+pseudonyms   {"type": "deidentify", "pseudonyms": true}
//   strip (allow-list)      a 9-path allow-list profile
//
// One thread, so the figures are per core. Workloads: a synthetic ADT^A01 of about 1.2 KB
// (made-up patient, every identifier kind present), the public HL7 v2 corpus when present
// (../shared/corpus/hl7v2, malformed/ left out), a synthetic FHIR Bundle, and the FHIR corpus.
// Every row runs for --seconds (default 1) in --rounds rounds (default 3) interleaved with the
// plain row, and prints the median; "vs plain" is the extra time per message.
//
//   cmake --build build-bench -j2 --target deid_bench
//   build-bench/bench/deid_bench [--seconds S] [--rounds N] [--corpus DIR]
//
// Figures move with machine load; compare rows of one run only.

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "engine/config/config_node.h"
#include "engine/crypto/key_ring.h"
#include "engine/fhir/json_parser.h"
#include "engine/fhir/json_writer.h"
#include "engine/hl7/message.h"
#include "engine/hl7/message_splitter.h"
#include "engine/pipeline/transform.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

namespace hl7 = ferry::engine::hl7;
namespace fhir = ferry::engine::fhir;
namespace pipeline = ferry::engine::pipeline;

// Synthetic, every value made up.
std::string syntheticAdt() {
  return "MSH|^~\\&|SENDAPP|SENDFAC|RECVAPP|RECVFAC|20240102030405+0000||ADT^A01^ADT_A01|"
         "CTRL0000001|P|2.5.1|||AL|NE||UNICODE UTF-8\r"
         "EVN|A01|20240102030405|||OPER9^TESTOPERATOR^OMEGA\r"
         "PID|1||MRN0000001^^^HOSPA&1.2.3&ISO^MR~123456789^^^SSA^SS||TESTPATIENT^ALPHA^Q^^MR||"
         "19700215|F||2106-3^White^CDCREC|1 TEST STREET^APT 9^TESTTOWN^MA^02139-1234^USA^H||"
         "^PRN^PH^^^617^5550100~^NET^Internet^alpha@example.test|^WPN^PH^^^617^5550199|en|M|CHR|"
         "ACCT0000001|123-45-6789|DL987654^MA\r"
         "PD1|||PRIMARY CLINIC^^1234|PCP77^PCPDOCTOR^SIGMA\r"
         "NK1|1|TESTKIN^BETA|SPO^Spouse^HL70063|2 KIN ROAD^^KINTOWN^NH^03801|^PRN^PH^^^603^5550111"
         "||||||||||19650505\r"
         "PV1|1|I|WARD^101^A^HOSPA||||DOC1234^ATTENDINGDOC^EPSILON|||MED||||ADM|||DOC1234^"
         "ATTENDINGDOC^EPSILON|IP||VISIT0000001|||||||||||||||||||||||||20240101080000\r"
         "PV2|||CP^Chest pain^L\r"
         "IN1|1|PLAN1^Gold plan^L|INS001|TEST INSURANCE CO|1 INS WAY^^INSCITY^CA^90210||"
         "^^PH^^^800^5550123|GRP555|EMPLOYERGROUP||||||||TESTINSURED^GAMMA|SEL|19700215|"
         "1 TEST STREET^^TESTTOWN^MA^02139\r"
         "DG1|1||I10^Essential hypertension^I10||20240101\r"
         "OBX|1|NM|8867-4^Heart rate^LN||72|/min^per minute^UCUM|60-100||||F|||20240102030405\r"
         "OBX|2|NM|8480-6^Systolic blood pressure^LN||128|mm[Hg]^mmHg^UCUM|90-140||||F|||"
         "20240102030405\r"
         "OBX|3|ST|NOTE^Note^L||Synthetic note text for the benchmark||||||F\r"
         "AL1|1|DA|PCN^Penicillin^L|MI|Rash|20200101\r";
}

std::string syntheticBundle() {
  return R"({"resourceType":"Bundle","type":"collection","entry":[)"
         R"({"fullUrl":"urn:uuid:11111111-1111-4111-8111-111111111111","resource":{)"
         R"("resourceType":"Patient","id":"11111111-1111-4111-8111-111111111111",)"
         R"("identifier":[{"type":{"coding":[{"system":)"
         R"("http://terminology.hl7.org/CodeSystem/v2-0203","code":"MR"}]},)"
         R"("system":"urn:oid:1.2.3","value":"MRN0000001"}],)"
         R"("name":[{"family":"Testpatient","given":["Alpha"]}],)"
         R"("telecom":[{"system":"phone","value":"617-555-0100"}],)"
         R"("gender":"female","birthDate":"1970-02-15","address":[{"line":["1 Test Street"],)"
         R"("city":"Testtown","state":"MA","postalCode":"02139"}]}},)"
         R"({"fullUrl":"urn:uuid:22222222-2222-4222-8222-222222222222","resource":{)"
         R"("resourceType":"Encounter","id":"22222222-2222-4222-8222-222222222222",)"
         R"("status":"finished",)"
         R"("class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"IMP"},)"
         R"("subject":{"reference":"urn:uuid:11111111-1111-4111-8111-111111111111"},)"
         R"("period":{"start":"2024-01-01T08:00:00Z","end":"2024-01-05T12:00:00Z"}}},)"
         R"({"fullUrl":"urn:uuid:33333333-3333-4333-8333-333333333333","resource":{)"
         R"("resourceType":"Observation","id":"33333333-3333-4333-8333-333333333333",)"
         R"("status":"final",)"
         R"("code":{"coding":[{"system":"http://loinc.org","code":"8867-4",)"
         R"("display":"Heart rate"}]},)"
         R"("subject":{"reference":"urn:uuid:11111111-1111-4111-8111-111111111111"},)"
         R"("effectiveDateTime":"2024-01-02T03:04:05Z","valueQuantity":{"value":72,)"
         R"("unit":"/min","system":"http://unitsofmeasure.org","code":"/min"},)"
         R"("note":[{"text":"Synthetic note"}]}}]})";
}

std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

struct Workload {
  std::string name;
  bool fhir = false;
  std::vector<std::string> messages;
  std::size_t bytes = 0;
};

void add(Workload& workload, std::string message) {
  workload.bytes += message.size();
  workload.messages.push_back(std::move(message));
}

Workload hl7Corpus(const fs::path& corpus) {
  Workload workload{"HL7 v2 corpus", false, {}, 0};
  const fs::path dir = corpus / "hl7v2";
  if (!fs::is_directory(dir)) {
    return workload;
  }
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().parent_path().filename() != "malformed") {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  for (const fs::path& file : files) {
    const std::string bytes = readFile(file);
    for (std::string_view message : hl7::splitMessages(bytes).messages()) {
      if (hl7::Message::parse(message).isOk()) {
        add(workload, std::string(message));
      }
    }
  }
  return workload;
}

Workload fhirCorpus(const fs::path& corpus) {
  Workload workload{"FHIR corpus", true, {}, 0};
  const fs::path dir = corpus / "fhir";
  if (!fs::is_directory(dir)) {
    return workload;
  }
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_regular_file() && name.find(".expected-outcome.") == std::string::npos) {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  for (const fs::path& file : files) {
    std::string bytes = readFile(file);
    auto parsed = fhir::parseFhirJson(bytes);
    if (parsed.isOk() && parsed.value().root.find("resourceType") != nullptr &&
        pipeline::detectPayloadFormat(bytes) == pipeline::PayloadFormat::FhirJson) {
      add(workload, std::move(bytes));
    }
  }
  return workload;
}

// Runs `one` over the workload's messages, round robin, for about `seconds`; messages/second.
double rate(const Workload& workload, double seconds,
            const std::function<bool(const std::string&)>& one) {
  std::size_t done = 0;
  std::size_t failed = 0;
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::duration<double>(seconds);
  while (Clock::now() < deadline) {
    for (const std::string& message : workload.messages) {
      failed += one(message) ? 0 : 1;
      ++done;
    }
  }
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  if (failed > 0) {
    std::fprintf(stderr, "  %zu of %zu runs failed\n", failed, done);
  }
  return static_cast<double>(done) / elapsed;
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

std::unique_ptr<pipeline::PayloadTransform> build(
    const std::string& type, const std::string& json, const ferry::engine::config::ConfigNode* root,
    std::shared_ptr<const ferry::engine::crypto::KeyRing> keys) {
  auto node = ferry::engine::config::ConfigNode::parse(json, "deid_bench");
  const pipeline::TransformFactory* factory = pipeline::findTransformType(type);
  if (!node.isOk() || factory == nullptr) {
    std::fprintf(stderr, "transform type '%s' is not registered\n", type.c_str());
    return nullptr;
  }
  ferry::engine::config::ConfigErrors errors;
  auto transform = (*factory)(node.value(), errors, {std::move(keys), root});
  if (!transform) {
    std::fprintf(stderr, "%s", errors.format().c_str());
  }
  return transform;
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 1.0;
  int rounds = 3;
  fs::path corpus = fs::path(FERRY_BENCH_SOURCE_DIR) / ".." / "shared" / "corpus";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string option = argv[i];
    if (option == "--seconds") {
      seconds = std::stod(argv[i + 1]);
    } else if (option == "--rounds") {
      rounds = std::max(1, std::stoi(argv[i + 1]));
    } else if (option == "--corpus") {
      corpus = argv[i + 1];
    } else {
      std::fprintf(stderr, "unknown option %s\n", option.c_str());
      return 2;
    }
  }

  // A key file as `ferry run` has one; removed at exit.
  const fs::path dir =
      fs::temp_directory_path() / ("ferry-deid-bench-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  auto keys = ferry::engine::crypto::KeyRing::loadOrCreate((dir / "keys.json").string(), true);
  if (!keys.isOk()) {
    std::fprintf(stderr, "%s\n", keys.status().toString().c_str());
    return 1;
  }
  auto root = ferry::engine::config::ConfigNode::parse(
      R"({"strip_profiles": {"bench": {"mode": "allow",
          "hl7v2": ["PID-3", "PID-7", "PID-8", "PV1-2", "OBR-4", "OBX-2", "OBX-3", "OBX-5",
                    "OBX-6"],
          "fhir": ["Patient.gender", "Observation.status", "Observation.code",
                   "Observation.value[x]", "Encounter.status", "Encounter.class",
                   "Bundle.type", "Bundle.entry.resource"]}}})",
      "deid_bench");
  if (!root.isOk()) {
    std::fprintf(stderr, "%s\n", root.status().toString().c_str());
    return 1;
  }

  struct Row {
    std::string name;
    std::unique_ptr<pipeline::PayloadTransform> transform;
  };
  std::vector<Row> rows;
  rows.push_back(
      {"deidentify", build("deidentify", R"({"type": "deidentify"})", nullptr, keys.value())});
  rows.push_back(
      {"deidentify+pseudonyms", build("deidentify", R"({"type": "deidentify", "pseudonyms": true})",
                                      nullptr, keys.value())});
  rows.push_back({"strip (allow-list)", build("strip", R"({"type": "strip", "profile": "bench"})",
                                              &root.value(), keys.value())});
  for (const Row& row : rows) {
    if (!row.transform) {
      return 1;
    }
  }

  std::vector<Workload> workloads;
  Workload adt{"synthetic ADT^A01", false, {}, 0};
  add(adt, syntheticAdt());
  workloads.push_back(std::move(adt));
  workloads.push_back(hl7Corpus(corpus));
  Workload bundle{"synthetic FHIR Bundle", true, {}, 0};
  add(bundle, syntheticBundle());
  workloads.push_back(std::move(bundle));
  workloads.push_back(fhirCorpus(corpus));

  std::printf("De-identification per core (one thread), %d rounds of %.1f s, median\n\n", rounds,
              seconds);
  std::printf("%-22s %-22s %10s %10s %10s\n", "workload", "row", "msg/s", "us/msg", "vs plain");
  for (const Workload& workload : workloads) {
    if (workload.messages.empty()) {
      std::printf("%-22s (not present, skipped)\n", workload.name.c_str());
      continue;
    }
    auto plain = [&](const std::string& message) {
      if (workload.fhir) {
        auto parsed = fhir::parseFhirJson(message);
        return parsed.isOk() && !fhir::writeJson(parsed.value().root).empty();
      }
      auto parsed = hl7::Message::parse(message);
      return parsed.isOk() && !parsed.value().serialize().empty();
    };
    std::vector<double> plain_rates;
    std::vector<std::vector<double>> row_rates(rows.size());
    for (int round = 0; round < rounds; ++round) {
      plain_rates.push_back(rate(workload, seconds, plain));
      for (std::size_t r = 0; r < rows.size(); ++r) {
        const auto& transform = *rows[r].transform;
        row_rates[r].push_back(rate(workload, seconds, [&](const std::string& message) {
          return transform.apply(message, {}).isOk();
        }));
      }
    }
    const double base = median(plain_rates);
    const std::string label = workload.name + " (" + std::to_string(workload.messages.size()) +
                              " msg, " + std::to_string(workload.bytes / workload.messages.size()) +
                              " B avg)";
    std::printf("%s\n", label.c_str());
    std::printf("%-22s %-22s %10.0f %10.2f %10s\n", "", "plain parse+serialize", base, 1e6 / base,
                "");
    for (std::size_t r = 0; r < rows.size(); ++r) {
      const double value = median(row_rates[r]);
      std::printf("%-22s %-22s %10.0f %10.2f %+9.0f%%\n", "", rows[r].name.c_str(), value,
                  1e6 / value, (base / value - 1.0) * 100.0);
    }
  }

  std::error_code ignored;
  fs::remove_all(dir, ignored);
  return 0;
}
