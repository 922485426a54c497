#include <fstream>
#include <sstream>

#include "engine/cli/arguments.h"
#include "engine/cli/subcommands.h"
#include "engine/config/config_node.h"
#include "engine/hl7/message.h"
#include "engine/hl7/message_splitter.h"
#include "engine/pipeline/registry.h"

namespace ferry::engine::cli {

namespace {

std::string jsonString(const std::string& text) {
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') {
      quoted += '\\';
      quoted += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof(escaped), "\\u%04x", c);
      quoted += escaped;
    } else {
      quoted += c;
    }
  }
  return quoted + "\"";
}

// The same "mllp" destination the engine delivers with, configured from the command line.
Result<std::string> destinationConfig(const Arguments& arguments) {
  std::string target = arguments.value("--to").value_or("");
  auto colon = target.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == target.size()) {
    return Status(ErrorCode::ConfigError, "--to must be HOST:PORT");
  }
  std::string port = target.substr(colon + 1);
  if (port.find_first_not_of("0123456789") != std::string::npos || port.size() > 5) {
    return Status(ErrorCode::ConfigError, "--to must be HOST:PORT");
  }
  std::string json = "{\"name\": \"ferry-send\", \"type\": \"mllp\", \"host\": " +
                     jsonString(target.substr(0, colon)) + ", \"port\": " + port;
  if (auto timeout = arguments.value("--timeout-ms")) {
    if (timeout->empty() || timeout->find_first_not_of("0123456789") != std::string::npos) {
      return Status(ErrorCode::ConfigError, "--timeout-ms must be a number");
    }
    json += ", \"ack_timeout_ms\": " + *timeout;
  }
  if (arguments.has("--tls")) {
    json += ", \"tls\": {";
    std::string members;
    auto add = [&](const std::string& key, const std::string& value) {
      members += (members.empty() ? "" : ", ") + jsonString(key) + ": " + value;
    };
    if (auto ca = arguments.value("--ca")) {
      add("ca", jsonString(*ca));
    }
    if (auto cert = arguments.value("--cert")) {
      add("certificate", jsonString(*cert));
    }
    if (auto key = arguments.value("--key")) {
      add("private_key", jsonString(*key));
    }
    if (arguments.has("--no-verify-host")) {
      add("verify_host", "false");
    }
    json += members + "}";
  } else {
    json += ", \"insecure\": true";
  }
  return json + "}";
}

// A control id as printed: control characters (a wrapped MSH-10) shown as '?'.
std::string printable(std::string text) {
  for (char& c : text) {
    if (static_cast<unsigned char>(c) < 0x20) {
      c = '?';
    }
  }
  return text;
}

struct AckSummary {
  std::string code;                  // MSA-1, or "no ACK" / "unreadable ACK"
  std::vector<std::string> remarks;  // MSA-3 and each ERR's severity, location and ERR-8 text
};

std::string valueAt(const hl7::Message& message, const std::string& path) {
  auto value = message.get(path);
  return value.isOk() && value.value() ? printable(*value.value()) : "";
}

// What the receiver said. ACK text is the receiver's diagnostics, not message content.
AckSummary summarize(const std::string& reply) {
  auto parsed = hl7::Message::parse(reply);
  if (!parsed.isOk()) {
    return {reply.empty() ? "no ACK" : "unreadable ACK", {}};
  }
  const hl7::Message& ack = parsed.value();
  AckSummary summary{valueAt(ack, "MSA-1"), {}};
  if (summary.code.empty()) {
    summary.code = "no MSA-1";
  }
  if (std::string text = valueAt(ack, "MSA-3"); !text.empty()) {
    summary.remarks.push_back(text);
  }
  std::size_t errors = 0;
  for (std::size_t index = 0; index < ack.segmentCount(); ++index) {
    if (ack.segmentId(index) != "ERR") {
      continue;
    }
    std::string path = "ERR[" + std::to_string(++errors) + "]";
    std::string location = valueAt(ack, path + "-2.1") + "-" + valueAt(ack, path + "-2.3");
    std::string text = valueAt(ack, path + "-8");
    // Ferry's own texts begin with the location already ("MSH-11: required field missing").
    bool located = text.rfind(location, 0) == 0;
    summary.remarks.push_back(valueAt(ack, path + "-4") + " " +
                              (located ? text : location + ": " + text));
  }
  return summary;
}

}  // namespace

int sendCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  Arguments arguments(args, {"--to", "--ca", "--cert", "--key", "--timeout-ms"},
                      {"--tls", "--no-verify-host"});
  if (!arguments.error().empty() || !arguments.value("--to") || arguments.positional().empty()) {
    err << "ferry send: "
        << (arguments.error().empty() ? "usage: ferry send --to HOST:PORT FILE..."
                                      : arguments.error())
        << "\n";
    return 2;
  }
  auto json = destinationConfig(arguments);
  if (!json.isOk()) {
    err << "ferry send: " << json.status().context() << "\n";
    return 2;
  }
  auto node = config::ConfigNode::parse(json.value(), "command line");
  const pipeline::DestinationFactory* factory = pipeline::findDestinationType("mllp");
  config::ConfigErrors errors;
  auto sender = (node.isOk() && factory != nullptr) ? (*factory)(node.value(), errors) : nullptr;
  if (!sender) {
    err << "ferry send: " << errors.format();
    return 2;
  }

  int failures = 0;
  for (const std::string& file : arguments.positional()) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      err << file << ": cannot read\n";
      ++failures;
      continue;
    }
    std::stringstream content;
    content << in.rdbuf();
    std::string bytes = content.str();

    hl7::SplitResult split = hl7::splitMessages(bytes);
    for (const hl7::SplitIssue& issue : split.issues) {
      err << file << ":" << issue.line << ": "
          << (issue.severity == hl7::SplitSeverity::Error ? "error: " : "warning: ") << issue.text
          << "\n";
    }
    int index = 0;
    for (std::string_view message : split.messages()) {
      ++index;
      auto wire = hl7::toWireFormat(message);
      if (!wire.isOk()) {
        out << file << " #" << index << ": not sent: " << wire.status().toString() << "\n";
        ++failures;
        continue;
      }
      auto parsed = hl7::Message::parse(wire.value());
      std::string control_id = parsed.isOk() ? parsed.value().controlId() : "";
      pipeline::DeliveryResult result = sender->deliver(wire.value(), {"", control_id, 1});
      AckSummary ack = summarize(result.response);
      out << file << " #" << index << " control id " << printable(control_id) << ": " << ack.code;
      if (!result.status.isOk() && result.response.empty()) {
        out << " (" << result.status.toString() << ")";
      }
      out << "\n";
      for (const std::string& remark : ack.remarks) {
        out << "    " << remark << "\n";
      }
      if (!result.status.isOk() || ack.code != "AA") {
        ++failures;
      }
    }
    if (split.hasErrors()) {
      ++failures;
    }
  }
  sender->stop();
  return failures == 0 ? 0 : 1;
}

}  // namespace ferry::engine::cli
