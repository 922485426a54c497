#pragma once

// Keys the engine uses, loaded from a key file kept outside the database. The file is JSON:
//   {"payload_keys": [{"id": "k1", "key": "<64 hex>"}], "active_payload_key": "k1",
//    "audit_keys": [{"id": "a1", "key": "<64 hex>"}], "active_audit_key": "a1",
//    "index_key": "<64 hex>"}
// Several payload and audit keys may be listed so that rotation can follow: new writes use the
// active one, reads use the id stored with each row.
//
// Thread-safety: immutable after load; share as std::shared_ptr<const KeyRing>.

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "engine/status.h"

namespace ferry::engine::crypto {

using Key256 = std::array<std::uint8_t, 32>;

class KeyRing {
 public:
  // Overwrites the key bytes so that they do not linger in freed memory.
  ~KeyRing();

  // Loads `path`; when it does not exist and `create_if_missing`, writes a new file with fresh
  // random keys and mode 0600 first. Refuses (KeyError) a file that group or others can read or
  // write, a malformed file, or one without the active keys it names.
  //
  // Creation is atomic and never replaces a file: the keys are written to a temporary file in the
  // same directory (O_EXCL, 0600), synced, then moved into place only if `path` is still free;
  // when another process got there first, its file is loaded instead. Key ids are 1 to 64
  // characters of [A-Za-z0-9._-]; keys are 64 hex digits. Unknown members are refused. Error texts
  // name the path and the rule broken, never key material.
  static Result<std::shared_ptr<const KeyRing>> loadOrCreate(const std::string& path,
                                                             bool create_if_missing);

  const std::string& activePayloadKeyId() const { return active_payload_; }
  const std::string& activeAuditKeyId() const { return active_audit_; }
  // nullptr when the id is unknown.
  const Key256* payloadKey(const std::string& id) const;
  const Key256* auditKey(const std::string& id) const;
  // Key for keyed hashes of searchable identifiers (e.g. the patient id index).
  const Key256& indexKey() const { return index_key_; }

 private:
  std::map<std::string, Key256> payload_keys_;
  std::map<std::string, Key256> audit_keys_;
  std::string active_payload_;
  std::string active_audit_;
  Key256 index_key_{};
};

}  // namespace ferry::engine::crypto
