#pragma once

// Which endpoint of the FHIR listener a request is for, decided from its request line and
// headers before any of its body is read (see fhir_http_request_handler.h for the endpoints
// and the refusals). Pure functions; safe from any thread.

#include <string>

#include <Poco/Net/HTTPServerRequest.h>

#include "connectors/fhir_http/fhir_http_config.h"

namespace ferry::connectors::fhir_http {

struct Route {
  enum class Kind { Create, Base, Metadata, Refuse };
  Kind kind = Kind::Refuse;
  std::string type;  // Create: the resource type from the path
  // Refuse only:
  int status = 0;
  std::string issue_code;         // OperationOutcome.issue.code (http://hl7.org/fhir/issue-type)
  std::string diagnostics;        // in our own words, never request content
  std::string allow;              // 405: the Allow header
  bool close_connection = false;  // the body's length is ambiguous: answer, then close
};

// Routes `request` for a listener with `config`; `stopping` refuses everything with 503.
Route classifyRequest(const Poco::Net::HTTPServerRequest& request, const ListenerConfig& config,
                      bool stopping);

Route refusal(int status, std::string issue_code, std::string diagnostics, std::string allow = {});

// For log lines: the resource type, "[base]", "metadata", or "-" for a refusal.
std::string describeTarget(const Route& route);

}  // namespace ferry::connectors::fhir_http
