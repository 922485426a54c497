// Ingest of FHIR JSON: the FHIR half of Ingest (ingest.h). One resource, or one Bundle, is one
// message: parsed, validated against the base specification, routed on its resource type (and
// a Bundle's type as the "trigger"), stored encrypted and audited exactly like HL7v2, and only
// then answered 201 (a resource) or 200 (a Bundle posted to the base, with a batch-response or
// transaction-response Bundle). Invalid content is stored as rejected and answered 400 (not
// FHIR JSON at all) or 422 (a resource that breaks the rules), with the OperationOutcome.

#include <optional>
#include <string>
#include <string_view>

#include <Poco/Logger.h>

#include "engine/crypto/digest.h"
#include "engine/fhir/json_writer.h"
#include "engine/log_safe.h"
#include "engine/pipeline/audit_events.h"
#include "engine/pipeline/ingest.h"

namespace ferry::engine::pipeline {

namespace {

Poco::Logger& logger() { return Poco::Logger::get("engine.ingest"); }

std::optional<std::string_view> memberText(const fhir::JsonValue& object, std::string_view name) {
  const fhir::JsonValue* member = object.find(name);
  if (member == nullptr || !member->isString()) {
    return std::nullopt;
  }
  return member->text();
}

std::string resourceTypeOf(const fhir::JsonValue& resource) {
  auto type = resource.isObject() ? memberText(resource, "resourceType") : std::nullopt;
  return type ? std::string(*type) : std::string();
}

// The resource type as metadata, logs and routing may hold it: only a real R4 type name, since
// a sender can write anything there.
std::string knownResourceType(const fhir::JsonValue& resource,
                              const fhir::Definitions& definitions) {
  std::string type = resourceTypeOf(resource);
  return type.empty() || definitions.isResourceType(type) ? type : "(unknown type)";
}

// An issue's location as the store, audit and log may keep it. Issues never carry values, but a
// sender may put anything into a member name or a resourceType, and both appear in locations:
// names the definitions do not know are replaced. The sender's own answer keeps them.
std::string storedExpression(const fhir::Issue& issue, const fhir::Definitions& definitions) {
  std::string expression = issue.expression;
  std::size_t dot = expression.find('.');
  std::string root = expression.substr(0, dot);
  if (!root.empty() && root != "$" && !definitions.isResourceType(root)) {
    expression = "(unknown type)" + (dot == std::string::npos ? "" : expression.substr(dot));
  }
  if (issue.diagnostics.rfind("not a known element", 0) == 0) {
    std::size_t last = expression.rfind('.');
    expression =
        (last == std::string::npos ? "" : expression.substr(0, last + 1)) + "(unknown element)";
  }
  return expression;
}

// The audit and store detail for a refused resource: the first few error locations and rules.
std::string issueSummary(const std::vector<fhir::Issue>& issues,
                         const fhir::Definitions& definitions) {
  std::string summary;
  int listed = 0;
  for (const fhir::Issue& issue : issues) {
    if (issue.severity != fhir::IssueSeverity::Error &&
        issue.severity != fhir::IssueSeverity::Fatal) {
      continue;
    }
    if (++listed > 5) {
      summary += "; ...";
      break;
    }
    summary += (summary.empty() ? "" : "; ") +
               (issue.expression.empty() ? "line " + std::to_string(issue.line)
                                         : storedExpression(issue, definitions)) +
               ": " + issue.code + ": " + issue.diagnostics;
  }
  return summary.substr(0, 2000);
}

fhir::Issue informational(std::string text) {
  fhir::Issue issue;
  issue.severity = fhir::IssueSeverity::Information;
  issue.code = "informational";
  issue.diagnostics = std::move(text);
  return issue;
}

std::string serviceUnavailable(const std::string& why) {
  fhir::Issue issue;
  issue.severity = fhir::IssueSeverity::Error;
  issue.code = "transient";
  issue.diagnostics = why;
  return fhir::toOperationOutcomeJson({issue});
}

// The answer to a Bundle posted to the base: one response entry per request entry, each
// "202 Accepted" since the engine queued it for its destinations rather than executing it.
std::string bundleResponse(const fhir::JsonValue& bundle, const std::string& message_id,
                           const std::string& bundle_type) {
  fhir::JsonValue response = fhir::JsonValue::makeObject();
  response.add("resourceType", fhir::JsonValue::makeString("Bundle"));
  response.add("id", fhir::JsonValue::makeString(message_id));
  response.add("type",
               fhir::JsonValue::makeString(bundle_type == "transaction" ? "transaction-response"
                                                                        : "batch-response"));
  fhir::JsonValue entries = fhir::JsonValue::makeArray();
  if (const fhir::JsonValue* input = bundle.find("entry"); input != nullptr && input->isArray()) {
    for (std::size_t index = 0; index < input->elements().size(); ++index) {
      fhir::JsonValue status = fhir::JsonValue::makeObject();
      status.add("status", fhir::JsonValue::makeString("202 Accepted"));
      fhir::JsonValue entry = fhir::JsonValue::makeObject();
      entry.add("response", std::move(status));
      entries.push(std::move(entry));
    }
  }
  if (!entries.elements().empty()) {
    response.add("entry", std::move(entries));
  }
  return fhir::writeJson(response);
}

}  // namespace

SubmitResult Ingest::submitFhir(std::string_view json, const InboundContext& context,
                                const FhirSubmitOptions& options) {
  SubmitResult result;
  if (fhir_validator_ == nullptr) {
    result.http_status = 503;
    result.response = serviceUnavailable("FHIR validation is not available in this engine");
    return result;
  }
  std::string message_id = ids_.next();

  fhir::JsonLimits limits;
  limits.max_bytes = limits_.max_message_bytes;
  std::vector<fhir::Issue> fatal;
  auto parsed = fhir::parseFhirJson(json, limits, &fatal);
  if (!parsed.isOk()) {
    if (fatal.empty()) {
      fhir::Issue issue;
      issue.code = "structure";
      issue.diagnostics = parsed.status().context();
      fatal.push_back(issue);
    }
    return rejectFhir(json, context, message_id, "", fatal, 400);
  }
  const fhir::JsonValue& resource = parsed.value().root;
  std::vector<fhir::Issue> issues = std::move(parsed.value().issues);

  fhir::ValidationOptions validation;
  validation.expected_type = options.expected_type;
  validation.limits = limits;
  std::vector<fhir::Issue> found = fhir_validator_->validate(resource, json, validation);
  issues.insert(issues.end(), found.begin(), found.end());

  std::string resource_type = knownResourceType(resource, fhir_validator_->definitions());
  if (options.base_endpoint) {
    auto bundle_type = memberText(resource, "type");
    if (resource_type != "Bundle" || !bundle_type ||
        (*bundle_type != "transaction" && *bundle_type != "batch")) {
      fhir::Issue issue;
      issue.code = "invalid";
      issue.expression = resource_type.empty() ? "" : resource_type;
      issue.diagnostics = "POST to the base takes a Bundle of type transaction or batch";
      issues.push_back(issue);
    }
  }
  if (fhir::hasErrors(issues)) {
    return rejectFhir(json, context, message_id, resource_type, issues, 422);
  }
  return acceptFhir(json, context, message_id, resource, issues, options.base_endpoint);
}

std::string Ingest::fhirPatientKeyHash(const fhir::JsonValue& resource) const {
  if (resourceTypeOf(resource) != "Patient") {
    return "";
  }
  const fhir::JsonValue* identifiers = resource.find("identifier");
  if (identifiers == nullptr || !identifiers->isArray()) {
    return "";
  }
  std::string joined;
  for (const fhir::JsonValue& identifier : identifiers->elements()) {
    auto value = identifier.isObject() ? memberText(identifier, "value") : std::nullopt;
    if (!value) {
      continue;
    }
    auto system = memberText(identifier, "system");
    joined.append(system.value_or(std::string_view())).append("|").append(*value).append("\x1f");
  }
  return joined.empty() ? std::string() : crypto::hmacSha256Hex(keys_->indexKey(), joined);
}

SubmitResult Ingest::acceptFhir(std::string_view json, const InboundContext& context,
                                const std::string& message_id, const fhir::JsonValue& resource,
                                const std::vector<fhir::Issue>& warnings, bool base_endpoint) {
  SubmitResult result;
  std::string resource_type = resourceTypeOf(resource);
  auto bundle_type = resource_type == "Bundle" ? memberText(resource, "type") : std::nullopt;
  MessageFacts facts{context.source, resource_type,
                     bundle_type ? std::string(*bundle_type) : std::string(), "", ""};
  std::vector<RouteTarget> targets = router_.match(facts);

  auto sealed = cipher_->seal(json, {message_id, "in", ""});
  if (!sealed.isOk()) {
    logger().error("message %s: cannot encrypt: %s", message_id, sealed.status().toString());
    result.http_status = 503;
    result.response = serviceUnavailable("internal error, resend later");
    return result;
  }

  std::string payload_sha = crypto::sha256Hex(json);
  std::string label = "FHIR " + logSafe(resource_type, 64) +
                      (bundle_type ? "^" + logSafe(*bundle_type, 32) : std::string());
  store::WriteBatch batch;
  batch.messages.push_back({message_id, nowMs(), context.source, store::MessageState::Accepted,
                            resource_type, facts.trigger_event, "", "", "",
                            fhirPatientKeyHash(resource), ""});
  batch.payloads.push_back(
      {message_id, "in", "", sealed.value().key_id, std::move(sealed.value().blob)});
  batch.audit.push_back(
      auditEvent(message_id, "", "", "received", context.source, "ok", label, payload_sha));
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
    logger().error("message %s (%s) not stored: %s", message_id, label, committed.toString());
    result.http_status = 503;
    result.response = serviceUnavailable("message not stored, resend later");
    return result;
  }
  handToWorkers(targets, message_id, "", json);
  logger().debug("message %s %s from '%s' accepted for %z destination(s)", message_id, label,
                 context.source, targets.size());
  tally_.note(context.source, true);

