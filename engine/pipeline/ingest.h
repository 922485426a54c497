#pragma once

// Ingest: what happens to a message between the socket and the answer. Parse, validate,
// route, encrypt, commit through the journal (durable), hand each destination its copy, and
// only then answer AA (HL7v2) or 201/200 (FHIR). A message that fails to parse or validate is
// stored too (encrypted, state rejected) and answered AR/AE with an ERR segment, or 400/422
// with an OperationOutcome, naming where and why. FHIR content is handled in fhir_ingest.cpp.
//
// Thread-safety: onHl7Message() runs concurrently on every connection's thread.

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "engine/crypto/key_ring.h"
#include "engine/crypto/payload_cipher.h"
#include "engine/fhir/validator.h"
#include "engine/hl7/ack_builder.h"
#include "engine/hl7/message.h"
#include "engine/pipeline/connector.h"
#include "engine/pipeline/delivery_worker.h"
#include "engine/pipeline/ingest_tally.h"
#include "engine/pipeline/journal.h"
#include "engine/pipeline/router.h"
#include "engine/store/message_id.h"

namespace ferry::engine::pipeline {

struct IngestOutcome {
  std::string ack;         // bytes to send back
  std::string message_id;  // engine id; empty when nothing could be stored
  bool accepted = false;   // committed as accepted (the ACK is AA)
};

class Ingest : public MessageSink {
 public:
  Ingest(Journal& journal, std::shared_ptr<const crypto::KeyRing> keys,
         std::shared_ptr<const crypto::PayloadCipher> cipher, const Router& router,
         std::map<std::string, DeliveryWorker*> workers, hl7::ParseLimits limits,
         std::shared_ptr<const fhir::Validator> fhir_validator = nullptr);

  std::string onHl7Message(std::string_view bytes, const InboundContext& context) override;
  SubmitResult submitHl7(std::string_view bytes, const InboundContext& context) override;
  // Without a validator (tests of the HL7v2 path), FHIR content is refused with 503.
  SubmitResult submitFhir(std::string_view json, const InboundContext& context,
                          const FhirSubmitOptions& options) override;

  // The same, with the outcome spelled out (tests, `ferry` dry runs).
  IngestOutcome ingest(std::string_view bytes, const InboundContext& context);

  // Logs the counts of messages taken in since the last periodic summary (at shutdown).
  void logIntakeSummary() { tally_.flush(); }

 private:
  IngestOutcome reject(std::string_view bytes, const InboundContext& context,
                       const std::string& message_id, const hl7::Message* parsed, const Status& why,
                       std::vector<hl7::AckErrorDetail> errors);
  IngestOutcome accept(std::string_view bytes, const InboundContext& context,
                       const std::string& message_id, const hl7::Message& message,
                       std::vector<hl7::AckErrorDetail> warnings);
  hl7::AckRequest ackRequest(std::string msa_code, std::string text) const;
  std::string patientKeyHash(const hl7::Message& message) const;

  // FHIR (fhir_ingest.cpp).
  SubmitResult rejectFhir(std::string_view json, const InboundContext& context,
                          const std::string& message_id, const std::string& resource_type,
                          const std::vector<fhir::Issue>& issues, int http_status);
  SubmitResult acceptFhir(std::string_view json, const InboundContext& context,
                          const std::string& message_id, const fhir::JsonValue& resource,
                          const std::vector<fhir::Issue>& warnings, bool base_endpoint);
  std::string fhirPatientKeyHash(const fhir::JsonValue& resource) const;
  // Queues the message for each target's worker once it is durable.
  void handToWorkers(const std::vector<RouteTarget>& targets, const std::string& message_id,
                     const std::string& control_id, std::string_view bytes);

  Journal& journal_;
  std::shared_ptr<const crypto::KeyRing> keys_;
  std::shared_ptr<const crypto::PayloadCipher> cipher_;
  const Router& router_;
  std::map<std::string, DeliveryWorker*> workers_;
  hl7::ParseLimits limits_;
  std::shared_ptr<const fhir::Validator> fhir_validator_;
  IngestTally tally_;  // the periodic "accepted/rejected" log line per source
  store::MessageIdGenerator ids_;
  mutable std::atomic<std::uint64_t> ack_counter_{0};
};

// HL7 DTM for "now" in UTC: YYYYMMDDHHMMSS+0000.
std::string hl7Timestamp();

}  // namespace ferry::engine::pipeline
