// HL7 v2 -> FHIR mapping throughput on one core, for ADT^A01 and ORU^R01 with 10 OBX. Rows:
//   map                  a parsed message to a Bundle tree
//   parse + map + write  bytes in, compact JSON bytes out (the figure issue #4 sets a goal for)
//   transform            the registered "mapping" transform as a route runs it: the above, then
//                        the output checked by the FHIR validator, and the coverage actions
// Prints messages per second of wall time and per second of this thread's CPU time (the
// per-core figure; on a shared machine the wall-clock rate also counts the time other processes
// held the core). Asserts nothing.
//
// Usage: mapping_bench [--seconds S] [--count N] [--only adt|oru]
//                      [--mode map|full|transform|all] [--dump]
//   --seconds S  time each row for S seconds (default 2)
//   --count N    run exactly N messages per row instead (for callgrind, see bench/README.md)
//   --mode       the rows to run (default all)
//   --dump       print the compact Bundle of each message and exit (to compare outputs)
//
// Under callgrind, `--toggle-collect='*parseMapWrite*'` (or `'*mapParsed*'`,
// `'*applyTransform*'`) counts exactly the per-message work; divide the total by N.

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <memory>
#include <string>

#include "engine/config/config_node.h"
#include "engine/fhir/json_writer.h"
#include "engine/hl7/message.h"
#include "engine/pipeline/transform.h"
#include "mappings/v2_fhir/v2_to_fhir.h"

