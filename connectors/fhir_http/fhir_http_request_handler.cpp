#include "connectors/fhir_http/fhir_http_request_handler.h"

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <typeinfo>
#include <vector>

#include <Poco/Exception.h>
#include <Poco/Logger.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/HTTPServerSession.h>
#include <Poco/Net/NetException.h>

#include "connectors/fhir_http/fhir_http_responses.h"
#include "connectors/fhir_http/fhir_http_route.h"
#include "connectors/mllp/mllp_io.h"
#include "engine/log_safe.h"

namespace ferry::connectors::fhir_http {
namespace {

using Poco::Net::HTTPResponse;
using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;
using std::chrono::steady_clock;

// A refused body is read and thrown away up to this much, for this long, so that a client
// that writes its whole request before reading sees our answer instead of a reset connection.
constexpr std::int64_t kMaxDiscardBytes = std::int64_t{1} << 20;
constexpr std::chrono::milliseconds kMaxDiscardTime(2000);
constexpr std::size_t kReadChunkBytes = 64 * 1024;

Poco::Logger& logger() { return Poco::Logger::get("connectors.fhir_http"); }

// Logging must not throw out of a catch-all.
void logSafely(Poco::Message::Priority priority, const std::string& text) noexcept {
  try {
    logger().log(Poco::Message("connectors.fhir_http", text, priority));
  } catch (...) {
  }
}

void sendJson(HTTPServerResponse& response, int status, const std::string& body) {
  response.setStatusAndReason(static_cast<HTTPResponse::HTTPStatus>(status));
  response.setContentType(kFhirJsonContentType);
  response.setContentLength64(static_cast<Poco::Int64>(body.size()));
  response.sendBuffer(body.data(), body.size());
}

// Counts a request as in progress for as long as it lives.
class InProgress {
 public:
  explicit InProgress(std::atomic<int>& counter) : counter_(counter) { ++counter_; }
  ~InProgress() { --counter_; }
  InProgress(const InProgress&) = delete;
  InProgress& operator=(const InProgress&) = delete;

 private:
  std::atomic<int>& counter_;
};

// Tells the watchdog where a request stands: its body must arrive within request_timeout;
// once read, there is no deadline while the engine works; once answered, the connection has
// the allowance for its next request.
class WatchedRequest {
 public:
  WatchedRequest(ListenerState& state, Poco::Net::HTTPServerRequestImpl* impl)
      : state_(state),
        key_(impl != nullptr && state.watchdog != nullptr ? impl->socket().impl() : nullptr) {
    set(ConnectionWatchdog::Clock::now() + state_.config.request_timeout);
  }
  ~WatchedRequest() { set(ConnectionWatchdog::Clock::now() + nextRequestAllowance(state_.config)); }
  WatchedRequest(const WatchedRequest&) = delete;
  WatchedRequest& operator=(const WatchedRequest&) = delete;

  void bodyRead() { set(std::nullopt); }

 private:
  void set(std::optional<ConnectionWatchdog::Clock::time_point> deadline) {
    if (key_ != nullptr) {
      state_.watchdog->setDeadline(key_, deadline);
    }
  }

  ListenerState& state_;
  ConnectionWatchdog::Key key_;
};

class RequestHandler final : public Poco::Net::HTTPRequestHandler {
 public:
  RequestHandler(ListenerState& state, Route route) : state_(state), route_(std::move(route)) {}

  void handleRequest(HTTPServerRequest& request, HTTPServerResponse& response) override {
    InProgress in_progress(state_.requests_in_progress);
    impl_ = dynamic_cast<Poco::Net::HTTPServerRequestImpl*>(&request);
    WatchedRequest watched(state_, impl_);
    watched_ = &watched;
    std::string peer = "unknown";
    try {
      peer = request.clientAddress().toString();
      if (impl_ != nullptr) {
        // POCO bounds reads of a request; this bounds writing the answer to a client that
        // does not read.
        impl_->socket().setSendTimeout(mllp::toTimespan(state_.config.request_timeout));
      }
      serve(request, response, peer);
    } catch (const Poco::Exception& e) {
      logSafely(Poco::Message::PRIO_WARNING,
                describe() + ": request from " + peer + " failed: " + e.displayText());
      failSafely(response);
    } catch (const std::exception& e) {
      // Text of a foreign exception could carry anything; only its type is logged.
      logSafely(Poco::Message::PRIO_ERROR,
                describe() + ": unexpected " + typeid(e).name() + " serving " + peer);
      failSafely(response);
    } catch (...) {
      logSafely(Poco::Message::PRIO_ERROR, describe() + ": unknown exception serving " + peer);
      failSafely(response);
    }
  }

