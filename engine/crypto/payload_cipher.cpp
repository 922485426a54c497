#include "engine/crypto/payload_cipher.h"

#include <array>
#include <climits>
#include <cstdint>
#include <utility>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "engine/crypto/digest.h"
#include "engine/crypto/openssl_handles.h"

namespace ferry::engine::crypto {
namespace {

constexpr std::size_t kNonceSize = 12;
constexpr std::size_t kTagSize = 16;
// Room left under INT_MAX (the length type of EVP_*Update) for nonce and tag.
constexpr std::size_t kMaxPlaintext = static_cast<std::size_t>(INT_MAX) - kNonceSize - kTagSize;
// Names the encoding, so that a future change of layout cannot verify under the old one.
constexpr std::string_view kAadVersion = "ferry.payload.v1";

void appendLengthPrefixed(std::string& out, std::string_view field) {
  std::uint64_t size = field.size();
  for (int shift = 56; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((size >> shift) & 0xff));
  }
  out.append(field);
}

// The additional authenticated data: every field length-prefixed, so that no two different
// bindings encode to the same bytes ("ab"+"c" differs from "a"+"bc").
std::string encodeBinding(const PayloadBinding& binding, std::string_view key_id) {
  std::string aad;
  aad.reserve(5 * 8 + kAadVersion.size() + binding.message_id.size() + binding.stage.size() +
              binding.destination.size() + key_id.size());
  appendLengthPrefixed(aad, kAadVersion);
  appendLengthPrefixed(aad, binding.message_id);
  appendLengthPrefixed(aad, binding.stage);
  appendLengthPrefixed(aad, binding.destination);
  appendLengthPrefixed(aad, key_id);
  return aad;
}

unsigned char* bytesOf(std::string& text) { return reinterpret_cast<unsigned char*>(text.data()); }

const unsigned char* bytesOf(std::string_view text) {
  return reinterpret_cast<const unsigned char*>(text.data());
}

Status integrityFailure() {
  return Status(ErrorCode::IntegrityError,
                "payload failed authentication: altered, truncated or bound to another row");
}

}  // namespace

PayloadCipher::PayloadCipher(std::shared_ptr<const KeyRing> keys) : keys_(std::move(keys)) {}

Result<SealedPayload> PayloadCipher::seal(std::string_view plaintext,
                                          const PayloadBinding& binding) const {
  const std::string& key_id = keys_->activePayloadKeyId();
  const Key256* key = keys_->payloadKey(key_id);
  const EVP_CIPHER* cipher = detail::aes256GcmAlgorithm();
  if (key == nullptr) {
    return Status(ErrorCode::KeyError, "active payload key '" + key_id + "' is not in the ring");
  }
  if (cipher == nullptr) {
    return Status(ErrorCode::Internal, "AES-256-GCM is not available from OpenSSL");
  }
  if (plaintext.size() > kMaxPlaintext) {
    return Status(ErrorCode::LimitExceeded, "payload too large to encrypt (over 2 GiB)");
  }

  // One allocation for the whole blob: nonce, then ciphertext written in place, then tag.
  SealedPayload sealed;
  sealed.key_id = key_id;
  sealed.blob.resize(kNonceSize + plaintext.size() + kTagSize);
  unsigned char* nonce = bytesOf(sealed.blob);
  unsigned char* body = nonce + kNonceSize;
  unsigned char* tag = body + plaintext.size();
  if (!randomBytes(nonce, kNonceSize)) {
    return Status(ErrorCode::Internal, "random number generator failed to make a nonce");
  }

  std::string aad = encodeBinding(binding, key_id);
  detail::CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  int length = 0;
  int final_length = 0;
  bool ok =
      ctx && EVP_EncryptInit_ex2(ctx.get(), cipher, key->data(), nonce, nullptr) == 1 &&
      EVP_EncryptUpdate(ctx.get(), nullptr, &length, bytesOf(std::string_view(aad)),
                        static_cast<int>(aad.size())) == 1 &&
      EVP_EncryptUpdate(ctx.get(), body, &length, bytesOf(plaintext),
                        static_cast<int>(plaintext.size())) == 1 &&
      EVP_EncryptFinal_ex(ctx.get(), body + length, &final_length) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_GET_TAG, static_cast<int>(kTagSize), tag) == 1;
  if (!ok) {
    OPENSSL_cleanse(sealed.blob.data(), sealed.blob.size());
    return Status(ErrorCode::Internal, "AES-256-GCM encryption failed inside OpenSSL");
  }
  return sealed;
}

Result<std::string> PayloadCipher::open(const SealedPayload& sealed,
                                        const PayloadBinding& binding) const {
  const Key256* key = keys_->payloadKey(sealed.key_id);
  const EVP_CIPHER* cipher = detail::aes256GcmAlgorithm();
  if (key == nullptr) {
    return Status(ErrorCode::KeyError,
                  "payload key '" + sealed.key_id + "' named by the row is not in the ring");
  }
  if (cipher == nullptr) {
    return Status(ErrorCode::Internal, "AES-256-GCM is not available from OpenSSL");
  }
  if (sealed.blob.size() < kNonceSize + kTagSize) {
    return integrityFailure();
  }

  std::string_view blob(sealed.blob);
  std::string_view nonce = blob.substr(0, kNonceSize);
  std::string_view body = blob.substr(kNonceSize, blob.size() - kNonceSize - kTagSize);
  std::array<unsigned char, kTagSize> tag{};
  blob.copy(reinterpret_cast<char*>(tag.data()), kTagSize, blob.size() - kTagSize);
  std::string aad = encodeBinding(binding, sealed.key_id);

  std::string plaintext(body.size(), '\0');
  detail::CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  int length = 0;
  int final_length = 0;
  bool set_up = ctx &&
                EVP_DecryptInit_ex2(ctx.get(), cipher, key->data(), bytesOf(nonce), nullptr) == 1 &&
                EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_TAG, static_cast<int>(kTagSize),
                                    tag.data()) == 1 &&
                EVP_DecryptUpdate(ctx.get(), nullptr, &length, bytesOf(std::string_view(aad)),
                                  static_cast<int>(aad.size())) == 1 &&
                EVP_DecryptUpdate(ctx.get(), bytesOf(plaintext), &length, bytesOf(body),
                                  static_cast<int>(body.size())) == 1;
  if (!set_up) {
    OPENSSL_cleanse(plaintext.data(), plaintext.size());
    return Status(ErrorCode::Internal, "AES-256-GCM decryption failed inside OpenSSL");
  }

  // GCM releases plaintext before the tag is checked; nothing of it may escape a failed check.
  if (EVP_DecryptFinal_ex(ctx.get(), bytesOf(plaintext) + length, &final_length) != 1) {
    OPENSSL_cleanse(plaintext.data(), plaintext.size());
    return integrityFailure();
  }
  return plaintext;
}

}  // namespace ferry::engine::crypto
