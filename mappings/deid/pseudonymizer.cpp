#include "mappings/deid/pseudonymizer.h"

#include <array>
#include <cstdint>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "engine/crypto/digest.h"

namespace ferry::mappings::deid {

namespace {

constexpr std::string_view kKeyLabel = "ferry-pseudonym-v1";

int hexValue(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

}  // namespace

Pseudonymizer::Pseudonymizer(const engine::crypto::KeyRing& keys) {
  const std::string hex = engine::crypto::hmacSha256Hex(keys.indexKey(), kKeyLabel);
  // An empty digest (OpenSSL without HMAC) leaves the key zero; digest() then refuses.
  for (std::size_t i = 0; i < key_.size() && 2 * i + 1 < hex.size(); ++i) {
    key_[i] = static_cast<std::uint8_t>(hexValue(hex[2 * i]) * 16 + hexValue(hex[2 * i + 1]));
  }

  EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  if (mac == nullptr) {
    return;
  }
  base_.reset(EVP_MAC_CTX_new(mac));
  EVP_MAC_free(mac);  // the context keeps its own reference
  char digest_name[] = "SHA256";
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
      OSSL_PARAM_construct_end(),
  };
  if (base_ && EVP_MAC_init(base_.get(), key_.data(), key_.size(), params) != 1) {
    base_.reset();
  }
}

Pseudonymizer::~Pseudonymizer() { OPENSSL_cleanse(key_.data(), key_.size()); }

void Pseudonymizer::MacCtxDeleter::operator()(evp_mac_ctx_st* ctx) const { EVP_MAC_CTX_free(ctx); }

std::string Pseudonymizer::digest(std::string_view purpose, std::string_view value) const {
  // The purpose keeps the outputs of different uses apart: an MRN's pseudonym is not the id
  // its Patient resource gets, nor the seed of its date offset.
  if (base_) {
    std::unique_ptr<evp_mac_ctx_st, MacCtxDeleter> ctx(EVP_MAC_CTX_dup(base_.get()));
    std::array<unsigned char, 32> out{};
    std::size_t size = 0;
    auto update = [&](std::string_view data) {
      return EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char*>(data.data()),
                            data.size()) == 1;
    };
    if (ctx && update(purpose) && update("|") && update(value) &&
        EVP_MAC_final(ctx.get(), out.data(), &size, out.size()) == 1 && size == out.size()) {
      return engine::crypto::toHex(
          std::string_view(reinterpret_cast<const char*>(out.data()), out.size()));
    }
  }
  std::string input;
  input.reserve(purpose.size() + 1 + value.size());
  input.append(purpose).append("|").append(value);
  return engine::crypto::hmacSha256Hex(key_, input);
}

std::string Pseudonymizer::patientPseudonym(std::string_view identifier) const {
  return digest("patient", identifier).substr(0, 16);
}

int Pseudonymizer::dateShiftDays(std::string_view identifier, int max_days) const {
  if (max_days <= 0) {
    return 0;
  }
  const std::string hex = digest("date-shift", identifier);
  std::uint64_t bits = 0;
  for (std::size_t i = 0; i < 16 && i < hex.size(); ++i) {
    bits = (bits << 4) | static_cast<std::uint64_t>(hexValue(hex[i]));
  }
  const int magnitude = static_cast<int>(bits % static_cast<std::uint64_t>(max_days)) + 1;
  return (bits >> 63) != 0 ? -magnitude : magnitude;
}

std::string Pseudonymizer::controlId(std::string_view original) const {
  return digest("control", original).substr(0, 20);
}

std::string Pseudonymizer::resourceId(std::string_view original) const {
  if (looksLikeUuid(original)) {
    return uuid(original);
  }
  return digest("resource", original).substr(0, 16);
}

std::string Pseudonymizer::uuid(std::string_view original) const {
  return uuidFromHex(digest("resource", original));
}

bool looksLikeUuid(std::string_view text) {
  if (text.size() != 36) {
    return false;
  }
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? text[i] != '-' : hexValue(text[i]) < 0) {
      return false;
    }
  }
  return true;
}

std::string uuidFromHex(std::string_view hex) {
  std::string digits(hex.substr(0, 32));
  digits.resize(32, '0');
  digits[12] = '4';  // version 4 layout
  digits[16] = "89ab"[hexValue(digits[16]) & 3];
  return digits.substr(0, 8) + "-" + digits.substr(8, 4) + "-" + digits.substr(12, 4) + "-" +
         digits.substr(16, 4) + "-" + digits.substr(20, 12);
}

}  // namespace ferry::mappings::deid
