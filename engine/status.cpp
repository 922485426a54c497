#include "engine/status.h"

namespace ferry::engine {

std::string_view errorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::Ok:
      return "ok";
    case ErrorCode::ParseError:
      return "parse_error";
    case ErrorCode::InvalidMessage:
      return "invalid_message";
    case ErrorCode::Unsupported:
      return "unsupported";
    case ErrorCode::LimitExceeded:
      return "limit_exceeded";
    case ErrorCode::NotRouted:
      return "not_routed";
    case ErrorCode::StorageError:
      return "storage_error";
    case ErrorCode::IntegrityError:
      return "integrity_error";
    case ErrorCode::KeyError:
      return "key_error";
    case ErrorCode::ConnectionError:
      return "connection_error";
    case ErrorCode::Timeout:
      return "timeout";
    case ErrorCode::RemoteError:
      return "remote_error";
    case ErrorCode::RemoteRejected:
      return "remote_rejected";
    case ErrorCode::NotFound:
      return "not_found";
    case ErrorCode::ConfigError:
      return "config_error";
    case ErrorCode::IoError:
      return "io_error";
    case ErrorCode::ShuttingDown:
      return "shutting_down";
    case ErrorCode::Internal:
      return "internal";
  }
  return "unknown";
}

std::string Status::toString() const {
  if (isOk()) {
    return "ok";
  }
  std::string text(errorCodeName(code_));
  if (!context_.empty()) {
    text += ": ";
    text += context_;
  }
  return text;
}

}  // namespace ferry::engine
