#include "engine/pipeline/audit_events.h"

#include "engine/pipeline/delivery_worker.h"

namespace ferry::engine::pipeline {

store::AuditRow auditEvent(std::string message_id, std::string route, std::string destination,
                           std::string hop, std::string actor, std::string outcome,
                           std::string detail, std::string payload_sha256) {
  store::AuditRow row;
  row.time_ms = nowMs();
  row.message_id = std::move(message_id);
  row.route = std::move(route);
  row.destination = std::move(destination);
  row.hop = std::move(hop);
  row.actor = std::move(actor);
  row.outcome = std::move(outcome);
  row.detail = std::move(detail);
  row.payload_sha256 = std::move(payload_sha256);
  return row;
}

}  // namespace ferry::engine::pipeline
