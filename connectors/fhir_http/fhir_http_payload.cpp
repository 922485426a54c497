#include "connectors/fhir_http/fhir_http_payload.h"

#include <array>
#include <cstdint>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include "connectors/fhir_http/fhir_http_responses.h"
#include "engine/crypto/digest.h"
#include "engine/pipeline/transform.h"

namespace ferry::connectors::fhir_http {
namespace {

using engine::ErrorCode;
using engine::Result;
using engine::Status;

Status rejected(const std::string& why) { return Status(ErrorCode::RemoteRejected, why); }

// The payload without a leading byte-order mark and surrounding white space: a BOM is not
// JSON, and inside the Bundle of transaction mode it would break the document.
std::string_view trimmed(std::string_view payload) {
  if (payload.substr(0, 3) == "\xEF\xBB\xBF") {
    payload.remove_prefix(3);
  }
  std::size_t first = payload.find_first_not_of(" \t\r\n");
  std::size_t last = payload.find_last_not_of(" \t\r\n");
  return first == std::string_view::npos ? std::string_view()
                                         : payload.substr(first, last - first + 1);
}

// A UUID (RFC 9562 version 8, name-based on SHA-256) derived from the message id, so that
// every attempt to deliver one message sends the same fullUrl. Random without an id.
std::string entryUuid(const std::string& message_id) {
  std::string hex;
  if (!message_id.empty()) {
    hex = engine::crypto::sha256Hex("ferry fhir_http entry " + message_id);
  }
  if (hex.size() < 32) {
    std::array<std::uint8_t, 16> bytes{};
    engine::crypto::randomBytes(bytes.data(), bytes.size());
    hex = engine::crypto::toHex(
        std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
  }
  static constexpr char kHex[] = "0123456789abcdef";
  hex[12] = '8';
  int variant = hex[16] >= 'a' ? hex[16] - 'a' + 10 : hex[16] - '0';
  hex[16] = kHex[(variant & 0x3) | 0x8];
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20, 12);
}

std::string stringMember(const rapidjson::Value& object, const char* name) {
  auto found = object.FindMember(name);
  if (found == object.MemberEnd() || !found->value.IsString()) {
    return {};
  }
  return std::string(found->value.GetString(), found->value.GetStringLength());
}

}  // namespace

Result<PlannedRequest> planRequest(std::string_view payload, DeliveryMode mode,
                                   const std::string& message_id) {
  switch (engine::pipeline::detectPayloadFormat(payload)) {
    case engine::pipeline::PayloadFormat::Hl7v2:
      return rejected("destination needs a mapping to FHIR (the payload is HL7v2)");
    case engine::pipeline::PayloadFormat::Unknown:
      return rejected("payload is not FHIR JSON");
    case engine::pipeline::PayloadFormat::FhirJson:
      break;
  }
  std::string_view json = trimmed(payload);
  rapidjson::Document document;
  document.Parse<rapidjson::kParseValidateEncodingFlag>(json.data(), json.size());
  if (document.HasParseError()) {
    return rejected("payload is not valid JSON (offset " +
                    std::to_string(document.GetErrorOffset()) + ": " +
                    rapidjson::GetParseError_En(document.GetParseError()) + ")");
  }
  if (!document.IsObject()) {
    return rejected("payload is not a JSON object");
  }
  std::string type = stringMember(document, "resourceType");
  if (!isResourceTypeName(type)) {
    return rejected("payload has no valid resourceType");
  }

  PlannedRequest plan;
  if (type == "Bundle") {
    std::string bundle_type = stringMember(document, "type");
    if (bundle_type == "transaction" || bundle_type == "batch") {
      plan.method = "POST";
      plan.target = "POST [base] (" + bundle_type + ")";
      plan.body = std::string(json);
      return plan;
    }
  }
  switch (mode) {
    case DeliveryMode::Create:
      plan.method = "POST";
      plan.path = "/" + type;
      plan.target = "POST " + type;
      plan.body = std::string(json);
      break;
    case DeliveryMode::Update: {
      std::string id = stringMember(document, "id");
      if (!isFhirId(id)) {
        return rejected("update mode needs " + type + ".id to be a valid FHIR id");
      }
      plan.method = "PUT";
      plan.path = "/" + type + "/" + id;
      plan.target = "PUT " + type + "/[id]";
      plan.body = std::string(json);
      break;
    }
    case DeliveryMode::Transaction:
      plan.method = "POST";
      plan.target = "POST [base] (transaction around " + type + ")";
      plan.body =
          R"({"resourceType":"Bundle","type":"transaction","entry":[{"fullUrl":"urn:uuid:)" +
          entryUuid(message_id) + R"(","resource":)" + std::string(json) +
          R"(,"request":{"method":"POST","url":")" + type + R"("}}]})";
      break;
  }
  return plan;
}

}  // namespace ferry::connectors::fhir_http
