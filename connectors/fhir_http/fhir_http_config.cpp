#include "connectors/fhir_http/fhir_http_config.h"

#include <filesystem>
#include <fstream>

#include <Poco/Exception.h>
#include <Poco/URI.h>

namespace ferry::connectors::fhir_http {
namespace {

using engine::config::ConfigErrors;
using engine::config::ConfigNode;

// Same ceiling as the MLLP listener and the engine-wide limit: 256 MiB.
constexpr std::int64_t kMaxBodyBytesCeiling = std::int64_t{256} << 20;

// Reports `path` (named by `key` in `parent`) unless it is empty or a readable regular file.
bool checkReadable(const ConfigNode& parent, std::string_view key, const std::string& path,
                   ConfigErrors& errors) {
  if (path.empty()) {
    return true;
  }
  std::error_code ignored;
  std::ifstream file(path, std::ios::binary);
  if (file.good() && std::filesystem::is_regular_file(path, ignored)) {
    return true;
  }
  errors.add(*parent.member(key), "file '" + path + "' is not a readable file");
  return false;
}

// Reports an empty string member (when present) as an error.
void requireNonEmpty(const ConfigNode& parent, std::string_view key, const std::string& value,
                     ConfigErrors& errors) {
  auto member = parent.member(key);
  if (member && member->isString() && value.empty()) {
    errors.add(*member, std::string(key) + " must not be empty");
  }
}

// RFC 6750 section 2.1 b64token: what may follow "Bearer " in an Authorization header. Checking
// it keeps a stray newline in a pasted token from splitting the header.
bool isBearerTokenSyntax(const std::string& token) {
  std::size_t index = 0;
  auto tokenChar = [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
  };
  while (index < token.size() && tokenChar(token[index])) {
    ++index;
  }
  if (index == 0) {
    return false;
  }
  while (index < token.size() && token[index] == '=') {
    ++index;
  }
  return index == token.size();
}

// "/fhir", "/" or "" and the like; reports what is wrong and returns the normalised form.
std::string readBasePath(const ConfigNode& node, ConfigErrors& errors) {
  std::string path = node.getString("base_path", errors, std::string("/fhir"));
  auto member = node.member("base_path");
  if (!member || !member->isString()) {
    return path;
  }
  if (path.empty() || path.front() != '/') {
    errors.add(*member, "base_path must start with '/'");
    return path;
  }
  if (path.size() > 1 && path.back() == '/') {
    errors.add(*member, "base_path must not end with '/'");
  }
  for (char c : path) {
    auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte >= 0x7f || c == '?' || c == '#' || c == '%') {
      errors.add(*member, "base_path may hold only printable ASCII without ' ', '?', '#', '%'");
      break;
    }
  }
  if (path.find("//") != std::string::npos) {
    errors.add(*member, "base_path must not contain an empty segment (\"//\")");
  }
  return path == "/" ? std::string() : path;
}

void parseListenerTls(const ConfigNode& tls, ListenerTls& config, ConfigErrors& errors) {
  if (!tls.requireObject(errors)) {
    return;
  }
  tls.rejectUnknownKeys(
      {"certificate", "private_key", "ca", "require_client_certificate", "dev_directory"}, errors);
  config.certificate = tls.getString("certificate", errors, std::string());
  config.private_key = tls.getString("private_key", errors, std::string());
  config.ca = tls.getString("ca", errors, std::string());
  config.require_client_certificate = tls.getBool("require_client_certificate", errors, false);
  config.dev_directory = tls.getString("dev_directory", errors, config.dev_directory);
  requireNonEmpty(tls, "certificate", config.certificate, errors);
  requireNonEmpty(tls, "private_key", config.private_key, errors);
  requireNonEmpty(tls, "dev_directory", config.dev_directory, errors);

  bool own_certificate = !config.certificate.empty() || !config.private_key.empty();
  bool complete = true;
  if (config.certificate.empty() != config.private_key.empty()) {
    errors.add(tls, "a certificate needs both \"certificate\" and \"private_key\"");
    complete = false;
  }
  if (own_certificate && tls.member("dev_directory")) {
    errors.add(*tls.member("dev_directory"),
               "dev_directory applies only without \"certificate\" (the development certificate)");
  }
  if (config.require_client_certificate && config.ca.empty()) {
    errors.add(*tls.member("require_client_certificate"),
               "require_client_certificate needs \"ca\" to verify clients against");
    complete = false;
  }
  complete = checkReadable(tls, "certificate", config.certificate, errors) && complete;
  complete = checkReadable(tls, "private_key", config.private_key, errors) && complete;
  complete = checkReadable(tls, "ca", config.ca, errors) && complete;

  // Loading now turns a bad PEM file or a key that does not match into a config error rather
  // than a failure at start().
  if (own_certificate && complete) {
    mllp::ListenerTlsConfig material{config.certificate, config.private_key, config.ca,
                                     config.require_client_certificate};
    auto context = mllp::makeServerContext(material);
    if (!context.isOk()) {
      errors.add(tls, context.status().context());
    }
  }
}

DeliveryMode readMode(const ConfigNode& node, ConfigErrors& errors) {
  std::string mode = node.getString("mode", errors, std::string("create"));
  if (mode == "update") {
    return DeliveryMode::Update;
  }
  if (mode == "transaction") {
    return DeliveryMode::Transaction;
  }
  if (mode != "create") {
    errors.add(*node.member("mode"),
               "mode must be \"create\", \"update\" or \"transaction\", found '" + mode + "'");
  }
  return DeliveryMode::Create;
}

void parseClientTls(const ConfigNode& tls, mllp::SenderTlsConfig& config, ConfigErrors& errors) {
  if (!tls.requireObject(errors)) {
    return;
  }
  tls.rejectUnknownKeys({"ca", "certificate", "private_key", "verify_host"}, errors);
  config.ca = tls.getString("ca", errors, std::string());
  config.certificate = tls.getString("certificate", errors, std::string());
  config.private_key = tls.getString("private_key", errors, std::string());
  config.verify_host = tls.getBool("verify_host", errors, true);
  bool complete = true;
  if (config.certificate.empty() != config.private_key.empty()) {
    errors.add(tls, "a client certificate needs both \"certificate\" and \"private_key\"");
    complete = false;
  }
  complete = checkReadable(tls, "ca", config.ca, errors) && complete;
  complete = checkReadable(tls, "certificate", config.certificate, errors) && complete;
  complete = checkReadable(tls, "private_key", config.private_key, errors) && complete;
  if (complete) {
    auto context = mllp::makeClientContext(config, "localhost");
    if (!context.isOk()) {
      errors.add(tls, context.status().context());
    }
  }
}

void parseOAuth2(const ConfigNode& node, bool insecure, OAuth2Config& config,
                 ConfigErrors& errors) {
  if (!node.requireObject(errors)) {
    return;
  }
  node.rejectUnknownKeys({"token_url", "client_id", "client_secret", "client_secret_file", "scope",
                          "client_authentication"},
                         errors);
  config.token_url = node.getString("token_url", errors);
  config.client_id = node.getString("client_id", errors);
  config.client_secret = node.getString("client_secret", errors, std::string());
  config.client_secret_file = node.getString("client_secret_file", errors, std::string());
  config.scope = node.getString("scope", errors, std::string());
  requireNonEmpty(node, "client_id", config.client_id, errors);
  requireNonEmpty(node, "client_secret", config.client_secret, errors);
  requireNonEmpty(node, "client_secret_file", config.client_secret_file, errors);

  if (auto url = node.member("token_url"); url && url->isString()) {
    std::string problem;
    auto endpoint = parseHttpUrl(config.token_url, problem);
    if (!endpoint) {
      errors.add(*url, "token_url " + problem);
    } else if (!endpoint->https && !insecure) {
      errors.add(*url,
                 "token_url must be https:// (the client secret would travel in clear text); "
                 "http:// needs \"insecure\": true on the destination");
    }
  }
  bool has_secret = node.member("client_secret").has_value();
  bool has_secret_file = node.member("client_secret_file").has_value();
  if (has_secret == has_secret_file) {
    errors.add(node, "exactly one of \"client_secret\" and \"client_secret_file\" is needed");
  }
  checkReadable(node, "client_secret_file", config.client_secret_file, errors);

  std::string method = node.getString("client_authentication", errors, std::string("basic"));
  if (method == "body") {
    config.client_authentication = ClientAuthentication::Body;
  } else if (method != "basic") {
    errors.add(*node.member("client_authentication"),
               "client_authentication must be \"basic\" or \"body\", found '" + method + "'");
  }
}

void parseAuth(const ConfigNode& node, bool insecure, AuthConfig& config, ConfigErrors& errors) {
  if (!node.requireObject(errors)) {
    return;
  }
  node.rejectUnknownKeys({"bearer_token", "bearer_token_file", "oauth2"}, errors);
  int kinds = 0;
  if (node.member("bearer_token")) {
    ++kinds;
    config.kind = AuthConfig::Kind::BearerToken;
    config.bearer_token = node.getString("bearer_token", errors);
    auto member = node.member("bearer_token");
    // The message must not quote the token: `ferry check` output ends up in tickets.
    if (member->isString() && !isBearerTokenSyntax(config.bearer_token)) {
      errors.add(*member,
                 "bearer_token must be a non-empty RFC 6750 token (letters, digits, "
                 "'-._~+/', then '=' padding; no spaces or line breaks)");
    }
  }
  if (node.member("bearer_token_file")) {
    ++kinds;
    config.kind = AuthConfig::Kind::BearerTokenFile;
    config.bearer_token_file = node.getString("bearer_token_file", errors);
    requireNonEmpty(node, "bearer_token_file", config.bearer_token_file, errors);
    checkReadable(node, "bearer_token_file", config.bearer_token_file, errors);
  }
  if (auto oauth2 = node.member("oauth2")) {
    ++kinds;
    config.kind = AuthConfig::Kind::OAuth2;
    parseOAuth2(*oauth2, insecure, config.oauth2, errors);
  }
  if (kinds != 1) {
    errors.add(node,
               "auth needs exactly one of \"bearer_token\", \"bearer_token_file\" and "
               "\"oauth2\"");
  }
}

}  // namespace

