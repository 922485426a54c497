#pragma once

// Keyed pseudonyms and per-patient date offsets for de-identification. Everything comes from
// one pseudonym key derived from the key file's index key with a label
// (HMAC-SHA256(index_key, "ferry-pseudonym-v1")), so the index key itself never meets payload
// values here and a pseudonym cannot be compared with the engine's searchable hashes.
//
// The same input gives the same output for as long as the key file stays the same: the same
// patient gets the same pseudonym in every message and every destination. Safe Harbor allows
// such a code when it is not derived from the identifier in a way that can be reversed: with a
// secret key that stays inside the engine, HMAC is not reversible by the receiver.
//
// Thread-safety: immutable after construction; every method may be called from any thread.

#include <memory>
#include <string>
#include <string_view>

#include "engine/crypto/key_ring.h"

struct evp_mac_ctx_st;

namespace ferry::mappings::deid {

class Pseudonymizer {
 public:
  explicit Pseudonymizer(const engine::crypto::KeyRing& keys);
  // Overwrites the derived key.
  ~Pseudonymizer();
  Pseudonymizer(const Pseudonymizer&) = delete;
  Pseudonymizer& operator=(const Pseudonymizer&) = delete;

  // 16 lower-case hex digits (64 bits) for a patient identifier (an MRN's value).
  std::string patientPseudonym(std::string_view identifier) const;
  // A non-zero whole number of days in [-max_days, max_days] for a patient identifier.
  int dateShiftDays(std::string_view identifier, int max_days) const;
  // 20 hex digits in place of a message control id (MSH-10, MSA-2), which senders often build
  // from a timestamp.
  std::string controlId(std::string_view original) const;
  // A replacement for a FHIR resource id: 16 hex digits; for a value shaped like a UUID, a
  // UUID (version 4 layout) so that "urn:uuid:" references stay well formed.
  std::string resourceId(std::string_view original) const;
  // A UUID (version 4 layout) for any value.
  std::string uuid(std::string_view original) const;

 private:
  std::string digest(std::string_view purpose, std::string_view value) const;

  struct MacCtxDeleter {
    void operator()(evp_mac_ctx_st* ctx) const;
  };

  engine::crypto::Key256 key_{};
  // An HMAC context set up with key_ once; each digest works on a copy of it, which saves the
  // key schedule on the per-message path. nullptr when OpenSSL could not set it up (then
  // digest() falls back to crypto::hmacSha256Hex).
  std::unique_ptr<evp_mac_ctx_st, MacCtxDeleter> base_;
};

// True for "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" in hex digits.
bool looksLikeUuid(std::string_view text);

// A UUID (version 4 layout) built from 32 hex digits.
std::string uuidFromHex(std::string_view hex);

}  // namespace ferry::mappings::deid
