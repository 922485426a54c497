#include "engine/pipeline/connector.h"

#include "engine/hl7/message.h"

namespace ferry::engine::pipeline {

SubmitResult MessageSink::submitHl7(std::string_view bytes, const InboundContext& context) {
  SubmitResult result;
  result.response = onHl7Message(bytes, context);
  auto ack = hl7::Message::parse(result.response);
  if (ack.isOk()) {
    auto code = ack.value().get("MSA-1");
    result.accepted =
        code.isOk() && code.value().has_value() && (*code.value() == "AA" || *code.value() == "CA");
    result.stored = result.accepted;
  }
  return result;
}

SubmitResult MessageSink::submitFhir(std::string_view /*json*/, const InboundContext& /*context*/,
                                     const FhirSubmitOptions& /*options*/) {
  SubmitResult result;
  result.http_status = 503;
  result.response =
      R"({"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"transient",)"
      R"("diagnostics":"this receiver does not take FHIR content yet, resend later"}]})";
  return result;
}

}  // namespace ferry::engine::pipeline
