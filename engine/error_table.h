#pragma once

// The one table that turns an ErrorCode into what a sender is told: an HL7 acknowledgment code
// (original mode) and an HTTP status with a FHIR OperationOutcome issue type.

#include <string_view>

#include "engine/status.h"

namespace ferry::engine {

enum class AckCode { Accept, Error, Reject };  // AA, AE, AR

// "AA", "AE" or "AR".
std::string_view ackCodeText(AckCode code);

struct ErrorMapping {
  AckCode ack;
  int http_status;
  std::string_view fhir_issue_code;  // OperationOutcome.issue.code
  std::string_view hl7_error_code;   // HL7 table 0357 code for ERR-3
};

ErrorMapping mapError(ErrorCode code);

}  // namespace ferry::engine