  result.accepted = true;
  result.stored = true;
  result.message_id = message_id;
  if (base_endpoint) {
    result.http_status = 200;
    result.response = bundleResponse(resource, message_id,
                                     bundle_type ? std::string(*bundle_type) : std::string());
  } else {
    std::vector<fhir::Issue> answer = warnings;
    answer.insert(answer.begin(), informational("accepted and stored as message " + message_id));
    result.http_status = 201;
    result.response = fhir::toOperationOutcomeJson(answer);
  }
  return result;
}

SubmitResult Ingest::rejectFhir(std::string_view json, const InboundContext& context,
                                const std::string& message_id, const std::string& resource_type,
                                const std::vector<fhir::Issue>& issues, int http_status) {
  SubmitResult result;
  std::string summary = issueSummary(issues, fhir_validator_->definitions());
  store::WriteBatch batch;
  store::MessageRow row;
  row.id = message_id;
  row.received_at_ms = nowMs();
  row.source = context.source;
  row.state = store::MessageState::Rejected;
  row.message_type = resource_type;
  row.error_detail = summary;
  batch.messages.push_back(std::move(row));
  auto sealed = cipher_->seal(json, {message_id, "in", ""});
  if (sealed.isOk()) {
    batch.payloads.push_back(
        {message_id, "in", "", sealed.value().key_id, std::move(sealed.value().blob)});
  }
  batch.audit.push_back(auditEvent(message_id, "", "", "received", context.source, "ok",
                                   "FHIR " + logSafe(resource_type, 64), crypto::sha256Hex(json)));
  batch.audit.push_back(auditEvent(message_id, "", "", "rejected", context.source,
                                   std::to_string(http_status), summary, ""));

  Status committed = journal_.commit(std::move(batch));
  if (!committed.isOk()) {
    logger().error("rejected message %s not stored: %s", message_id, committed.toString());
    result.http_status = 503;
    result.response = serviceUnavailable("message not stored, resend later");
    return result;
  }
  logger().warning("message %s (FHIR %s) from '%s' rejected (%d): %s", message_id,
                   logSafe(resource_type, 64), context.source, http_status, summary);
  tally_.note(context.source, false);
  result.stored = true;
  result.message_id = message_id;
  result.http_status = http_status;
  result.response = fhir::toOperationOutcomeJson(issues);
  return result;
}

}  // namespace ferry::engine::pipeline
