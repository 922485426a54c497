#pragma once

// Bodies the FHIR listener writes itself (the engine writes the others): an OperationOutcome
// for requests refused before they reach the engine, and the CapabilityStatement served at
// GET [base]/metadata. Plain functions of their arguments; safe from any thread.

#include <string>
#include <string_view>
#include <vector>

namespace ferry::connectors::fhir_http {

// Content type of every FHIR body the connectors write (FHIR R4 http.html#mime-type).
inline constexpr const char* kFhirJsonContentType = "application/fhir+json; charset=utf-8";

// An OperationOutcome with one error issue. `issue_code` is from
// http://hl7.org/fhir/issue-type ("not-found", "not-supported", "too-long"...); `diagnostics`
// is our own text (never request content).
std::string operationOutcomeJson(std::string_view issue_code, std::string_view diagnostics);

// The CapabilityStatement of a listener (FHIR 4.0.1): create for every R4 resource type,
// transaction and batch at the system level, JSON only. `date` is a FHIR dateTime.
std::string capabilityStatementJson(const std::string& date);

// The resource types of FHIR R4 (4.0.1), in the order of the specification's resource list.
const std::vector<std::string_view>& r4ResourceTypes();

// Whether `name` is shaped like a resource type name (an upper-case letter, then letters; at
// most 64). Whether FHIR defines it is for the engine's validator to say.
bool isResourceTypeName(std::string_view name);

// Whether `id` is a valid FHIR id: [A-Za-z0-9\-\.]{1,64}.
bool isFhirId(std::string_view id);

}  // namespace ferry::connectors::fhir_http
