#pragma once

// Building audit rows. Sequence, key id and mac are filled by the journal when it commits.

#include <string>

#include "engine/store/records.h"

namespace ferry::engine::pipeline {

// `detail` must never hold PHI: codes, locations, counts and rule names only.
store::AuditRow auditEvent(std::string message_id, std::string route, std::string destination,
                           std::string hop, std::string actor, std::string outcome,
                           std::string detail, std::string payload_sha256);

}  // namespace ferry::engine::pipeline