 private:
  enum class BodyRead { Complete, TooLarge, Incomplete, TimedOut };

  WatchedRequest* watched_ = nullptr;  // during handleRequest

  void serve(HTTPServerRequest& request, HTTPServerResponse& response, const std::string& peer) {
    const std::string method = engine::logSafe(request.getMethod(), 16);
    if (state_.stopping.load()) {
      response.setKeepAlive(false);
    }
    if (route_.kind == Route::Kind::Refuse) {
      answerRefusal(request, response, route_.status, route_.issue_code, route_.diagnostics);
      auto priority = route_.status == 404 || route_.status == 405
                          ? Poco::Message::PRIO_DEBUG
                          : Poco::Message::PRIO_INFORMATION;
      logRequest(priority, method, route_.status, "", peer);
      return;
    }
    if (route_.kind == Route::Kind::Metadata) {
      sendJson(response, 200, state_.capability_statement);
      logRequest(Poco::Message::PRIO_DEBUG, method, 200, "", peer);
      return;
    }

    std::string body;
    switch (readBody(request, body)) {
      case BodyRead::Complete:
        watched_->bodyRead();
        break;
      case BodyRead::TooLarge:
        answerRefusal(request, response, 413, "too-long",
                      "body exceeds max_body_bytes (" +
                          std::to_string(state_.config.max_body_bytes) + " bytes)");
        logRequest(Poco::Message::PRIO_INFORMATION, method, 413, "", peer);
        return;
      case BodyRead::TimedOut:
        response.setKeepAlive(false);
        sendJson(response, 408, operationOutcomeJson("timeout", "the request body stalled"));
        logRequest(Poco::Message::PRIO_INFORMATION, method, 408, "", peer);
        return;
      case BodyRead::Incomplete:
        response.setKeepAlive(false);
        sendJson(response, 400,
                 operationOutcomeJson("structure",
                                      "the request body ended early or its chunks are malformed"));
        logRequest(Poco::Message::PRIO_INFORMATION, method, 400, "", peer);
        return;
    }
    if (request.getChunkedTransferEncoding()) {
      // POCO's chunked reader takes a malformed chunk size for the end of the body, so the
      // bytes after it cannot be trusted to start the next request: close after answering.
      response.setKeepAlive(false);
    }
    submit(response, body, method, peer);
  }

  void submit(HTTPServerResponse& response, const std::string& body, const std::string& method,
              const std::string& peer) {
    engine::pipeline::FhirSubmitOptions options;
    if (route_.kind == Route::Kind::Create) {
      options.expected_type = route_.type;
    } else {
      options.base_endpoint = true;
    }
    engine::pipeline::InboundContext context{state_.config.name, peer};
    engine::pipeline::SubmitResult result = state_.sink.submitFhir(body, context, options);

    int status = result.http_status;
    std::string answer = std::move(result.response);
    if (status < 200 || status > 599) {
      logSafely(Poco::Message::PRIO_ERROR, describe() + ": the engine answered with HTTP status " +
                                               std::to_string(status) + "; sending 500");
      status = 500;
      answer.clear();
    }
    if (answer.empty() && status >= 400) {
      answer = operationOutcomeJson(status >= 500 ? "exception" : "processing",
                                    "the message was not accepted");
    }
    if (result.stored && !result.message_id.empty()) {
      response.set("X-Ferry-Message-Id", result.message_id);
    }
    // Logged before the answer is written: the message is stored even if the client is gone.
    logRequest(Poco::Message::PRIO_INFORMATION, method, status,
               result.stored ? result.message_id : "", peer);
    sendJson(response, status, answer);
  }

  BodyRead readBody(HTTPServerRequest& request, std::string& body) {
    const std::size_t limit = state_.config.max_body_bytes;
    std::int64_t declared = -1;
    if (!request.getChunkedTransferEncoding()) {
      declared = request.getContentLength64();
      body.reserve(static_cast<std::size_t>(declared));
    }
    std::istream& stream = request.stream();
    std::vector<char> buffer(kReadChunkBytes);
    while (true) {
      stream.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
      auto count = static_cast<std::size_t>(stream.gcount());
      if (body.size() + count > limit) {
        return BodyRead::TooLarge;
      }
      body.append(buffer.data(), count);
      if (!stream) {
        break;
      }
    }
    if (stream.bad()) {
      const Poco::Exception* failure =
          impl_ != nullptr ? impl_->session().networkException() : nullptr;
      return dynamic_cast<const Poco::TimeoutException*>(failure) != nullptr ? BodyRead::TimedOut
                                                                             : BodyRead::Incomplete;
    }
    if (declared >= 0 && body.size() != static_cast<std::size_t>(declared)) {
      return BodyRead::Incomplete;
    }
    return BodyRead::Complete;
  }

