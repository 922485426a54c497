#pragma once

// Typed settings of FHIR HTTP listeners (source type "fhir_http") and FHIR REST destinations
// (destination type "fhir_http"), and their parsing from configuration. Parsing opens no
// socket; it checks that named files are readable and loads TLS material so that a bad
// certificate or key is a config error rather than a failure at start-up. It never reads a
// secret into an error message.
//
// Listener keys: name, type, host ("127.0.0.1"), port (0..65535, 0 picks a free port),
// base_path ("/fhir"), max_body_bytes (16 MiB), max_connections (64), request_timeout_ms
// (30000: longest wait for the next bytes of a request, or for the client to take the
// response; also the most a whole body may take), idle_timeout_seconds (60: how long a
// kept-alive connection waits for its next request; that request must be complete within
// idle_timeout + request_timeout, see fhir_http_watchdog.h), insecure (false), tls {certificate,
// private_key, ca, require_client_certificate, dev_directory ("var/tls")}.
//   Without tls.certificate and without "insecure": true the listener serves a self-signed
//   development certificate, made at first start() in tls.dev_directory (see
//   fhir_http_dev_certificate.h). "insecure": true serves plain HTTP and contradicts any "tls".
//
// Destination keys: name, type, base_url, insecure (false), mode ("create", "update" or
// "transaction"), connect_timeout_ms (5000: connect and TLS handshake), response_timeout_ms
// (30000), tls {ca, certificate, private_key, verify_host (true)}, auth (one of
// {"bearer_token": "..."}, {"bearer_token_file": path} or {"oauth2": {token_url, client_id,
// client_secret | client_secret_file, scope, client_authentication ("basic" or "body")}}).
// "retry", "ordered", "transforms" and "business_associate" belong to the engine and are only
// let through.
//   base_url must be https://, or http:// together with "insecure": true (which then also
//   allows an http:// token_url). It carries no credentials, query or fragment.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "connectors/mllp/mllp_tls.h"
#include "engine/config/config_node.h"

namespace ferry::connectors::fhir_http {

inline constexpr std::size_t kDefaultMaxBodyBytes = std::size_t{16} << 20;

struct ListenerTls {
  // Certificate and key (PEM); both empty: the development certificate is used.
  std::string certificate;
  std::string private_key;
  std::string ca;  // CAs trusted for client certificates; may be empty
  bool require_client_certificate = false;
  std::string dev_directory = "var/tls";  // where the development certificate lives
};

struct ListenerConfig {
  std::string name;
  std::string host = "127.0.0.1";
  int port = 0;
  // Starts with '/', never ends with one; "" when the config said "/".
  std::string base_path = "/fhir";
  std::size_t max_body_bytes = kDefaultMaxBodyBytes;
  int max_connections = 64;
  std::chrono::milliseconds request_timeout = std::chrono::seconds(30);
  std::chrono::seconds idle_timeout = std::chrono::seconds(60);
  bool insecure = false;
  ListenerTls tls;  // ignored when insecure
  // Not a config key: how long stop() lets requests in progress finish before it closes
  // their connections. Calls into the sink always finish.
  std::chrono::milliseconds stop_grace = std::chrono::seconds(5);
};

enum class DeliveryMode {
  Create,       // POST [base]/[type]
  Update,       // PUT [base]/[type]/[id]
  Transaction,  // POST [base] with a transaction Bundle holding the resource
};

enum class ClientAuthentication {
  Basic,  // client id and secret in an HTTP Basic Authorization header (RFC 6749 2.3.1)
  Body,   // client_id and client_secret as form parameters
};

struct OAuth2Config {
  std::string token_url;
  std::string client_id;
  std::string client_secret;       // inline secret, or
  std::string client_secret_file;  // a file holding it (read at every token request)
  std::string scope;               // may be empty
  ClientAuthentication client_authentication = ClientAuthentication::Basic;
};

struct AuthConfig {
  enum class Kind { None, BearerToken, BearerTokenFile, OAuth2 };
  Kind kind = Kind::None;
  std::string bearer_token;
  std::string bearer_token_file;
  OAuth2Config oauth2;
};

// The parts of an http(s) URL the clients need.
struct HttpEndpoint {
  bool https = true;
  std::string host;        // without brackets for IPv6 literals
  std::uint16_t port = 0;  // explicit or the scheme's default
  std::string path;        // "" or "/a/b" (no trailing '/')
  // scheme://host:port + path, for status contexts and logs (holds no credentials).
  std::string display;
};

struct DestinationConfig {
  std::string name;
  HttpEndpoint base;
  bool insecure = false;
  DeliveryMode mode = DeliveryMode::Create;
  std::chrono::milliseconds connect_timeout = std::chrono::milliseconds(5000);
  std::chrono::milliseconds response_timeout = std::chrono::milliseconds(30000);
  // ca, client certificate and verify_host; server_name stays empty (the URL's host is
  // verified). Used for the token endpoint too.
  mllp::SenderTlsConfig tls;
  AuthConfig auth;
};

// Read settings from `node`, reporting every problem (with its JSON path) into `errors`.
// std::nullopt when anything was reported.
std::optional<ListenerConfig> parseListenerConfig(const engine::config::ConfigNode& node,
                                                  engine::config::ConfigErrors& errors);
std::optional<DestinationConfig> parseDestinationConfig(const engine::config::ConfigNode& node,
                                                        engine::config::ConfigErrors& errors);

// Splits an http:// or https:// URL; std::nullopt with `problem` set when it is not one, or
// carries user info, a query or a fragment. `problem` never quotes the URL.
std::optional<HttpEndpoint> parseHttpUrl(const std::string& url, std::string& problem);

}  // namespace ferry::connectors::fhir_http
