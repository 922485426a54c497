#include "connectors/tls_test_support.h"

#include <chrono>
#include <thread>

#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/StreamSocket.h>
#include <openssl/ssl.h>

#include "connectors/mllp/mllp_io.h"
#include "support/test_pki.h"

namespace ferry::testing {
namespace {

constexpr std::chrono::milliseconds kHandshakeTimeout(10000);

}  // namespace

Poco::Net::Context::Ptr tls11ClientContext() {
  Poco::Net::Context::Params params;
  params.verificationMode = Poco::Net::Context::VERIFY_NONE;
  params.cipherList = "DEFAULT:@SECLEVEL=0";
  auto context = Poco::makeAuto<Poco::Net::Context>(Poco::Net::Context::TLS_CLIENT_USE, params);
  SSL_CTX_set_security_level(context->sslContext(), 0);
  SSL_CTX_set_min_proto_version(context->sslContext(), TLS1_1_VERSION);
  SSL_CTX_set_max_proto_version(context->sslContext(), TLS1_1_VERSION);
  return context;
}

bool tlsHandshakeSucceeds(int port, Poco::Net::Context::Ptr context) {
  connectors::mllp::ScopedSigpipeBlock sigpipe;
  try {
    Poco::Net::StreamSocket plain;
    plain.connect(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port)));
    plain.setReceiveTimeout(connectors::mllp::toTimespan(kHandshakeTimeout));
    auto secure = Poco::Net::SecureStreamSocket::attach(plain, context);
    secure.completeHandshake();
    secure.close();
    return true;
  } catch (const Poco::Exception&) {
    return false;
  }
}

bool tls11WorksAgainstPermissiveServer() {
  Poco::Net::Context::Params params;
  params.certificateFile = testPki().path("server.pem");
  params.privateKeyFile = testPki().path("server.key");
  params.verificationMode = Poco::Net::Context::VERIFY_NONE;
  params.cipherList = "DEFAULT:@SECLEVEL=0";
  auto context = Poco::makeAuto<Poco::Net::Context>(Poco::Net::Context::TLS_SERVER_USE, params);
  SSL_CTX_set_security_level(context->sslContext(), 0);
  SSL_CTX_set_min_proto_version(context->sslContext(), TLS1_1_VERSION);
  Poco::Net::SecureServerSocket server(context);
  server.bind(Poco::Net::SocketAddress("127.0.0.1", 0), true, false);
  server.listen();
  std::thread accept([&] {
    connectors::mllp::ScopedSigpipeBlock sigpipe;
    try {
      if (server.poll(connectors::mllp::toTimespan(kHandshakeTimeout),
                      Poco::Net::Socket::SELECT_READ)) {
        Poco::Net::SecureStreamSocket connection(server.acceptConnection());
        connection.setReceiveTimeout(connectors::mllp::toTimespan(kHandshakeTimeout));
        connection.completeHandshake();
      }
    } catch (const Poco::Exception&) {
      // The client side reports the outcome.
    }
  });
  bool succeeded = tlsHandshakeSucceeds(server.address().port(), tls11ClientContext());
  accept.join();
  return succeeded;
}

}  // namespace ferry::testing
