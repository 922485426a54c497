#pragma once

// The persistence interface. A backend stores rows; it knows nothing of encryption, HL7 or
// audit chaining (the engine does those before handing rows over). SQLite (embedded default)
// and, later, PostgreSQL implement it in connectors/db/; callers never see which.
//
// Thread-safety: apply() is called from the engine's single journal writer thread; the read
// methods may be called from any thread concurrently with it.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/status.h"
#include "engine/store/records.h"

namespace ferry::engine::store {

class StoreBackend {
 public:
  virtual ~StoreBackend() = default;

  // Writes the whole batch in one transaction and returns only once it is durable on disk.
  virtual Status apply(const WriteBatch& batch) = 0;

  // Pending outbox rows of every destination, oldest sequence first (used at start-up).
  virtual Result<std::vector<OutboxRow>> loadPendingOutbox() = 0;

  virtual Result<std::optional<PayloadRow>> loadPayload(const std::string& message_id,
                                                        const std::string& stage,
                                                        const std::string& destination) = 0;

  virtual Result<std::optional<MessageRow>> loadMessage(const std::string& message_id) = 0;

  // Outbox rows of one destination in a given state, oldest first, at most `limit`.
  virtual Result<std::vector<OutboxRow>> listOutbox(const std::string& destination,
                                                    OutboxState state, std::size_t limit) = 0;

  // The last audit record written, if any (to continue the chain after a restart).
  virtual Result<std::optional<AuditRow>> lastAudit() = 0;

  // Calls `visit` for every audit record in sequence order; stops early when it returns false.
  virtual Status scanAudit(const std::function<bool(const AuditRow&)>& visit) = 0;
};

// Opens a backend from a storage URL: "sqlite:/path/to/ferry.db" (created if missing).
using StoreFactory = std::function<Result<std::unique_ptr<StoreBackend>>(const std::string& url)>;

}  // namespace ferry::engine::store
