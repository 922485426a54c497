#pragma once

// TLS probes shared by the listener suites (MLLP and FHIR HTTP): a client that speaks only
// TLS 1.1, and a control server showing that such a client really works on this machine.

#include <Poco/Net/Context.h>

namespace ferry::testing {

// A client context that offers TLS 1.1 and nothing newer, at OpenSSL security level 0 (the
// level TLS 1.1 needs in OpenSSL 3).
Poco::Net::Context::Ptr tls11ClientContext();

// True when a client with `context` completes a handshake with 127.0.0.1:`port`.
bool tlsHandshakeSucceeds(int port, Poco::Net::Context::Ptr context);

// Control for the TLS 1.1 tests: a one-handshake server that does allow TLS 1.1 (with the test
// PKI's server certificate). False means this OpenSSL cannot speak TLS 1.1 at all.
bool tls11WorksAgainstPermissiveServer();

}  // namespace ferry::testing