  // Answers with an OperationOutcome while (part of) the body is still unread, then discards
  // what the client still sends, within bounds. The connection is kept only when the whole
  // body could be discarded.
  void answerRefusal(HTTPServerRequest& request, HTTPServerResponse& response, int status,
                     const std::string& issue_code, const std::string& diagnostics) {
    if (route_.close_connection) {
      // Where the body ends is unknown: reading on could take the next request's bytes.
      response.setKeepAlive(false);
      sendJson(response, status, operationOutcomeJson(issue_code, diagnostics));
      return;
    }
    bool chunked = request.getChunkedTransferEncoding();
    std::int64_t length = 0;
    if (!chunked && request.hasContentLength()) {
      try {
        length = request.getContentLength64();
      } catch (const Poco::Exception&) {
        length = -1;
      }
    }
    bool has_body = chunked || length != 0;
    // POCO sends "100 Continue" only for requests this factory did not refuse; a client
    // that waits for it sends no body, one that gave up waiting may send it any moment.
    bool body_withheld =
        has_body && request.getExpectContinue() && route_.kind == Route::Kind::Refuse;
    bool discardable =
        has_body && !body_withheld && !chunked && length > 0 && length <= kMaxDiscardBytes;
    if (has_body && !discardable) {
      response.setKeepAlive(false);
    }
    if (!route_.allow.empty()) {
      response.set("Allow", route_.allow);
    }
    sendJson(response, status, operationOutcomeJson(issue_code, diagnostics));
    if (has_body && !body_withheld && !discardBody(request)) {
      response.setKeepAlive(false);
    }
  }

  // Reads and drops the rest of the body; true when it ended within the bounds.
  bool discardBody(HTTPServerRequest& request) {
    try {
      if (impl_ != nullptr) {
        impl_->socket().setReceiveTimeout(mllp::toTimespan(kMaxDiscardTime));
      }
      std::istream& stream = request.stream();
      std::array<char, 16 * 1024> sink{};
      std::int64_t discarded = 0;
      auto deadline = steady_clock::now() + kMaxDiscardTime;
      while (discarded <= kMaxDiscardBytes && steady_clock::now() < deadline) {
        stream.read(sink.data(), static_cast<std::streamsize>(sink.size()));
        discarded += stream.gcount();
        if (!stream) {
          return stream.eof() && !stream.bad();
        }
      }
    } catch (const Poco::Exception&) {
      // The client went away; the connection closes either way.
    }
    return false;
  }

  void failSafely(HTTPServerResponse& response) noexcept {
    try {
      response.setKeepAlive(false);
      if (!response.sent()) {
        sendJson(response, 500, operationOutcomeJson("exception", "internal error"));
      }
    } catch (...) {
    }
  }

  void logRequest(Poco::Message::Priority priority, const std::string& method, int status,
                  const std::string& message_id, const std::string& peer) {
    std::string line =
        describe() + ": " + method + " " + describeTarget(route_) + " -> " + std::to_string(status);
    if (!message_id.empty()) {
      line += ", message " + engine::logSafe(message_id);
    }
    logSafely(priority, line + ", from " + peer);
  }

  std::string describe() const { return "fhir_http listener '" + state_.config.name + "'"; }

  ListenerState& state_;
  const Route route_;
  Poco::Net::HTTPServerRequestImpl* impl_ = nullptr;  // the request being served
};

}  // namespace

Poco::Net::HTTPRequestHandler* HandlerFactory::createRequestHandler(
    const HTTPServerRequest& request) {
  Route route;
  try {
    route = classifyRequest(request, state_.config, state_.stopping.load());
  } catch (const std::exception&) {
    route = refusal(400, "structure", "the request could not be read");
  }
  if (route.kind == Route::Kind::Refuse) {
    // Any status but 200 here keeps POCO from sending "100 Continue": a client that asked
    // for it then never sends the body we are about to refuse.
    request.response().setStatusAndReason(static_cast<HTTPResponse::HTTPStatus>(route.status));
  }
  // POCO takes ownership of the handler and deletes it after the request.
  return std::make_unique<RequestHandler>(state_, std::move(route)).release();
}

}  // namespace ferry::connectors::fhir_http
