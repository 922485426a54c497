#include "engine/crypto/openssl_handles.h"

namespace ferry::engine::crypto::detail {
namespace {

struct MdDeleter {
  void operator()(EVP_MD* md) const { EVP_MD_free(md); }
};
struct MacDeleter {
  void operator()(EVP_MAC* mac) const { EVP_MAC_free(mac); }
};
struct CipherDeleter {
  void operator()(EVP_CIPHER* cipher) const { EVP_CIPHER_free(cipher); }
};

}  // namespace

// Function-local statics: initialised once, thread-safely, on first use. They are destroyed
// before OpenSSL's own exit handler runs, because that handler was registered earlier.
const EVP_MD* sha256Algorithm() {
  static const std::unique_ptr<EVP_MD, MdDeleter> md(EVP_MD_fetch(nullptr, "SHA256", nullptr));
  return md.get();
}

EVP_MAC* hmacAlgorithm() {
  static const std::unique_ptr<EVP_MAC, MacDeleter> mac(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
  return mac.get();
}

const EVP_CIPHER* aes256GcmAlgorithm() {
  static const std::unique_ptr<EVP_CIPHER, CipherDeleter> cipher(
      EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr));
  return cipher.get();
}

}  // namespace ferry::engine::crypto::detail
