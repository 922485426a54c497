#pragma once

// The tamper-evident audit chain. Each record's mac is HMAC-SHA256 under the audit key over the
// previous record's mac and a canonical, length-prefixed encoding of the record's own fields
// (sequence included), so that an edited, deleted, reordered or inserted record breaks the chain
// at that point.
//
// Thread-safety: AuditChain is used by the journal's single writer thread only.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "engine/crypto/key_ring.h"
#include "engine/status.h"
#include "engine/store/records.h"
#include "engine/store/store_backend.h"

namespace ferry::engine::audit {

class AuditChain {
 public:
  // Continues after `last` (the newest stored record), or starts a new chain when empty.
  AuditChain(std::shared_ptr<const crypto::KeyRing> keys, std::optional<store::AuditRow> last);

  // Fills sequence, key_id and mac of `row` and advances the chain.
  void seal(store::AuditRow& row);

 private:
  std::shared_ptr<const crypto::KeyRing> keys_;
  std::int64_t last_sequence_ = 0;
  std::string last_mac_;
};

struct VerifyReport {
  bool ok = true;
  std::int64_t records_checked = 0;
  std::int64_t first_bad_sequence = 0;  // position in the chain where it broke (1-based)
  std::string problem;                  // what broke: "mac mismatch", "sequence gap", ...
};

// Reads the whole chain from `backend` and checks every link.
Result<VerifyReport> verifyAuditChain(store::StoreBackend& backend,
                                      const crypto::KeyRing& keys);

// The canonical bytes a record's mac covers (exposed for tests).
std::string canonicalAuditBytes(const store::AuditRow& row, const std::string& previous_mac);

}  // namespace ferry::engine::audit
