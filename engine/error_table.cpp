#include "engine/error_table.h"

namespace ferry::engine {

std::string_view ackCodeText(AckCode code) {
  switch (code) {
    case AckCode::Accept:
      return "AA";
    case AckCode::Error:
      return "AE";
    case AckCode::Reject:
      return "AR";
  }
  return "AR";
}

// HL7 table 0357: 100 segment sequence error, 101 required field missing, 102 data type error,
// 200 unsupported message type, 203 unsupported version, 206 application record locked
// (used here for storage trouble), 207 application internal error.
ErrorMapping mapError(ErrorCode code) {
  switch (code) {
    case ErrorCode::Ok:
      return {AckCode::Accept, 200, "informational", "0"};
    case ErrorCode::ParseError:
      return {AckCode::Reject, 400, "structure", "100"};
    case ErrorCode::InvalidMessage:
      return {AckCode::Error, 422, "invalid", "102"};
    case ErrorCode::Unsupported:
      return {AckCode::Reject, 422, "not-supported", "200"};
    case ErrorCode::LimitExceeded:
      return {AckCode::Reject, 413, "too-costly", "100"};
    case ErrorCode::NotRouted:
      return {AckCode::Reject, 422, "business-rule", "200"};
    case ErrorCode::StorageError:
      return {AckCode::Error, 503, "transient", "206"};
    case ErrorCode::IntegrityError:
      return {AckCode::Error, 500, "exception", "207"};
    case ErrorCode::KeyError:
      return {AckCode::Error, 500, "security", "207"};
    case ErrorCode::ConnectionError:
      return {AckCode::Error, 502, "transient", "207"};
    case ErrorCode::Timeout:
      return {AckCode::Error, 504, "timeout", "207"};
    case ErrorCode::RemoteError:
      return {AckCode::Error, 502, "exception", "207"};
    case ErrorCode::RemoteRejected:
      return {AckCode::Reject, 502, "exception", "207"};
    case ErrorCode::NotFound:
      return {AckCode::Error, 404, "not-found", "207"};
    case ErrorCode::ConfigError:
      return {AckCode::Error, 500, "exception", "207"};
    case ErrorCode::IoError:
      return {AckCode::Error, 500, "exception", "207"};
    case ErrorCode::ShuttingDown:
      return {AckCode::Error, 503, "transient", "206"};
    case ErrorCode::Internal:
      return {AckCode::Error, 500, "exception", "207"};
  }
  return {AckCode::Error, 500, "exception", "207"};
}

}  // namespace ferry::engine
