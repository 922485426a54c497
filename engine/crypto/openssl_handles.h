#pragma once

// Internal to engine/crypto: owning handles for OpenSSL objects and the algorithms this folder
// uses, fetched once per process. Fetching an algorithm by name is a lookup in OpenSSL's provider
// store; doing it once keeps it off the per-message path.

#include <memory>

#include <openssl/evp.h>

namespace ferry::engine::crypto::detail {

struct CipherCtxDeleter {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
struct MacCtxDeleter {
  void operator()(EVP_MAC_CTX* ctx) const { EVP_MAC_CTX_free(ctx); }
};

using CipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxDeleter>;
using MacCtxPtr = std::unique_ptr<EVP_MAC_CTX, MacCtxDeleter>;

// Each returns nullptr when the algorithm is not available from the loaded providers. The
// objects live until the process exits; they are safe to share between threads.
const EVP_MD* sha256Algorithm();
EVP_MAC* hmacAlgorithm();
const EVP_CIPHER* aes256GcmAlgorithm();

}  // namespace ferry::engine::crypto::detail
