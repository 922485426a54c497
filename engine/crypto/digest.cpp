#include "engine/crypto/digest.h"

#include <array>
#include <climits>

#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "engine/crypto/openssl_handles.h"

namespace ferry::engine::crypto {
namespace {

constexpr std::size_t kSha256Size = 32;

std::string hexOf(const unsigned char* bytes, std::size_t size) {
  return toHex(std::string_view(reinterpret_cast<const char*>(bytes), size));
}

}  // namespace

std::string sha256Hex(std::string_view data) {
  const EVP_MD* md = detail::sha256Algorithm();
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int size = 0;
  if (md == nullptr || EVP_Digest(data.data(), data.size(), out.data(), &size, md, nullptr) != 1) {
    return {};
  }
  return hexOf(out.data(), size);
}

std::string hmacSha256Hex(const Key256& key, std::string_view data) {
  EVP_MAC* mac = detail::hmacAlgorithm();
  if (mac == nullptr) {
    return {};
  }
  detail::MacCtxPtr ctx(EVP_MAC_CTX_new(mac));
  if (!ctx) {
    return {};
  }

  char digest_name[] = "SHA256";
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
      OSSL_PARAM_construct_end(),
  };
  std::array<unsigned char, kSha256Size> out{};
  std::size_t size = 0;
  if (EVP_MAC_init(ctx.get(), key.data(), key.size(), params) != 1 ||
      EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char*>(data.data()), data.size()) !=
          1 ||
      EVP_MAC_final(ctx.get(), out.data(), &size, out.size()) != 1) {
    return {};
  }
  return hexOf(out.data(), size);
}

std::string toHex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex(bytes.size() * 2, '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    auto byte = static_cast<unsigned char>(bytes[i]);
    hex[2 * i] = kDigits[byte >> 4];
    hex[2 * i + 1] = kDigits[byte & 0x0f];
  }
  return hex;
}

bool randomBytes(std::uint8_t* out, std::size_t size) {
  // RAND_bytes takes an int; fill large requests in pieces.
  while (size > 0) {
    std::size_t chunk = size < INT_MAX ? size : static_cast<std::size_t>(INT_MAX);
    if (RAND_bytes(out, static_cast<int>(chunk)) != 1) {
      return false;
    }
    out += chunk;
    size -= chunk;
  }
  return true;
}

}  // namespace ferry::engine::crypto
