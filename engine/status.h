#pragma once

// Status and Result<T>: how every per-message operation reports failure. A bad message or an
// unreachable destination is routine for a router, so these paths return values instead of
// throwing. The context string names locations and rules (segment, field, offset, JSON path),
// never payload values: it may be logged and audited.

#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace ferry::engine {

enum class ErrorCode {
  Ok = 0,
  // Input that cannot be read as a message at all (no MSH, bad delimiters, truncated).
  ParseError,
  // A message that parses but breaks a rule (missing required field, bad value format).
  InvalidMessage,
  // A message whose version, type or charset this engine does not handle.
  Unsupported,
  // Size, depth or count limits enforced against hostile input.
  LimitExceeded,
  // A message the configured routes refuse (no route accepts it).
  NotRouted,
  // The store could not commit or read; nothing was acknowledged.
  StorageError,
  // A stored ciphertext or audit record failed its integrity check.
  IntegrityError,
  // Keys missing, unreadable or exposed.
  KeyError,
  // Transport: peer unreachable, connection dropped, TLS handshake refused.
  ConnectionError,
  // No answer within the configured time.
  Timeout,
  // The receiving system answered AE (application error): may succeed on retry.
  RemoteError,
  // The receiving system answered AR (rejected): retrying the same bytes will not help.
  RemoteRejected,
  // A record asked for does not exist.
  NotFound,
  // Configuration that does not hold together.
  ConfigError,
  // An I/O failure on a local file.
  IoError,
  // The engine is stopping; the operation was not attempted.
  ShuttingDown,
  // A bug or a broken invariant inside the engine.
  Internal,
};

// Stable lower-case name of a code, for logs, metrics labels and audit details.
std::string_view errorCodeName(ErrorCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(ErrorCode code, std::string context) : code_(code), context_(std::move(context)) {}

  static Status ok() { return Status(); }

  bool isOk() const { return code_ == ErrorCode::Ok; }
  ErrorCode code() const { return code_; }
  const std::string& context() const { return context_; }

  // "code_name: context", for logs and error output.
  std::string toString() const;

 private:
  ErrorCode code_ = ErrorCode::Ok;
  std::string context_;
};

// Either a value or a non-ok Status. Access value() only after checking isOk().
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}         // NOLINT: implicit by design
  Result(Status status) : state_(std::move(status)) {}  // NOLINT: implicit by design
  Result(ErrorCode code, std::string context) : state_(Status(code, std::move(context))) {}

  bool isOk() const { return std::holds_alternative<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T& value() & { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }

  // The failure, or Status::ok() when a value is held.
  Status status() const { return isOk() ? Status::ok() : std::get<Status>(state_); }

 private:
  std::variant<T, Status> state_;
};

}  // namespace ferry::engine
