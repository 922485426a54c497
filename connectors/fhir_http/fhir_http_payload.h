#pragma once

// How the FHIR destination turns one payload into one REST request (FHIR R4 http.html):
//   a Bundle of type transaction or batch  -> POST [base], in every mode
//   mode "create"                          -> POST [base]/[type]
//   mode "update"                          -> PUT [base]/[type]/[id] (the resource needs an id)
//   mode "transaction"                     -> POST [base] with a transaction Bundle holding
//                                             the resource in one POST entry
// The payload's bytes are sent as they are (a leading byte-order mark dropped); the Bundle of
// transaction mode embeds them without re-serialising, so decimals and element order survive.
//
// Pure functions; safe from any thread.

#include <string>
#include <string_view>

#include "connectors/fhir_http/fhir_http_config.h"
#include "engine/status.h"

namespace ferry::connectors::fhir_http {

struct PlannedRequest {
  std::string method;  // "POST" or "PUT"
  std::string path;    // after the base path: "/Patient", "/Patient/123" or ""
  std::string body;
  // For logs and status contexts, without ids: "POST Patient", "PUT Patient/[id]",
  // "POST [base] (transaction)".
  std::string target;
};

// Works out the request for `payload`. RemoteRejected (permanent: sending the same bytes again
// cannot help) when the payload is HL7v2 ("destination needs a mapping to FHIR"), not JSON,
// has no usable resourceType, or lacks a valid id in update mode. `message_id` seeds the
// fullUrl of the transaction Bundle's entry, so that a retry sends the same Bundle.
engine::Result<PlannedRequest> planRequest(std::string_view payload, DeliveryMode mode,
                                           const std::string& message_id);

}  // namespace ferry::connectors::fhir_http
