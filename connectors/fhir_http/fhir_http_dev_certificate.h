#pragma once

// The self-signed development certificate a FHIR listener serves when no certificate is
// configured, so that a fresh install speaks HTTPS from the first run instead of plain HTTP.
// It is an EC P-256 key and a certificate for CN=localhost with subjectAltName DNS:localhost
// and IP:127.0.0.1, valid for one year, made with OpenSSL. Clients must be told to trust it
// explicitly (its fingerprint is logged); it is meant for development and tests, never for a
// production link.
//
// Thread-safety: the functions may be called from any thread. Callers sharing a directory (in
// one process or several) take turns through a lock file there, so they end with one pair.

#include <string>

#include "engine/status.h"

namespace ferry::connectors::fhir_http {

inline constexpr const char* kDevCertificateFile = "fhir-dev-certificate.pem";
inline constexpr const char* kDevPrivateKeyFile = "fhir-dev-key.pem";

struct DevCertificate {
  std::string certificate_path;
  std::string private_key_path;
  std::string fingerprint;  // SHA-256 of the DER certificate, "AB:CD:...:EF"
  bool created = false;     // made by this call (false: reused from an earlier run)
  // Why an existing pair was not reused or what was fixed ("expires within a day",
  // "key file permissions tightened to 0600"); empty when nothing needs saying.
  std::string note;
};

// Returns the pair in `directory` (created with mode 0700 when missing), reusing an earlier
// one when it loads, its key matches and it is valid for at least another day; otherwise makes
// a new one. The key file is written with mode 0600, each file atomically (temporary file,
// fsync, rename). IoError when the directory or files cannot be written, Internal when
// OpenSSL fails.
engine::Result<DevCertificate> ensureDevCertificate(const std::string& directory);

// SHA-256 fingerprint of the first certificate in a PEM file, "AB:CD:...". IoError when the
// file does not hold a certificate.
engine::Result<std::string> certificateFingerprint(const std::string& pem_path);

}  // namespace ferry::connectors::fhir_http
