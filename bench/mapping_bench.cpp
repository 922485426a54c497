// HL7 v2 -> FHIR mapping throughput on one core: ADT^A01 and ORU^R01 with 10 OBX, each as
// "map" (a parsed message to a Bundle tree) and "parse + map + write" (bytes in, JSON bytes
// out, what the mapping transform does per message). Prints messages per second; asserts
// nothing. Usage: mapping_bench [--seconds S]

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>

#include "engine/fhir/json_writer.h"
#include "engine/hl7/message.h"
#include "mappings/v2_fhir/v2_to_fhir.h"

namespace {

using Clock = std::chrono::steady_clock;
using ferry::mappings::v2fhir::V2ToFhirMapper;

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

void measure(const char* label, const V2ToFhirMapper& mapper, const std::string& text,
             double seconds) {
  auto parsed = ferry::engine::hl7::Message::parse(text);
  if (!parsed.isOk()) {
    std::cerr << label << ": does not parse\n";
    std::exit(1);
  }
  const ferry::engine::hl7::Message& message = parsed.value();
  std::size_t entries = 0;
  std::size_t bytes = 0;

  auto run = [&](bool full) {
    std::size_t count = 0;
    auto deadline = Clock::now() + std::chrono::duration<double>(seconds);
    auto start = Clock::now();
    while (Clock::now() < deadline) {
      for (int batch = 0; batch < 100; ++batch) {
        if (full) {
          auto again = ferry::engine::hl7::Message::parse(text);
          auto output = mapper.map(again.value());
          bytes = ferry::engine::fhir::writeJson(output.value().bundle).size();
        } else {
          auto output = mapper.map(message);
          entries = output.value().entries;
        }
        ++count;
      }
    }
    double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    return count / elapsed;
  };

  double map_rate = run(false);
  double full_rate = run(true);
  std::cout << label << " (" << entries << " entries, " << bytes << " JSON bytes): map "
            << static_cast<long>(map_rate) << " msg/s, parse + map + write "
            << static_cast<long>(full_rate) << " msg/s (one core)\n";
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 2.0;
  for (int index = 1; index + 1 < argc; ++index) {
    if (std::strcmp(argv[index], "--seconds") == 0) {
      seconds = std::atof(argv[index + 1]);
    }
  }
  auto started = Clock::now();
  auto mapper = V2ToFhirMapper::shared();
  if (!mapper.isOk()) {
    std::cerr << mapper.status().toString() << "\n";
    return 1;
  }
  std::cout << "mapping files loaded in "
            << std::chrono::duration<double, std::milli>(Clock::now() - started).count() << " ms ("
            << mapper.value()->mappings().fileCount() << " files)\n";
  measure("ADT^A01", *mapper.value(), adtA01(), seconds);
  measure("ORU^R01 with 10 OBX", *mapper.value(), oruR01(), seconds);
  return 0;
}
