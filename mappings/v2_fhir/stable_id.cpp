#include "mappings/v2_fhir/stable_id.h"

#include <array>
#include <cstdint>
#include <memory>

#include <openssl/evp.h>

namespace ferry::mappings::v2fhir {
namespace {

// Ferry's namespace UUID for v2-to-FHIR resource ids (randomly chosen once, never change it:
// every id already sent depends on it).
constexpr std::array<std::uint8_t, 16> kNamespace = {
    0x6f, 0x1c, 0x9a, 0x52, 0x3d, 0x0e, 0x4b, 0x7a, 0x9e, 0x21, 0x58, 0xc4, 0x0d, 0x93, 0xa7, 0x6b};

struct MdDeleter {
  void operator()(EVP_MD* md) const { EVP_MD_free(md); }
};
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
};

// A message makes a dozen ids or more. Fetching SHA-1 by name searches OpenSSL's provider
// store and a new context allocates, which together cost more than the hash itself; so the
// algorithm is fetched once per process and each thread keeps one context to re-initialise.
const EVP_MD* sha1Algorithm() {
  static const std::unique_ptr<EVP_MD, MdDeleter> md(EVP_MD_fetch(nullptr, "SHA1", nullptr));
  return md.get();
}

EVP_MD_CTX* threadContext() {
  thread_local const std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> context(EVP_MD_CTX_new());
  return context.get();
}

}  // namespace

bool writeNameBasedUuid(std::string_view name, UuidText& out) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  const EVP_MD* md = sha1Algorithm();
  EVP_MD_CTX* context = threadContext();
  bool ok = md != nullptr && context != nullptr && EVP_DigestInit_ex2(context, md, nullptr) == 1 &&
            EVP_DigestUpdate(context, kNamespace.data(), kNamespace.size()) == 1 &&
            EVP_DigestUpdate(context, name.data(), name.size()) == 1 &&
            EVP_DigestFinal_ex(context, digest.data(), &size) == 1;
  if (!ok || size < 16) {
    // SHA-1 is part of every OpenSSL default provider; without it nothing can be identified.
    return false;
  }
  digest[6] = static_cast<unsigned char>((digest[6] & 0x0F) | 0x50);
  digest[8] = static_cast<unsigned char>((digest[8] & 0x3F) | 0x80);
  static constexpr char kHex[] = "0123456789abcdef";
  std::size_t at = 0;
  for (std::size_t index = 0; index < 16; ++index) {
    if (index == 4 || index == 6 || index == 8 || index == 10) {
      out[at++] = '-';
    }
    out[at++] = kHex[digest[index] >> 4];
    out[at++] = kHex[digest[index] & 0x0F];
  }
  return true;
}

std::string nameBasedUuid(std::string_view name) {
  UuidText text;
  if (!writeNameBasedUuid(name, text)) {
    return {};
  }
  return std::string(text.data(), text.size());
}

}  // namespace ferry::mappings::v2fhir
