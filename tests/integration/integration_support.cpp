#include "integration/integration_support.h"

#include <sqlite3.h>

#include <algorithm>

#include <boost/test/unit_test.hpp>

#include "engine/hl7/message_splitter.h"
#include "support/test_support.h"

namespace ferry::testing {

std::string syntheticAdt(const std::string& control_id, const std::string& family_name,
                         const std::string& patient_id) {
  return "MSH|^~\\&|TESTSENDER|TESTFAC|TESTRECEIVER|TESTRFAC|20260101120000||ADT^A01^ADT_A01|" +
         control_id + "|P|2.5.1\r" + "EVN|A01|20260101120000\r" + "PID|1||" + patient_id +
         "^^^TESTAUTH^MR||" + family_name + "^SYNTHETIC^Q||19700101|F|||1 TEST STREET^^TESTTOWN" +
         "^TS^00000\r" + "PV1|1|I|WARD^101^A\r";
}

std::vector<std::filesystem::path> corpusHl7Files() {
  std::vector<std::filesystem::path> files;
  for (const auto& path : corpusFiles("hl7v2")) {
    if (path.string().find("/malformed/") == std::string::npos) {
      files.push_back(path);
    }
  }
  return files;
}

std::vector<WireMessage> corpusWireMessages() {
  std::vector<WireMessage> messages;
  for (const auto& path : corpusHl7Files()) {
    std::string bytes = readFile(path);
    // The same steps as `ferry send`: split the file, then put each message in wire form.
    for (std::string_view message : engine::hl7::splitMessages(bytes).messages()) {
      auto wire = engine::hl7::toWireFormat(message);
      if (wire.isOk()) {
        messages.push_back({path.filename().string(), wire.value()});
      }
    }
  }
  return messages;
}

std::filesystem::path writeEngineConfigWith(const std::filesystem::path& dir,
                                            const std::string& listeners_json,
                                            const std::string& routes_json) {
  std::string config = R"({
  // Written by the integration tests.
  "engine": {"name": "integration", "data_directory": ")" +
                       (dir / "data").string() + R"(", "log_file": ")" +
                       (dir / "engine.log").string() + R"("},
  "keys": {"file": ")" +
                       (dir / "keys" / "ferry.keys").string() + R"("},
  "listeners": [)" + listeners_json +
                       R"(],
  "routes": [)" + routes_json +
                       R"(]
})";
  auto path = dir / "ferry.json";
  writeFile(path, config);
  return path;
}

std::filesystem::path writeEngineConfig(const std::filesystem::path& dir,
                                        const std::vector<std::string>& destinations_json) {
  std::string destinations;
  for (const auto& destination : destinations_json) {
    destinations += (destinations.empty() ? "" : ",\n        ") + destination;
  }
  return writeEngineConfigWith(
      dir, R"({"name": "in", "type": "mllp", "port": 0, "insecure": true})",
      R"({"name": "all", "source": "in", "destinations": [)" + destinations + "]}");
}

std::string querySql(const std::filesystem::path& database, const std::string& sql) {
  sqlite3* db = nullptr;
  BOOST_REQUIRE_EQUAL(sqlite3_open(database.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  std::string result;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) == SQLITE_OK) {
    while (sqlite3_step(statement) == SQLITE_ROW) {
      const unsigned char* text = sqlite3_column_text(statement, 0);
      result += text != nullptr ? reinterpret_cast<const char*>(text) : "";
      result += "\n";
    }
  }
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return result;
}

std::string allBytesUnder(const std::filesystem::path& dir) {
  std::string all;
  if (!std::filesystem::exists(dir)) {
    return all;
  }
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) {
      all += readFile(entry.path());
    }
  }
  return all;
}

}  // namespace ferry::testing