std::optional<HttpEndpoint> parseHttpUrl(const std::string& url, std::string& problem) {
  Poco::URI uri;
  try {
    uri = Poco::URI(url);
  } catch (const Poco::Exception&) {
    problem = "is not a valid URL";
    return std::nullopt;
  }
  HttpEndpoint endpoint;
  if (uri.getScheme() == "https") {
    endpoint.https = true;
  } else if (uri.getScheme() == "http") {
    endpoint.https = false;
  } else {
    problem = "must start with https:// (or http://)";
    return std::nullopt;
  }
  if (uri.getHost().empty()) {
    problem = "names no host";
    return std::nullopt;
  }
  if (!uri.getUserInfo().empty()) {
    // Credentials in a URL end up in logs and process listings; "auth" is the place for them.
    problem = "must not carry credentials (user info); use \"auth\"";
    return std::nullopt;
  }
  if (!uri.getRawQuery().empty() || !uri.getFragment().empty() ||
      url.find_first_of("?#") != std::string::npos) {
    problem = "must not have a query or fragment";
    return std::nullopt;
  }
  endpoint.host = uri.getHost();
  endpoint.port = uri.getPort();
  if (endpoint.port == 0) {
    problem = "has no usable port";
    return std::nullopt;
  }
  endpoint.path = uri.getPathEtc();
  while (!endpoint.path.empty() && endpoint.path.back() == '/') {
    endpoint.path.pop_back();
  }
  bool ipv6 = endpoint.host.find(':') != std::string::npos;
  endpoint.display = std::string(endpoint.https ? "https://" : "http://") +
                     (ipv6 ? "[" + endpoint.host + "]" : endpoint.host) + ":" +
                     std::to_string(endpoint.port) + endpoint.path;
  return endpoint;
}

