// `ferry map --mapping NAME FILE [--collection] [--timezone ZONE] [--mapping-dir DIR]
//  [--message auto|ADT^A08|ADT^A04|ORU^R01]`: maps FILE with the registered "mapping" transform
// (the same one routes use) and prints the coverage report (paths, never values) on stderr.
// v2-to-fhir maps every HL7 v2 message in FILE and prints each Bundle as indented JSON;
// fhir-to-v2 maps FILE as one FHIR resource or Bundle and prints the HL7 v2 message one segment
// a line. Sends nothing anywhere.

#include <fstream>
#include <sstream>

#include "engine/cli/arguments.h"
#include "engine/cli/subcommands.h"
#include "engine/config/config_node.h"
#include "engine/fhir/json_parser.h"
#include "engine/fhir/json_writer.h"
#include "engine/hl7/message_splitter.h"
#include "engine/pipeline/transform.h"

namespace ferry::engine::cli {

namespace {

std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
    }
    if (static_cast<unsigned char>(c) >= 0x20) {
      out += c;
    }
  }
  return out + "\"";
}

std::string indented(const std::string& compact) {
  auto parsed = fhir::parseFhirJson(compact);
  return parsed.isOk() ? fhir::writeJson(parsed.value().root, true) : compact;
}

// fhir-to-v2: the whole file is one FHIR resource or Bundle; segments are printed one a line.
int printHl7(const pipeline::PayloadTransform& transform, const std::string& file,
             const std::string& content, std::ostream& out, std::ostream& err) {
  auto result = transform.apply(content, pipeline::TransformContext{"", "", ""});
  if (!result.isOk()) {
    err << file << ": mapping failed: " << result.status().toString() << "\n";
    return 1;
  }
  std::string text = result.value().payload;
  for (char& c : text) {
    if (c == '\r') {
      c = '\n';
    }
  }
  out << text;
  err << "--- coverage: " << file << "\n";
  for (const std::string& action : result.value().actions) {
    err << action << "\n";
  }
  return 0;
}

}  // namespace

int mapCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  Arguments arguments(args, {"--mapping", "--timezone", "--mapping-dir", "--message"},
                      {"--collection"});
  if (!arguments.error().empty() || !arguments.value("--mapping") ||
      arguments.positional().size() != 1) {
    err << "ferry map: "
        << (arguments.error().empty()
                ? "usage: ferry map --mapping NAME FILE [--collection] [--timezone ZONE] "
                  "[--message auto|ADT^A08|ADT^A04|ORU^R01]"
                : arguments.error())
        << "\n";
    return 2;
  }
  bool from_fhir = *arguments.value("--mapping") == "fhir-to-v2";
  std::string json =
      "{\"type\": \"mapping\", \"mapping\": " + quoted(*arguments.value("--mapping"));
  if (auto message = arguments.value("--message")) {
    json += ", \"message\": " + quoted(*message);
  }
  if (arguments.has("--collection")) {
    json += ", \"bundle_type\": \"collection\"";
  }
  if (auto zone = arguments.value("--timezone")) {
    json += ", \"timezone\": " + quoted(*zone);
  }
  if (auto directory = arguments.value("--mapping-dir")) {
    json += ", \"mapping_dir\": " + quoted(*directory);
  }
  json += "}";
  auto node = config::ConfigNode::parse(json, "command line");
  const pipeline::TransformFactory* factory = pipeline::findTransformType("mapping");
  if (factory == nullptr || !node.isOk()) {
    err << "ferry map: no mapping transform is built into this binary\n";
    return 2;
  }
  config::ConfigErrors errors;
  auto transform = (*factory)(node.value(), errors, pipeline::TransformEnvironment{});
  if (!transform) {
    err << "ferry map: " << errors.format();
    return 2;
  }

  const std::string& file = arguments.positional()[0];
  std::ifstream in(file, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  if (!in) {
    err << file << ": cannot read\n";
    return 2;
  }
  std::string content = bytes.str();
  if (from_fhir) {
    return printHl7(*transform, file, content, out, err);
  }
  hl7::SplitResult split = hl7::splitMessages(content);
  std::vector<std::string_view> messages = split.messages();
  if (messages.empty()) {
    err << file << ": no HL7 v2 message found\n";
    return 1;
  }
  int failures = 0;
  for (std::size_t index = 0; index < messages.size(); ++index) {
    std::string label = file + " message " + std::to_string(index + 1);
    auto result = transform->apply(messages[index], pipeline::TransformContext{"", "", ""});
    if (!result.isOk()) {
      err << label << ": mapping failed: " << result.status().toString() << "\n";
      ++failures;
      continue;
    }
    out << indented(result.value().payload);
    err << "--- coverage: " << label << "\n";
    for (const std::string& action : result.value().actions) {
      err << action << "\n";
    }
  }
  return failures == 0 ? 0 : 1;
}

}  // namespace ferry::engine::cli
