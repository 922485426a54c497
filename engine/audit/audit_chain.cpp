#include "engine/audit/audit_chain.h"

#include <cassert>
#include <utility>

#include <openssl/crypto.h>

#include "engine/crypto/digest.h"

namespace ferry::engine::audit {
namespace {

// Names the encoding, so that a later change of layout cannot verify under this one.
constexpr std::string_view kAuditVersion = "ferry.audit.v1";

void appendUint64(std::string& out, std::uint64_t value) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((value >> shift) & 0xff));
  }
}

void appendField(std::string& out, std::string_view field) {
  appendUint64(out, field.size());
  out.append(field);
}

bool macsEqual(const std::string& stored, const std::string& computed) {
  return !computed.empty() && stored.size() == computed.size() &&
         CRYPTO_memcmp(stored.data(), computed.data(), stored.size()) == 0;
}

}  // namespace

std::string canonicalAuditBytes(const store::AuditRow& row, const std::string& previous_mac) {
  std::string out;
  out.reserve(256 + previous_mac.size() + row.detail.size());
  appendField(out, kAuditVersion);
  appendField(out, previous_mac);
  appendUint64(out, static_cast<std::uint64_t>(row.sequence));
  appendUint64(out, static_cast<std::uint64_t>(row.time_ms));
  for (const std::string* field :
       {&row.message_id, &row.route, &row.destination, &row.hop, &row.actor, &row.outcome,
        &row.detail, &row.payload_sha256, &row.key_id}) {
    appendField(out, *field);
  }
  return out;
}

AuditChain::AuditChain(std::shared_ptr<const crypto::KeyRing> keys,
                       std::optional<store::AuditRow> last)
    : keys_(std::move(keys)) {
  if (last) {
    last_sequence_ = last->sequence;
    last_mac_ = std::move(last->mac);
  }
}

void AuditChain::seal(store::AuditRow& row) {
  row.sequence = last_sequence_ + 1;
  row.key_id = keys_->activeAuditKeyId();
  const crypto::Key256* key = keys_->auditKey(row.key_id);
  // KeyRing::loadOrCreate refuses a ring whose active audit key is not listed.
  assert(key != nullptr);
  row.mac = crypto::hmacSha256Hex(*key, canonicalAuditBytes(row, last_mac_));

  last_sequence_ = row.sequence;
  last_mac_ = row.mac;
}

Result<VerifyReport> verifyAuditChain(store::StoreBackend& backend, const crypto::KeyRing& keys) {
  VerifyReport report;
  std::string previous_mac;  // the first record chains onto an empty mac
  std::int64_t position = 0;

  // A backend returns rows in sequence order, so the n-th row read must carry sequence n. A row
  // deleted from the middle shows as the next one arriving early; one inserted with a repeated
  // sequence as one arriving late. An edit, or a deletion or insertion followed by renumbering,
  // changes the bytes (or the previous mac) under a mac and fails the mac check there.
  Status scanned = backend.scanAudit([&](const store::AuditRow& row) {
    ++position;
    if (row.sequence != position) {
      report.problem = row.sequence > position ? "sequence gap: record missing"
                                               : "sequence out of order or repeated";
    } else if (const crypto::Key256* key = keys.auditKey(row.key_id); key == nullptr) {
      report.problem = "unknown audit key id";
    } else if (!macsEqual(row.mac,
                          crypto::hmacSha256Hex(*key, canonicalAuditBytes(row, previous_mac)))) {
      report.problem = "mac mismatch";
    } else {
      previous_mac = row.mac;
      ++report.records_checked;
      return true;
    }
    report.ok = false;
    report.first_bad_sequence = position;
    return false;
  });
  if (!scanned.isOk()) {
    return scanned;
  }
  return report;
}

}  // namespace ferry::engine::audit
