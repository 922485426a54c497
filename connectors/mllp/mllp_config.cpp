#include "connectors/mllp/mllp_config.h"

#include <filesystem>
#include <fstream>

namespace ferry::connectors::mllp {
namespace {

using engine::config::ConfigErrors;
using engine::config::ConfigNode;

// Same range as the engine-wide limit in config/reference.jsonc: 1 KiB .. 256 MiB.
constexpr std::int64_t kMinMessageBytes = 1024;
constexpr std::int64_t kMaxMessageBytesCeiling = std::int64_t{256} << 20;

// True when the file named by `key` is absent (and optional) or readable; reports otherwise.
bool checkReadable(const ConfigNode& tls, std::string_view key, const std::string& path,
                   ConfigErrors& errors) {
  if (path.empty()) {
    return true;
  }
  std::error_code ignored;
  std::ifstream file(path, std::ios::binary);
  if (file.good() && std::filesystem::is_regular_file(path, ignored)) {
    return true;
  }
  errors.add(*tls.member(key), "file '" + path + "' is not a readable file");
  return false;
}

// Reports a missing tls block on a listener or sender not marked insecure, and the
// contradiction of both.
void checkTransportSecurity(const ConfigNode& node, bool has_tls, bool insecure,
                            std::string_view what, ConfigErrors& errors) {
  if (!has_tls && !insecure) {
    errors.add(node, "plain MLLP " + std::string(what) +
                         " must be marked insecure (\"insecure\": true) or configure \"tls\"");
  }
  if (has_tls && insecure) {
    errors.add(*node.member("insecure"), "\"insecure\": true contradicts the \"tls\" settings");
  }
}

std::optional<ListenerTlsConfig> parseListenerTls(const ConfigNode& tls, ConfigErrors& errors) {
  if (!tls.requireObject(errors)) {
    return std::nullopt;
  }
  tls.rejectUnknownKeys({"certificate", "private_key", "ca", "require_client_certificate"}, errors);
  ListenerTlsConfig config;
  config.certificate = tls.getString("certificate", errors);
  config.private_key = tls.getString("private_key", errors);
  config.ca = tls.getString("ca", errors, std::string());
  config.require_client_certificate = tls.getBool("require_client_certificate", errors, false);
  if (config.require_client_certificate && config.ca.empty()) {
    errors.add(*tls.member("require_client_certificate"),
               "require_client_certificate needs \"ca\" to verify clients against");
  }
  bool readable = !config.certificate.empty() && !config.private_key.empty();
  readable = checkReadable(tls, "certificate", config.certificate, errors) && readable;
  readable = checkReadable(tls, "private_key", config.private_key, errors) && readable;
  readable = checkReadable(tls, "ca", config.ca, errors) && readable;

  // Loading now turns a bad PEM file or a key that does not match into a config error
  // rather than a failure at start().
  if (readable && (!config.require_client_certificate || !config.ca.empty())) {
    auto context = makeServerContext(config);
    if (!context.isOk()) {
      errors.add(tls, context.status().context());
    }
  }
  return config;
}

std::optional<SenderTlsConfig> parseSenderTls(const ConfigNode& tls, const std::string& host,
                                              ConfigErrors& errors) {
  if (!tls.requireObject(errors)) {
    return std::nullopt;
  }
  tls.rejectUnknownKeys({"ca", "certificate", "private_key", "verify_host", "server_name"}, errors);
  SenderTlsConfig config;
  config.ca = tls.getString("ca", errors, std::string());
  config.certificate = tls.getString("certificate", errors, std::string());
  config.private_key = tls.getString("private_key", errors, std::string());
  config.verify_host = tls.getBool("verify_host", errors, true);
  config.server_name = tls.getString("server_name", errors, std::string());
  bool readable = true;
  if (config.certificate.empty() != config.private_key.empty()) {
    errors.add(tls, "a client certificate needs both \"certificate\" and \"private_key\"");
    readable = false;
  }
  readable = checkReadable(tls, "ca", config.ca, errors) && readable;
  readable = checkReadable(tls, "certificate", config.certificate, errors) && readable;
  readable = checkReadable(tls, "private_key", config.private_key, errors) && readable;

  if (readable) {
    auto context = makeClientContext(config, host);
    if (!context.isOk()) {
      errors.add(tls, context.status().context());
    }
  }
  return config;
}

}  // namespace

std::optional<ListenerConfig> parseListenerConfig(const ConfigNode& node, ConfigErrors& errors) {
  std::size_t errors_before = errors.all().size();
  if (!node.requireObject(errors)) {
    return std::nullopt;
  }
  node.rejectUnknownKeys(
      {"name", "type", "host", "port", "insecure", "tls", "max_message_bytes",
       "idle_timeout_seconds", "frame_timeout_seconds", "max_connections", "ack_mode"},
      errors);

  ListenerConfig config;
  config.name = node.getString("name", errors);
  node.getString("type", errors);
  config.host = node.getString("host", errors, std::string("127.0.0.1"));
  if (config.host.empty()) {
    errors.add(*node.member("host"), "host must not be empty");
  }
  config.port = static_cast<int>(node.getInt("port", errors, std::nullopt, 0, 65535));
  config.insecure = node.getBool("insecure", errors, false);
  config.max_message_bytes = static_cast<std::size_t>(
      node.getInt("max_message_bytes", errors, static_cast<std::int64_t>(kDefaultMaxMessageBytes),
                  1, kMaxMessageBytesCeiling));
  config.idle_timeout =
      std::chrono::seconds(node.getInt("idle_timeout_seconds", errors, 300, 1, 86400));
  config.frame_timeout =
      std::chrono::seconds(node.getInt("frame_timeout_seconds", errors, 60, 1, 86400));
  config.max_connections = static_cast<int>(node.getInt("max_connections", errors, 64, 1, 10000));

  std::string ack_mode = node.getString("ack_mode", errors, std::string("original"));
  if (ack_mode == "enhanced") {
    config.ack_mode = AckMode::Enhanced;
  } else if (ack_mode != "original") {
    errors.add(*node.member("ack_mode"),
               "ack_mode must be \"original\" or \"enhanced\", found '" + ack_mode + "'");
  }

  auto tls = node.member("tls");
  if (tls) {
    config.tls = parseListenerTls(*tls, errors);
  }
  checkTransportSecurity(node, tls.has_value(), config.insecure, "listener", errors);

  if (errors.all().size() != errors_before) {
    return std::nullopt;
  }
  return config;
}

std::optional<SenderConfig> parseSenderConfig(const ConfigNode& node, ConfigErrors& errors) {
  std::size_t errors_before = errors.all().size();
  if (!node.requireObject(errors)) {
    return std::nullopt;
  }
  node.rejectUnknownKeys({"name", "type", "host", "port", "tls", "insecure", "connect_timeout_ms",
                          "ack_timeout_ms", "retry", "ordered", "transforms", "business_associate"},
                         errors);

  SenderConfig config;
  config.name = node.getString("name", errors);
  node.getString("type", errors);
  config.host = node.getString("host", errors);
  if (config.host.empty() && node.member("host")) {
    errors.add(*node.member("host"), "host must not be empty");
  }
  config.port = static_cast<int>(node.getInt("port", errors, std::nullopt, 1, 65535));
  config.insecure = node.getBool("insecure", errors, false);
  config.connect_timeout =
      std::chrono::milliseconds(node.getInt("connect_timeout_ms", errors, 5000, 1, 600000));
  config.ack_timeout =
      std::chrono::milliseconds(node.getInt("ack_timeout_ms", errors, 30000, 1, 3600000));

  auto tls = node.member("tls");
  if (tls) {
    config.tls = parseSenderTls(*tls, config.host, errors);
  }
  checkTransportSecurity(node, tls.has_value(), config.insecure, "destination", errors);

  if (errors.all().size() != errors_before) {
    return std::nullopt;
  }
  return config;
}

}  // namespace ferry::connectors::mllp
