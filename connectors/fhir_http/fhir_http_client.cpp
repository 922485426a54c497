#include "connectors/fhir_http/fhir_http_client.h"

#include <sys/socket.h>

#include <array>
#include <istream>
#include <ostream>

#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLException.h>

#include "connectors/mllp/mllp_io.h"

namespace ferry::connectors::fhir_http {
namespace {

using engine::ErrorCode;
using engine::Result;
using engine::Status;
using std::chrono::steady_clock;

// An idle connection is reused only this long. Servers close idle connections after a few
// seconds (5 s is a common default); reusing one they are closing costs a resend.
constexpr std::chrono::seconds kKeepAliveTimeout(4);
constexpr std::size_t kReadChunkBytes = 16 * 1024;

// Reads the answer body, keeping at most kMaxReplyBytes. True when it was longer.
bool readBody(std::istream& in, std::string& body) {
  std::array<char, kReadChunkBytes> buffer{};
  while (true) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    auto count = static_cast<std::size_t>(in.gcount());
    if (body.size() + count > kMaxReplyBytes) {
      body.append(buffer.data(), kMaxReplyBytes - body.size());
      return true;
    }
    body.append(buffer.data(), count);
    if (!in) {
      return false;
    }
  }
}

}  // namespace

HttpClient::HttpClient(HttpEndpoint endpoint, Poco::Net::Context::Ptr tls,
                       std::chrono::milliseconds connect_timeout,
                       std::chrono::milliseconds response_timeout, std::string what)
    : endpoint_(std::move(endpoint)),
      tls_(std::move(tls)),
      connect_timeout_(connect_timeout),
      response_timeout_(response_timeout),
      what_(std::move(what)) {}

HttpClient::~HttpClient() {
  mllp::ScopedSigpipeBlock sigpipe;
  dropSession();
}

Result<HttpReply> HttpClient::exchange(const HttpRequestSpec& request, std::string_view body) {
  for (int round = 0; round < 2; ++round) {
    bool reused = false;
    {
      std::lock_guard lock(mutex_);
      reused = session_ && session_->connected() && reusable_ &&
               steady_clock::now() - last_reply_ < kKeepAliveTimeout;
    }
    ensureSession();
    Result<HttpReply> result(ErrorCode::Internal, what_ + ": no attempt made");
    // Only a connection carried over from an earlier request earns a second attempt.
    if (attempt(request, body, reused && round == 0, result) == Attempt::Done) {
      return result;
    }
  }
  return failure(ErrorCode::ConnectionError, "connection lost before the response");
}