std::optional<ListenerConfig> parseListenerConfig(const ConfigNode& node, ConfigErrors& errors) {
  std::size_t errors_before = errors.all().size();
  if (!node.requireObject(errors)) {
    return std::nullopt;
  }
  node.rejectUnknownKeys(
      {"name", "type", "host", "port", "base_path", "max_body_bytes", "max_connections",
       "request_timeout_ms", "idle_timeout_seconds", "insecure", "tls"},
      errors);

  ListenerConfig config;
  config.name = node.getString("name", errors);
  node.getString("type", errors);
  config.host = node.getString("host", errors, config.host);
  requireNonEmpty(node, "host", config.host, errors);
  config.port = static_cast<int>(node.getInt("port", errors, std::nullopt, 0, 65535));
  config.base_path = readBasePath(node, errors);
  config.max_body_bytes = static_cast<std::size_t>(
      node.getInt("max_body_bytes", errors, static_cast<std::int64_t>(kDefaultMaxBodyBytes), 1,
                  kMaxBodyBytesCeiling));
  config.max_connections = static_cast<int>(node.getInt("max_connections", errors, 64, 1, 10000));
  config.request_timeout =
      std::chrono::milliseconds(node.getInt("request_timeout_ms", errors, 30000, 1, 3600000));
  config.idle_timeout =
      std::chrono::seconds(node.getInt("idle_timeout_seconds", errors, 60, 1, 86400));
  config.insecure = node.getBool("insecure", errors, false);

  if (auto tls = node.member("tls")) {
    if (config.insecure) {
      errors.add(*node.member("insecure"), "\"insecure\": true contradicts the \"tls\" settings");
    }
    parseListenerTls(*tls, config.tls, errors);
  }

  if (errors.all().size() != errors_before) {
    return std::nullopt;
  }
  return config;
}

