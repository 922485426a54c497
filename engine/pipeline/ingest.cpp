#include "engine/pipeline/ingest.h"

#include <ctime>

#include <Poco/Logger.h>

#include "engine/crypto/digest.h"
#include "engine/error_table.h"
#include "engine/hl7/validator.h"
#include "engine/log_safe.h"
#include "engine/pipeline/audit_events.h"

namespace ferry::engine::pipeline {

namespace {

Poco::Logger& logger() { return Poco::Logger::get("engine.ingest"); }

std::string typeLabel(const hl7::Message& message) {
  std::string label = logSafe(message.messageCode(), 8);
  if (!message.triggerEvent().empty()) {
    label += "^" + logSafe(message.triggerEvent(), 8);
  }
  return label.empty() ? "unknown type" : label;
}

}  // namespace

std::string hl7Timestamp() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof(text), "%Y%m%d%H%M%S+0000", &utc);
  return text;
}

Ingest::Ingest(Journal& journal, std::shared_ptr<const crypto::KeyRing> keys,
               std::shared_ptr<const crypto::PayloadCipher> cipher, const Router& router,
               std::map<std::string, DeliveryWorker*> workers, hl7::ParseLimits limits,
               std::shared_ptr<const fhir::Validator> fhir_validator)
    : journal_(journal),
      keys_(std::move(keys)),
      cipher_(std::move(cipher)),
      router_(router),
      workers_(std::move(workers)),
      limits_(limits),
      fhir_validator_(std::move(fhir_validator)) {}

std::string Ingest::onHl7Message(std::string_view bytes, const InboundContext& context) {
  return ingest(bytes, context).ack;
}

SubmitResult Ingest::submitHl7(std::string_view bytes, const InboundContext& context) {
  IngestOutcome outcome = ingest(bytes, context);
  SubmitResult result;
  result.accepted = outcome.accepted;
  result.stored = !outcome.message_id.empty();
  result.message_id = std::move(outcome.message_id);
  result.response = std::move(outcome.ack);
  return result;
}

void Ingest::handToWorkers(const std::vector<RouteTarget>& targets, const std::string& message_id,
                           const std::string& control_id, std::string_view bytes) {
  for (const RouteTarget& target : targets) {
    auto worker = workers_.find(target.destination);
    if (worker != workers_.end()) {
      worker->second->enqueue(
          {message_id, target.route, control_id, std::string(bytes), 0, 0, false, ""});
    }
  }
}

hl7::AckRequest Ingest::ackRequest(std::string msa_code, std::string text) const {
  hl7::AckRequest request;
  request.msa_code = std::move(msa_code);
  request.text = std::move(text);
  request.timestamp = hl7Timestamp();
  // MSH-10 is at most 20 characters in v2.3-v2.4: a per-process counter with a time prefix.
  request.ack_control_id =
      "FA" + std::to_string(static_cast<std::uint64_t>(std::time(nullptr)) % 100000000) +
      std::to_string(ack_counter_.fetch_add(1) % 1000000000);
  return request;
}

std::string Ingest::patientKeyHash(const hl7::Message& message) const {
  std::string joined;
  for (const std::string& identifier : hl7::patientIdentifiers(message)) {
    joined += identifier;
    joined += '\x1f';
  }
  return joined.empty() ? std::string() : crypto::hmacSha256Hex(keys_->indexKey(), joined);
}

IngestOutcome Ingest::ingest(std::string_view bytes, const InboundContext& context) {
  std::string message_id = ids_.next();

  hl7::ErrorLocation location;
  auto parsed = hl7::Message::parse(bytes, limits_, &location);
  if (!parsed.isOk()) {
    hl7::AckErrorDetail detail{location,
                               std::string(mapError(parsed.status().code()).hl7_error_code), "E",
                               parsed.status().context()};
    return reject(bytes, context, message_id, nullptr, parsed.status(), {detail});
  }
  const hl7::Message& message = parsed.value();

  std::vector<hl7::AckErrorDetail> problems;
  Status valid = hl7::validateForIngest(message, problems);
  if (!valid.isOk()) {
    return reject(bytes, context, message_id, &message, valid, std::move(problems));
  }
  return accept(bytes, context, message_id, message, std::move(problems));
}

