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

  // Fills sequence, key_id (the active audit key) and mac of `row` and advances the chain. The
  // caller must store rows in the order sealed; a row sealed but never stored breaks the chain.
  void seal(store::AuditRow& row);

 private:
  std::shared_ptr<const crypto::KeyRing> keys_;
  std::int64_t last_sequence_ = 0;
  std::string last_mac_;
};

struct VerifyReport {
  bool ok = true;
  // Records found intact, from the first: all of them when ok, those before the break otherwise.
  std::int64_t records_checked = 0;
  std::int64_t first_bad_sequence = 0;  // position in the chain where it broke (1-based)
  std::string problem;                  // what broke: "mac mismatch", "sequence gap", ...
};

// Reads the whole chain from `backend` and checks every link, stopping at the first break. The
// n-th record read must carry sequence n and a mac that matches, under the key its key_id names,
// its own fields chained onto the (n-1)-th record's mac. A record removed from the end leaves a
// valid shorter chain: only records_checked shows it, so compare it with a count kept elsewhere.
// Returns an error only when the backend cannot be read; a broken chain is a report with !ok.
Result<VerifyReport> verifyAuditChain(store::StoreBackend& backend, const crypto::KeyRing& keys);

// The canonical bytes a record's mac covers (exposed for tests).
std::string canonicalAuditBytes(const store::AuditRow& row, const std::string& previous_mac);

}  // namespace ferry::engine::audit