std::optional<DestinationConfig> parseDestinationConfig(const ConfigNode& node,
                                                        ConfigErrors& errors) {
  std::size_t errors_before = errors.all().size();
  if (!node.requireObject(errors)) {
    return std::nullopt;
  }
  node.rejectUnknownKeys(
      {"name", "type", "base_url", "insecure", "mode", "connect_timeout_ms", "response_timeout_ms",
       "tls", "auth", "retry", "ordered", "transforms", "business_associate"},
      errors);

  DestinationConfig config;
  config.name = node.getString("name", errors);
  node.getString("type", errors);
  config.insecure = node.getBool("insecure", errors, false);
  std::string base_url = node.getString("base_url", errors);
  if (auto member = node.member("base_url"); member && member->isString()) {
    std::string problem;
    auto endpoint = parseHttpUrl(base_url, problem);
    if (!endpoint) {
      errors.add(*member, "base_url " + problem);
    } else {
      config.base = *endpoint;
      if (!endpoint->https && !config.insecure) {
        errors.add(*member,
                   "plain http:// carries PHI in clear text: use https:// or mark the "
                   "destination \"insecure\": true");
      }
      if (endpoint->https && config.insecure) {
        errors.add(*node.member("insecure"), "\"insecure\": true contradicts an https:// base_url");
      }
    }
  }
  config.mode = readMode(node, errors);
  config.connect_timeout =
      std::chrono::milliseconds(node.getInt("connect_timeout_ms", errors, 5000, 1, 600000));
  config.response_timeout =
      std::chrono::milliseconds(node.getInt("response_timeout_ms", errors, 30000, 1, 3600000));

  if (auto auth = node.member("auth")) {
    parseAuth(*auth, config.insecure, config.auth, errors);
  }
  if (auto tls = node.member("tls")) {
    parseClientTls(*tls, config.tls, errors);
    bool token_https = config.auth.kind == AuthConfig::Kind::OAuth2 &&
                       config.auth.oauth2.token_url.rfind("https://", 0) == 0;
    if (!config.base.https && !token_https && node.member("base_url")) {
      errors.add(*tls, "tls settings need an https:// base_url or token_url");
    }
  }

  if (errors.all().size() != errors_before) {
    return std::nullopt;
  }
  return config;
}

}  // namespace ferry::connectors::fhir_http
