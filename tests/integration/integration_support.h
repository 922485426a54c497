#pragma once

// Shared pieces of the end-to-end tests: config files for a test engine, synthetic messages,
// and the corpus's HL7v2 messages as `ferry send` puts them on the wire.

#include <filesystem>
#include <string>
#include <vector>

namespace ferry::testing {

// A synthetic ADT^A01 (made-up patient) with the given control id, CR-terminated.
std::string syntheticAdt(const std::string& control_id, const std::string& family_name,
                         const std::string& patient_id);

struct WireMessage {
  std::string file;   // corpus file it came from
  std::string bytes;  // as sent: segments ended by CR
};

// Every message of every corpus HL7v2 file outside malformed/, as `ferry send` sends it.
std::vector<WireMessage> corpusWireMessages();
// The corpus HL7v2 files outside malformed/.
std::vector<std::filesystem::path> corpusHl7Files();

// Writes an engine config into `dir` (data in dir/data, keys in dir/keys, log in
// dir/engine.log) with one plain MLLP listener "in" on port 0 and one route "all" whose
// destinations are the given JSON objects. Returns the config path.
std::filesystem::path writeEngineConfig(const std::filesystem::path& dir,
                                        const std::vector<std::string>& destinations_json);

// Writes an engine config into `dir` like writeEngineConfig, with the given listener and route
// objects (JSON text) instead of the MLLP listener and the one route.
std::filesystem::path writeEngineConfigWith(const std::filesystem::path& dir,
                                            const std::string& listeners_json,
                                            const std::string& routes_json);

// Runs a query on an engine's SQLite store: the first column of every row, one per line.
std::string querySql(const std::filesystem::path& database, const std::string& sql);

// Every regular file below `dir`, concatenated (for searching plaintext).
std::string allBytesUnder(const std::filesystem::path& dir);

}  // namespace ferry::testing
