#pragma once

// Hash helpers over OpenSSL: SHA-256 and HMAC-SHA256, as lower-case hex. The hash functions
// return an empty string only when OpenSSL itself failed (no provider for the algorithm), which
// a caller comparing digests then sees as a mismatch.
//
// Thread-safety: every function may be called from any thread.

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/crypto/key_ring.h"

namespace ferry::engine::crypto {

std::string sha256Hex(std::string_view data);
std::string hmacSha256Hex(const Key256& key, std::string_view data);
std::string toHex(std::string_view bytes);
// Fills `out` with cryptographically strong random bytes; false when the RNG failed.
bool randomBytes(std::uint8_t* out, std::size_t size);

}  // namespace ferry::engine::crypto