IngestOutcome Ingest::accept(std::string_view bytes, const InboundContext& context,
                             const std::string& message_id, const hl7::Message& message,
                             std::vector<hl7::AckErrorDetail> warnings) {
  MessageFacts facts{context.source, message.messageCode(), message.triggerEvent(),
                     message.sendingApplication(), message.sendingFacility()};
  std::vector<RouteTarget> targets = router_.match(facts);

  auto sealed = cipher_->seal(bytes, {message_id, "in", ""});
  if (!sealed.isOk()) {
    logger().error("message %s: cannot encrypt: %s", message_id, sealed.status().toString());
    return {hl7::buildAck(message, ackRequest("AE", "internal error, resend later")), "", false};
  }

  std::string payload_sha = crypto::sha256Hex(bytes);
  std::int64_t now = nowMs();
  store::WriteBatch batch;
  batch.messages.push_back({message_id, now, context.source, store::MessageState::Accepted,
                            message.messageCode(), message.triggerEvent(), message.controlId(),
                            message.sendingApplication(), message.sendingFacility(),
                            patientKeyHash(message), ""});
  batch.payloads.push_back(
      {message_id, "in", "", sealed.value().key_id, std::move(sealed.value().blob)});
  batch.audit.push_back(auditEvent(message_id, "", "", "received", context.source, "ok",
                                   typeLabel(message), payload_sha));
  if (targets.empty()) {
    batch.audit.push_back(auditEvent(message_id, "", "", "filtered", "router", "ok",
                                     router_.explainNoMatch(facts), ""));
  } else {
    batch.audit.push_back(auditEvent(message_id, "", "", "accepted", context.source, "ok",
                                     std::to_string(targets.size()) + " destination(s)", ""));
  }
  for (const RouteTarget& target : targets) {
    batch.new_outbox.push_back(
        {message_id, target.destination, 0, store::OutboxState::Pending, 0, 0, ""});
    batch.audit.push_back(auditEvent(message_id, target.route, target.destination, "queued",
                                     "router", "ok", "", payload_sha));
  }

  Status committed = journal_.commit(std::move(batch));
  if (!committed.isOk()) {
    logger().error("message %s (%s, control id %s) not stored: %s", message_id, typeLabel(message),
                   logSafe(message.controlId()), committed.toString());
    return {hl7::buildAck(message, ackRequest("AE", "message not stored, resend later")), "",
            false};
  }

  handToWorkers(targets, message_id, message.controlId(), bytes);
  logger().debug("message %s %s control id %s from '%s' accepted for %z destination(s)", message_id,
                 typeLabel(message), logSafe(message.controlId()), context.source, targets.size());
  tally_.note(context.source, true);
  hl7::AckRequest request = ackRequest("AA", "");
  request.errors = std::move(warnings);  // severity W: accepted, but the sender should know
  return {hl7::buildAck(message, request), message_id, true};
}

IngestOutcome Ingest::reject(std::string_view bytes, const InboundContext& context,
                             const std::string& message_id, const hl7::Message* parsed,
                             const Status& why, std::vector<hl7::AckErrorDetail> errors) {
  ErrorMapping mapping = mapError(why.code());
  std::string msa_code(ackCodeText(mapping.ack));
  hl7::AckRequest request = ackRequest(msa_code, why.context());
  request.errors = std::move(errors);

  store::WriteBatch batch;
  store::MessageRow row;
  row.id = message_id;
  row.received_at_ms = nowMs();
  row.source = context.source;
  row.state = store::MessageState::Rejected;
  row.error_detail = why.toString();
  if (parsed != nullptr) {
    row.message_type = parsed->messageCode();
    row.trigger_event = parsed->triggerEvent();
    row.control_id = parsed->controlId();
    row.sending_application = parsed->sendingApplication();
    row.sending_facility = parsed->sendingFacility();
  }
  batch.messages.push_back(std::move(row));
  auto sealed = cipher_->seal(bytes, {message_id, "in", ""});
  if (sealed.isOk()) {
    batch.payloads.push_back(
        {message_id, "in", "", sealed.value().key_id, std::move(sealed.value().blob)});
  }
  std::string payload_sha = crypto::sha256Hex(bytes);
  batch.audit.push_back(
      auditEvent(message_id, "", "", "received", context.source, "ok", "", payload_sha));
  batch.audit.push_back(
      auditEvent(message_id, "", "", "rejected", context.source, msa_code, why.toString(), ""));

  Status committed = journal_.commit(std::move(batch));
  if (!committed.isOk()) {
    // Not even kept: ask the sender to resend rather than telling it the message is bad.
    logger().error("rejected message %s not stored: %s", message_id, committed.toString());
    request.msa_code = "AE";
    request.text = "message not stored, resend later";
  }
  logger().warning("message %s from '%s' rejected (%s): %s", message_id, context.source, msa_code,
                   why.toString());
  tally_.note(context.source, false);
  std::string ack = parsed != nullptr ? hl7::buildAck(*parsed, request)
                                      : hl7::buildAckForUnparsed(bytes, request);
  return {std::move(ack), committed.isOk() ? message_id : "", false};
}

}  // namespace ferry::engine::pipeline
