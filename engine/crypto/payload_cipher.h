#pragma once

// AES-256-GCM for payloads at rest. Each seal uses a fresh random 96-bit nonce; the additional
// authenticated data binds the ciphertext to its row (message id, stage, destination, key id),
// so a ciphertext edited, or moved to another row, fails to open with IntegrityError.
//
// Thread-safety: safe to use from several threads (no shared mutable state).

#include <memory>
#include <string>
#include <string_view>

#include "engine/crypto/key_ring.h"
#include "engine/status.h"

namespace ferry::engine::crypto {

struct PayloadBinding {
  std::string_view message_id;
  std::string_view stage;
  std::string_view destination;
};

struct SealedPayload {
  std::string key_id;
  std::string blob;  // nonce (12) || ciphertext || tag (16)
};

class PayloadCipher {
 public:
  explicit PayloadCipher(std::shared_ptr<const KeyRing> keys);

  Result<SealedPayload> seal(std::string_view plaintext, const PayloadBinding& binding) const;
  // IntegrityError when the blob was altered or belongs to another row; KeyError when the key id
  // is unknown.
  Result<std::string> open(const SealedPayload& sealed, const PayloadBinding& binding) const;

 private:
  std::shared_ptr<const KeyRing> keys_;
};

}  // namespace ferry::engine::crypto