HttpClient::Attempt HttpClient::attempt(const HttpRequestSpec& spec, std::string_view body,
                                        bool reused, Result<HttpReply>& result) {
  Poco::Net::HTTPClientSession* session = nullptr;
  {
    std::lock_guard lock(mutex_);
    session = session_.get();
  }
  enum class Phase { Sending, Waiting, Reading };
  Phase phase = Phase::Sending;
  bool was_connected = session->connected();
  try {
    Poco::Net::HTTPRequest request(spec.method, spec.path, Poco::Net::HTTPMessage::HTTP_1_1);
    request.setContentType(spec.content_type);
    request.setContentLength64(static_cast<Poco::Int64>(body.size()));
    request.setKeepAlive(true);
    for (const auto& [name, value] : spec.headers) {
      request.set(name, value);
    }
    std::ostream& out = session->sendRequest(request);
    // With badbit in the mask the stream rethrows the POCO exception it caught, so that the
    // cause (timeout, reset, TLS) is known.
    out.exceptions(std::ios::badbit);
    out.write(body.data(), static_cast<std::streamsize>(body.size()));
    out.flush();

    phase = Phase::Waiting;
    Poco::Net::HTTPResponse response;
    std::istream& in = session->receiveResponse(response);
    phase = Phase::Reading;
    in.exceptions(std::ios::badbit);
    HttpReply reply;
    reply.status = static_cast<int>(response.getStatus());
    reply.reason = response.getReason();
    reply.retry_after = response.get("Retry-After", "");
    bool truncated = readBody(in, reply.body);

    // A body that ran to the connection's end, or was cut short here, leaves nothing to reuse.
    bool delimited = response.hasContentLength() || response.getChunkedTransferEncoding() ||
                     reply.status == 204 || reply.status == 304;
    bool reusable = response.getKeepAlive() && delimited && !truncated;
    if (!reusable) {
      dropSession();
    }
    {
      std::lock_guard lock(mutex_);
      reusable_ = reusable;
      last_reply_ = steady_clock::now();
    }
    result = std::move(reply);
    return Attempt::Done;
  } catch (const Poco::TimeoutException&) {
    dropSession();
    if (phase == Phase::Sending && !was_connected) {
      result = failure(ErrorCode::ConnectionError, "connect or TLS handshake timed out");
    } else if (phase == Phase::Sending) {
      result = failure(ErrorCode::Timeout, "timed out sending the request");
    } else {
      result = failure(ErrorCode::Timeout, "no complete response within " +
                                               std::to_string(response_timeout_.count()) + " ms");
    }
  } catch (const Poco::Net::NoMessageException&) {
    dropSession();
    if (reused) {
      return Attempt::RetryOnFreshConnection;
    }
    result = failure(ErrorCode::ConnectionError, "connection closed before the response");
  } catch (const Poco::Net::MessageException&) {
    dropSession();
    result = failure(ErrorCode::RemoteError, "the answer is not a valid HTTP response");
  } catch (const Poco::Net::SSLException& e) {
    dropSession();
    if (reused && phase != Phase::Reading) {
      return Attempt::RetryOnFreshConnection;
    }
    result = failure(ErrorCode::ConnectionError, "TLS failure: " + e.displayText());
  } catch (const Poco::Exception& e) {
    dropSession();
    if (reused && phase != Phase::Reading) {
      return Attempt::RetryOnFreshConnection;
    }
    std::string step = phase == Phase::Reading   ? "connection lost while reading the response"
                       : phase == Phase::Waiting ? "connection lost before the response"
                       : was_connected           ? "sending the request failed"
                                                 : "cannot connect";
    result = failure(ErrorCode::ConnectionError, step + ": " + e.displayText());
  } catch (const std::exception&) {
    dropSession();
    result = failure(ErrorCode::ConnectionError, "I/O failure on the connection");
  }
  return Attempt::Done;
}

void HttpClient::abort() {
  std::lock_guard lock(mutex_);
  if (session_ && session_->connected()) {
    // Wakes an exchange blocked on this socket; the session itself is closed by its owner
    // thread, since closing here could race with its TLS state.
    ::shutdown(session_->socket().impl()->sockfd(), SHUT_RDWR);
  }
}

bool HttpClient::connected() const {
  std::lock_guard lock(mutex_);
  return session_ && session_->connected();
}

void HttpClient::ensureSession() {
  std::lock_guard lock(mutex_);
  if (session_) {
    return;
  }
  std::unique_ptr<Poco::Net::HTTPClientSession> session;
  if (endpoint_.https) {
    session = std::make_unique<Poco::Net::HTTPSClientSession>(endpoint_.host, endpoint_.port, tls_);
  } else {
    session = std::make_unique<Poco::Net::HTTPClientSession>(endpoint_.host, endpoint_.port);
  }
  session->setKeepAlive(true);
  session->setKeepAliveTimeout(Poco::Timespan(kKeepAliveTimeout.count(), 0));
  session->setTimeout(mllp::toTimespan(connect_timeout_), mllp::toTimespan(response_timeout_),
                      mllp::toTimespan(response_timeout_));
  session_ = std::move(session);
}

void HttpClient::dropSession() {
  std::unique_ptr<Poco::Net::HTTPClientSession> old;
  {
    std::lock_guard lock(mutex_);
    old.swap(session_);
    reusable_ = false;
  }
  // Destroying the session closes its socket; a broken connection may complain, and is gone
  // either way.
  try {
    old.reset();
  } catch (...) {
  }
}

Status HttpClient::failure(ErrorCode code, const std::string& condition) const {
  return Status(code, what_ + ": " + condition);
}

}  // namespace ferry::connectors::fhir_http
