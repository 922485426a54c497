#pragma once

// TLS settings of MLLP listeners and senders, and the POCO contexts built from them.
//
// Every context is made explicitly here: nothing relies on Poco::Net::SSLManager's default
// contexts or on a Poco::Util::Application configuration. Each context gets its own
// certificate-error handler that rejects, so that a handler installed globally (or POCO's
// console prompt) never decides about our peers. TLS 1.2 is the minimum; TLS 1.3 is
// negotiated when both ends have it.

#include <string>

#include <Poco/Net/Context.h>

#include "engine/status.h"

namespace ferry::connectors::mllp {

struct ListenerTlsConfig {
  std::string certificate;  // PEM file: the listener's certificate (chain may follow)
  std::string private_key;  // PEM file, unencrypted
  std::string ca;           // PEM file of CAs trusted for client certificates; may be empty
  // When true, a client without a certificate signed by `ca` fails the handshake.
  bool require_client_certificate = false;
};

struct SenderTlsConfig {
  std::string ca;           // PEM file of CAs trusted for the server; empty: the system trust store
  std::string certificate;  // optional client certificate (PEM), with `private_key`
  std::string private_key;
  // Checks that the server certificate names `server_name` (or the host connected to).
  bool verify_host = true;
  std::string server_name;  // name to verify and to send as SNI; empty: the host
};

// Ciphers offered with TLS 1.2: forward-secret AEAD suites only. TLS 1.3 suites are
// OpenSSL's defaults (all AEAD).
inline constexpr const char* kTls12CipherList =
    "ECDHE+AESGCM:ECDHE+CHACHA20:DHE+AESGCM:DHE+CHACHA20:!aNULL:!eNULL";

// A server context: certificate and key loaded, client certificates verified against `ca`
// (required when require_client_certificate, checked if offered when only `ca` is set), no
// session resumption. ConfigError names the failing setting, never key material.
engine::Result<Poco::Net::Context::Ptr> makeServerContext(const ListenerTlsConfig& tls);

// A client context: the server certificate is verified against `ca` (or the system trust
// store), and, unless verify_host is false, must name `server_name` or else `host`. The
// name check is made by OpenSSL during the handshake, for DNS names and IP addresses alike.
engine::Result<Poco::Net::Context::Ptr> makeClientContext(const SenderTlsConfig& tls,
                                                          const std::string& host);

// The name a client sends as SNI for `host`: server_name, else host unless it is an IP
// address literal (RFC 6066 allows only DNS names there); empty for none.
std::string sniName(const SenderTlsConfig& tls, const std::string& host);

}  // namespace ferry::connectors::mllp
