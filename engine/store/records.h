#pragma once

// Rows the engine keeps in its store. Payload bytes only ever appear here encrypted; the other
// columns are searchable metadata that holds no PHI (identifiers of patients only as keyed
// hashes).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ferry::engine::store {

// Life of an inbound message as a whole.
enum class MessageState { Accepted, Rejected };

// Life of one destination's copy of a message.
enum class OutboxState { Pending, Delivered, Dead };

// Stable lower-case names ("accepted", "pending", ...), as stored by backends.
std::string_view messageStateName(MessageState state);
std::string_view outboxStateName(OutboxState state);
// The state a stored name stands for; nullopt for a name no state has.
std::optional<MessageState> messageStateFromName(std::string_view name);
std::optional<OutboxState> outboxStateFromName(std::string_view name);

struct MessageRow {
  std::string id;                   // engine id: time-ordered, unique (see message_id.h)
  std::int64_t received_at_ms = 0;  // UTC, milliseconds since the epoch
  std::string source;               // listener name
  MessageState state = MessageState::Accepted;
  std::string message_type;   // "ADT"
  std::string trigger_event;  // "A01"
  std::string control_id;     // MSH-10
  std::string sending_application;
  std::string sending_facility;
  std::string patient_key_hash;  // HMAC of PID-3 identifiers; empty when none
  std::string error_detail;      // for rejected messages: location and rule, never values
};

// One encrypted payload. `stage` is "in" (raw inbound), "out" (a destination's outgoing copy)
// or "resp" (a destination's reply). The ciphertext blob is nonce || ciphertext || tag.
struct PayloadRow {
  std::string message_id;
  std::string stage;
  std::string destination;  // empty for "in"
  std::string key_id;
  std::string ciphertext;
};

struct OutboxRow {
  std::string message_id;
  std::string destination;
  std::int64_t sequence = 0;  // store-assigned on insert: order of arrival, per engine
  OutboxState state = OutboxState::Pending;
  int attempts = 0;
  std::int64_t next_attempt_ms = 0;
  std::string last_error;  // code and location, never values
};

struct OutboxUpdate {
  std::string message_id;
  std::string destination;
  OutboxState state = OutboxState::Pending;
  int attempts = 0;
  std::int64_t next_attempt_ms = 0;
  std::string last_error;
};

// One tamper-evident audit record. `mac` = HMAC-SHA256(audit key, previous mac || canonical
// encoding of this record's fields); see engine/audit/audit_chain.h.
struct AuditRow {
  std::int64_t sequence = 0;  // 1, 2, 3 ... with no gaps
  std::int64_t time_ms = 0;   // UTC
  std::string message_id;
  std::string route;
  std::string destination;
  std::string hop;             // received, accepted, rejected, filtered, queued, transformed,
                               // sent, acknowledged, failed, dead, requeued
  std::string actor;           // component or user that acted
  std::string outcome;         // ok, error, ...
  std::string detail;          // short, never PHI
  std::string payload_sha256;  // hex; empty when the hop has no payload
  std::string key_id;          // audit key that made `mac`
  std::string mac;             // hex
};

// Everything one logical step writes, applied in one transaction.
struct WriteBatch {
  std::vector<MessageRow> messages;
  std::vector<PayloadRow> payloads;
  std::vector<OutboxRow> new_outbox;  // sequence is assigned by the store
  std::vector<OutboxUpdate> outbox_updates;
  std::vector<AuditRow> audit;

  bool empty() const {
    return messages.empty() && payloads.empty() && new_outbox.empty() && outbox_updates.empty() &&
           audit.empty();
  }
  // Moves every row of `other` to the end of this batch (group commit); `other` is left empty.
  void append(WriteBatch&& other);
};

}  // namespace ferry::engine::store
