#include "connectors/mllp/mllp_tls.h"

#include <memory>

#include <Poco/AutoPtr.h>
#include <Poco/Exception.h>
#include <Poco/Net/IPAddress.h>
#include <Poco/Net/RejectCertificateHandler.h>
#include <Poco/SharedPtr.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

namespace ferry::connectors::mllp {
namespace {

using engine::ErrorCode;
using engine::Result;
using engine::Status;
using Poco::Net::Context;

bool isIpLiteral(const std::string& host) {
  Poco::Net::IPAddress address;
  return Poco::Net::IPAddress::tryParse(host, address);
}

// Settings common to both ends. Called before the context is handed out.
void hardenContext(Context& context, bool server_side) {
  context.requireMinimumProtocol(Context::PROTO_TLSV1_2);
  // POCO's own post-handshake name check is skipped for loopback peers and, on a server,
  // would compare client certificates with the client's IP address. Names are checked by
  // OpenSSL instead (see makeClientContext).
  context.enableExtendedCertificateVerification(false);
  // Without this, a failed verification would be decided by whatever handler is installed
  // in the global SSLManager, which may prompt on the console or accept everything.
  context.setInvalidCertificateHandler(
      Poco::makeShared<Poco::Net::RejectCertificateHandler>(server_side));
}

}  // namespace

Result<Context::Ptr> makeServerContext(const ListenerTlsConfig& tls) {
  if (tls.require_client_certificate && tls.ca.empty()) {
    return Status(ErrorCode::ConfigError, "tls: require_client_certificate needs 'ca'");
  }
  try {
    Context::Params params;
    params.certificateFile = tls.certificate;
    params.privateKeyFile = tls.private_key;
    params.caLocation = tls.ca;
    params.loadDefaultCAs = false;
    params.cipherList = kTls12CipherList;
    if (tls.require_client_certificate) {
      params.verificationMode = Context::VERIFY_STRICT;
    } else {
      params.verificationMode = tls.ca.empty() ? Context::VERIFY_NONE : Context::VERIFY_RELAXED;
    }
    auto context = Poco::makeAuto<Context>(Context::TLS_SERVER_USE, params);
    hardenContext(*context, true);
    // Resumed sessions would skip the client certificate check of a fresh handshake; MLLP
    // connections are long-lived, so resumption buys nothing.
    context->enableSessionCache(false);
    context->disableStatelessSessionResumption();
    SSL_CTX_set_num_tickets(context->sslContext(), 0);

    if (SSL_CTX_check_private_key(context->sslContext()) != 1) {
      return Status(ErrorCode::ConfigError,
                    "tls: private_key does not belong to certificate (or is unreadable)");
    }
    if (!tls.ca.empty()) {
      // Tells clients which issuers are acceptable, so they pick the right certificate.
      STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(tls.ca.c_str());
      if (names != nullptr) {
        SSL_CTX_set_client_CA_list(context->sslContext(), names);  // takes ownership
      }
    }
    return Context::Ptr(context);
  } catch (const Poco::Exception& e) {
    return Status(ErrorCode::ConfigError,
                  "tls: cannot load certificate, key or ca: " + e.displayText());
  }
}

Result<Context::Ptr> makeClientContext(const SenderTlsConfig& tls, const std::string& host) {
  if (tls.certificate.empty() != tls.private_key.empty()) {
    return Status(ErrorCode::ConfigError,
                  "tls: a client certificate needs both 'certificate' and 'private_key'");
  }
  try {
    Context::Params params;
    params.certificateFile = tls.certificate;
    params.privateKeyFile = tls.private_key;
    params.caLocation = tls.ca;
    params.loadDefaultCAs = tls.ca.empty();
    params.cipherList = kTls12CipherList;
    // On a client, RELAXED already fails the handshake when the server's chain does not
    // verify (OpenSSL's SSL_VERIFY_PEER); STRICT adds nothing there.
    params.verificationMode = Context::VERIFY_RELAXED;
    auto context = Poco::makeAuto<Context>(Context::TLS_CLIENT_USE, params);
    hardenContext(*context, false);

    if (!tls.certificate.empty() && SSL_CTX_check_private_key(context->sslContext()) != 1) {
      return Status(ErrorCode::ConfigError,
                    "tls: private_key does not belong to certificate (or is unreadable)");
    }
    if (tls.verify_host) {
      // Every SSL object made from this context inherits these parameters, so the handshake
      // itself fails on a name mismatch (X509_V_ERR_HOSTNAME_MISMATCH / IP_ADDRESS_MISMATCH).
      const std::string& name = tls.server_name.empty() ? host : tls.server_name;
      X509_VERIFY_PARAM* verify = SSL_CTX_get0_param(context->sslContext());
      X509_VERIFY_PARAM_set_hostflags(verify, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
      int set = isIpLiteral(name) ? X509_VERIFY_PARAM_set1_ip_asc(verify, name.c_str())
                                  : X509_VERIFY_PARAM_set1_host(verify, name.c_str(), name.size());
      if (set != 1) {
        return Status(ErrorCode::ConfigError,
                      "tls: cannot verify against host name '" + name + "'");
      }
    }
    return Context::Ptr(context);
  } catch (const Poco::Exception& e) {
    return Status(ErrorCode::ConfigError,
                  "tls: cannot load ca or client certificate: " + e.displayText());
  }
}

std::string sniName(const SenderTlsConfig& tls, const std::string& host) {
  if (!tls.server_name.empty()) {
    return isIpLiteral(tls.server_name) ? std::string() : tls.server_name;
  }
  return isIpLiteral(host) ? std::string() : host;
}

}  // namespace ferry::connectors::mllp