namespace {

using Clock = std::chrono::steady_clock;
using ferry::engine::hl7::Message;
using ferry::engine::pipeline::PayloadTransform;
using ferry::mappings::v2fhir::V2ToFhirMapper;

struct Options {
  double seconds = 2.0;
  long count = 0;  // 0: timed by seconds
  std::string only;
  std::string mode = "all";
  bool dump = false;
};

std::string adtA01() {
  return "MSH|^~\\&|TESTAPP|TESTFAC^1.2.3.4^ISO|RCVAPP|RCVFAC|20240105103000||ADT^A01^ADT_A01|"
         "CTRL0001|P|2.5.1\r"
         "EVN|A01|20240105103000\r"
         "PID|1||MRN0001^^^TESTHOSP^MR~SSN999^^^^SS||TESTPATIENT^ALPHA^B^^DR||19800214|F|||"
         "1 TEST STREET^APT 2^TESTVILLE^TS^12345^USA^H||^PRN^PH^^1^555^1234567|||M\r"
         "NK1|1|TESTKIN^BETA|SPO^Spouse^HL70063|1 TEST STREET^^TESTVILLE^TS^12345\r"
         "PV1|1|I|WARD1^101^A^TESTHOSP||||DOC001^TESTDOCTOR^BETA^^^DR|||MED|||||||||"
         "V0001^^^TESTHOSP^VN|||||||||||||||||||||||||20240105100000\r"
         "AL1|1|DA|PEN^Penicillin^L|SV|Rash\r"
         "DG1|1||I10^Hypertension^I10|||A\r";
}

std::string oruR01() {
  std::string text =
      "MSH|^~\\&|LAB|TESTFAC|RCVAPP|RCVFAC|20240105103000||ORU^R01^ORU_R01|CTRL0002|P|2.5.1\r"
      "PID|1||MRN0001^^^TESTHOSP^MR||TESTPATIENT^ALPHA||19800214|F\r"
      "ORC|RE|PLC100|FIL100||CM\r"
      "OBR|1|PLC100|FIL100|24331-1^Lipid panel^LN|||20240105080000|||||||||DOC002^TESTORDERER|||"
      "|||20240105090000||CH|F\r";
  for (int index = 1; index <= 10; ++index) {
    text += "OBX|" + std::to_string(index) + "|NM|2093-" + std::to_string(index) + "^Analyte^LN||" +
            std::to_string(100 + index) + ".5|mg/dL^mg/dL^UCUM|50-150|N|||F|||20240105085500\r";
  }
  return text;
}

std::unique_ptr<PayloadTransform> makeTransform() {
  auto node = ferry::engine::config::ConfigNode::parse(
      R"({"type": "mapping", "mapping": "v2-to-fhir"})", "mapping_bench");
  const auto* factory = ferry::engine::pipeline::findTransformType("mapping");
  if (!node.isOk() || factory == nullptr) {
    return nullptr;
  }
  ferry::engine::config::ConfigErrors errors;
  auto transform =
      (*factory)(node.value(), errors, ferry::engine::pipeline::TransformEnvironment{});
  if (!transform) {
    std::cerr << errors.format();
  }
  return transform;
}

// The units of work, kept out of line so that callgrind can count each by name.
[[gnu::noinline]] std::size_t mapParsed(const V2ToFhirMapper& mapper, const Message& message) {
  auto output = mapper.map(message);
  return output.value().entries;
}

[[gnu::noinline]] std::size_t parseMapWrite(const V2ToFhirMapper& mapper, const std::string& text) {
  auto message = Message::parse(text);
  auto output = mapper.map(message.value());
  return ferry::engine::fhir::writeJson(output.value().bundle).size();
}

[[gnu::noinline]] std::size_t applyTransform(const PayloadTransform& transform,
                                             const std::string& text) {
  auto result = transform.apply(text, ferry::engine::pipeline::TransformContext{"1", "r", "d"});
  return result.isOk() ? result.value().payload.size() : 0;
}

double threadCpuSeconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

struct Rate {
  long wall = 0;  // messages per second of wall time
  long cpu = 0;   // messages per second of CPU time
};

std::ostream& operator<<(std::ostream& out, const Rate& rate) {
  return out << rate.wall << " msg/s (" << rate.cpu << " per CPU second)";
}

// Runs `work` for options.seconds (or options.count times).
template <typename Work>
Rate run(const Options& options, Work work) {
  long count = 0;
  auto deadline = Clock::now() + std::chrono::duration<double>(options.seconds);
  auto start = Clock::now();
  double cpu_start = threadCpuSeconds();
  auto more = [&] { return options.count > 0 ? count < options.count : Clock::now() < deadline; };
  while (more()) {
    for (int batch = 0; batch < 100 && (options.count == 0 || count < options.count); ++batch) {
      work();
      ++count;
    }
  }
  double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  double cpu = threadCpuSeconds() - cpu_start;
  return Rate{static_cast<long>(count / elapsed), static_cast<long>(count / cpu)};
}

void measure(const char* label, const V2ToFhirMapper& mapper, const PayloadTransform& transform,
             const std::string& text, const Options& options) {
  auto parsed = Message::parse(text);
  auto check = mapper.map(parsed.value());
  if (!parsed.isOk() || !check.isOk() || applyTransform(transform, text) == 0) {
    std::cerr << label << ": does not map\n";
    std::exit(1);
  }
  std::string json = ferry::engine::fhir::writeJson(check.value().bundle);
  if (options.dump) {
    std::cout << json << "\n";
    return;
  }
  const Message& message = parsed.value();
  bool all = options.mode == "all";

  std::cout << label << " (" << check.value().entries << " entries, " << json.size()
            << " JSON bytes, one core)\n";
  if (all || options.mode == "map") {
    std::cout << "  map                  " << run(options, [&] { mapParsed(mapper, message); })
              << "\n";
  }
  if (all || options.mode == "full") {
    std::cout << "  parse + map + write  " << run(options, [&] { parseMapWrite(mapper, text); })
              << "\n";
  }
  if (all || options.mode == "transform") {
    std::cout << "  transform            " << run(options, [&] { applyTransform(transform, text); })
              << "\n";
  }
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  for (int index = 1; index < argc; ++index) {
    std::string arg = argv[index];
    bool has_value = index + 1 < argc;
    if (arg == "--seconds" && has_value) {
      options.seconds = std::atof(argv[++index]);
    } else if (arg == "--count" && has_value) {
      options.count = std::atol(argv[++index]);
    } else if (arg == "--only" && has_value) {
      options.only = argv[++index];
    } else if (arg == "--mode" && has_value) {
      options.mode = argv[++index];
    } else if (arg == "--dump") {
      options.dump = true;
    } else {
      std::cerr << "usage: mapping_bench [--seconds S] [--count N] [--only adt|oru] "
                   "[--mode map|full|transform|all] [--dump]\n";
      return 2;
    }
  }

  auto started = Clock::now();
  auto mapper = V2ToFhirMapper::shared();
  if (!mapper.isOk()) {
    std::cerr << mapper.status().toString() << "\n";
    return 1;
  }
  auto transform = makeTransform();
  if (!transform) {
    std::cerr << "no mapping transform\n";
    return 1;
  }
  if (!options.dump) {
    std::cout << "mapping files loaded in "
              << std::chrono::duration<double, std::milli>(Clock::now() - started).count()
              << " ms (" << mapper.value()->mappings().fileCount() << " files)\n";
  }
  if (options.only.empty() || options.only == "adt") {
    measure("ADT^A01", *mapper.value(), *transform, adtA01(), options);
  }
  if (options.only.empty() || options.only == "oru") {
    measure("ORU^R01 with 10 OBX", *mapper.value(), *transform, oruR01(), options);
  }
  return 0;
}
