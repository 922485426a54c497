#include "connectors/mllp/mllp_sender.h"

#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <utility>
#include <vector>

#include <Poco/Exception.h>
#include <Poco/Logger.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/SocketAddress.h>

#include "connectors/mllp/mllp_frame_decoder.h"
#include "connectors/mllp/mllp_io.h"
#include "connectors/mllp/mllp_tls.h"
#include "engine/hl7/message.h"
#include "engine/pipeline/registry.h"

namespace ferry::connectors::mllp {
namespace {

using engine::ErrorCode;
using engine::Status;
using engine::pipeline::DeliveryContext;
using engine::pipeline::DeliveryResult;
using std::chrono::steady_clock;

// Longest wait inside one read, so that stop() and the ACK deadline are noticed promptly.
constexpr std::chrono::milliseconds kReadSlice(250);
// Replies are ACKs, but a query response may be large; bound it like an inbound message.
constexpr std::size_t kMaxReplyBytes = kDefaultMaxMessageBytes;
constexpr std::size_t kReadBufferBytes = 16 * 1024;

// MSH-10 of what is sent; the ACK's MSA-2 must echo it. Falls back to the control id the
// engine passed when the payload does not parse.
std::string expectedControlId(std::string_view payload, const DeliveryContext& context) {
  auto parsed = engine::hl7::Message::parse(payload);
  if (parsed.isOk()) {
    return parsed.value().controlId();
  }
  return context.control_id;
}

}  // namespace

MllpSender::MllpSender(SenderConfig config)
    : config_(std::move(config)),
      where_("mllp " + config_.host + ":" + std::to_string(config_.port)) {}

MllpSender::~MllpSender() {
  ScopedSigpipeBlock sigpipe;
  stop();
  disconnect();
}

DeliveryResult MllpSender::deliver(std::string_view payload, const DeliveryContext& context) {
  ScopedSigpipeBlock sigpipe;
  DeliveryResult result;
  if (stopped_.load()) {
    disconnect();
    result.status = failure(ErrorCode::ShuttingDown, "sender stopped");
    return result;
  }
  if (containsEndSequence(payload)) {
    result.status =
        failure(ErrorCode::InvalidMessage, "payload contains the MLLP end sequence 0x1C 0x0D");
    return result;
  }

  const std::string expected = expectedControlId(payload, context);
  const std::string frame = encodeFrame(payload);
  for (int round = 0; round < 2; ++round) {
    bool reused = false;
    Status connected = ensureConnected(reused);
    if (!connected.isOk()) {
      result.status = connected;
      return result;
    }
    result = DeliveryResult{};
    // Only a connection carried over from an earlier delivery earns a second attempt.
    if (exchange(frame, reused && round == 0, expected, result) == Attempt::Done) {
      break;
    }
  }
  return result;
}

void MllpSender::stop() {
  std::lock_guard lock(socket_mutex_);
  stopped_.store(true);
  if (socket_) {
    // Wakes a deliver() blocked on this socket; the socket itself is closed by its owner
    // thread (closing here could race with its TLS state).
    ::shutdown(socket_->impl()->sockfd(), SHUT_RDWR);
  }
}

bool MllpSender::connected() const {
  std::lock_guard lock(socket_mutex_);
  return socket_.has_value();
}

Status MllpSender::ensureConnected(bool& reused) {
  bool have_socket = false;
  {
    std::lock_guard lock(socket_mutex_);
    have_socket = socket_.has_value();
  }
  if (have_socket) {
    if (!isStale()) {
      reused = true;
      return Status::ok();
    }
    disconnect();
  }
  return connect();
}

Status MllpSender::connect() {
  try {
    Poco::Net::SocketAddress address(config_.host, static_cast<Poco::UInt16>(config_.port));
    Poco::Net::StreamSocket plain;
    plain.connect(address, toTimespan(config_.connect_timeout));
    plain.setNoDelay(true);
    // Bounds the TLS handshake too.
    plain.setReceiveTimeout(toTimespan(config_.connect_timeout));
    plain.setSendTimeout(toTimespan(config_.connect_timeout));

    Poco::Net::StreamSocket socket = plain;
    if (!config_.tls && !warned_insecure_) {
      // Said once per sender, at its first connection: the config marked it insecure on purpose.
      warned_insecure_ = true;
      Poco::Logger::get("connectors.mllp")
          .warning("mllp destination '%s' sends to %s:%d over plain MLLP (insecure: true)",
                   config_.name, config_.host, config_.port);
    }
    if (config_.tls) {
      if (!tls_context_) {
        auto context = makeClientContext(*config_.tls, config_.host);
        if (!context.isOk()) {
          return failure(ErrorCode::ConfigError, context.status().context());
        }
        tls_context_ = context.value();
      }
      socket = Poco::Net::SecureStreamSocket::attach(plain, sniName(*config_.tls, config_.host),
                                                     tls_context_);
    }
    socket.setSendTimeout(toTimespan(config_.ack_timeout));

    std::lock_guard lock(socket_mutex_);
    if (stopped_.load()) {
      socket.close();
      return failure(ErrorCode::ShuttingDown, "sender stopped");
    }
    socket_ = socket;
    return Status::ok();
  } catch (const Poco::TimeoutException&) {
    return failure(ErrorCode::ConnectionError, "connect or TLS handshake timed out");
  } catch (const Poco::Net::SSLException& e) {
    return failure(ErrorCode::ConnectionError, "TLS handshake failed: " + e.displayText());
  } catch (const Poco::Exception& e) {
    return failure(ErrorCode::ConnectionError, "connect failed: " + e.displayText());
  }
}

// An idle connection should have nothing to read. EOF means the peer closed it; data means a
// late reply that would be mistaken for the next ACK. Either way it is not reused. For TLS,
// readable may only mean protocol housekeeping (a TLS 1.3 session ticket): reading then
// yields no application byte and times out at once, and the connection is kept.
bool MllpSender::isStale() {
  Poco::Net::StreamSocket socket;
  {
    std::lock_guard lock(socket_mutex_);
    socket = *socket_;
  }
  try {
    if (!socket.poll(Poco::Timespan(0), Poco::Net::Socket::SELECT_READ)) {
      return false;
    }
    socket.setReceiveTimeout(Poco::Timespan(1000));
    std::array<char, 512> probe{};
    socket.receiveBytes(probe.data(), static_cast<int>(probe.size()));
    return true;
  } catch (const Poco::TimeoutException&) {
    return false;
  } catch (const Poco::Exception&) {
    return true;
  }
}

MllpSender::Attempt MllpSender::exchange(std::string_view frame, bool reused,
                                         const std::string& expected_control_id,
                                         DeliveryResult& result) {
  Poco::Net::StreamSocket socket;
  {
    std::lock_guard lock(socket_mutex_);
    socket = *socket_;
  }

  try {
    sendAll(socket, frame);
  } catch (const Poco::TimeoutException&) {
    disconnect();
    result.status = failure(ErrorCode::Timeout, "timed out writing the message");
    return Attempt::Done;
  } catch (const Poco::Exception& e) {
    disconnect();
    if (reused && !stopped_.load()) {
      return Attempt::RetryOnFreshConnection;
    }
    result.status = failure(stopped_.load() ? ErrorCode::ShuttingDown : ErrorCode::ConnectionError,
                            "write failed: " + e.displayText());
    return Attempt::Done;
  }

  FrameDecoder decoder(kMaxReplyBytes);
  std::vector<char> buffer(kReadBufferBytes);
  bool received_any = false;
  const auto deadline = steady_clock::now() + config_.ack_timeout;
  while (true) {
    if (stopped_.load()) {
      disconnect();
      result.status = failure(ErrorCode::ShuttingDown, "sender stopped while waiting for the ACK");
      return Attempt::Done;
    }
    if (auto reply = decoder.next()) {
      if (reply->kind == DecodedFrame::Kind::Oversized) {
        disconnect();
        result.status = failure(ErrorCode::RemoteError,
                                "reply exceeds " + std::to_string(kMaxReplyBytes) + " bytes");
        return Attempt::Done;
      }
      result.response = std::move(reply->bytes);
      bool keep_connection = true;
      result.status = interpretReply(result.response, expected_control_id, keep_connection);
      // Bytes after the reply are not an answer to anything we sent.
      if (!keep_connection || decoder.inFrame() || decoder.next()) {
        disconnect();
      }
      return Attempt::Done;
    }

    auto remaining =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady_clock::now());
    if (remaining.count() <= 0) {
      // A late ACK would be read as the answer to the next message.
      disconnect();
      result.status =
          failure(ErrorCode::Timeout,
                  "no ACK within " + std::to_string(config_.ack_timeout.count()) + " ms");
      return Attempt::Done;
    }

    int received = 0;
    std::string error;
    try {
      socket.setReceiveTimeout(toTimespan(std::min(remaining, kReadSlice)));
      received = socket.receiveBytes(buffer.data(), static_cast<int>(buffer.size()));
    } catch (const Poco::TimeoutException&) {
      continue;
    } catch (const Poco::Exception& e) {
      error = e.displayText();
    }
    if (stopped_.load()) {
      continue;  // reported at the top of the loop
    }
    if (!error.empty() || received <= 0) {
      disconnect();
      if (reused && !received_any) {
        return Attempt::RetryOnFreshConnection;
      }
      result.status = failure(ErrorCode::ConnectionError,
                              error.empty() ? "connection closed before the ACK"
                                            : "connection lost before the ACK: " + error);
      return Attempt::Done;
    }
    received_any = true;
    decoder.feed(std::string_view(buffer.data(), static_cast<std::size_t>(received)));
  }
}

Status MllpSender::interpretReply(const std::string& reply, const std::string& expected_control_id,
                                  bool& keep_connection) {
  auto parsed = engine::hl7::Message::parse(reply);
  if (!parsed.isOk()) {
    keep_connection = false;
    return failure(ErrorCode::RemoteError,
                   "reply is not a readable HL7 ACK (" + parsed.status().context() + ")");
  }
  const engine::hl7::Message& ack = parsed.value();
  auto code = ack.get("MSA-1");
  if (!code.isOk() || !code.value().has_value()) {
    keep_connection = false;
    return failure(ErrorCode::RemoteError, "reply has no MSA-1 acknowledgment code");
  }
  if (!expected_control_id.empty()) {
    auto acknowledged = ack.get("MSA-2");
    if (!acknowledged.isOk() || acknowledged.value().value_or("") != expected_control_id) {
      keep_connection = false;
      return failure(ErrorCode::RemoteError, "ack control id mismatch (MSA-2 is not MSH-10)");
    }
  }

  const std::string& ack_code = *code.value();
  if (ack_code == "AA" || ack_code == "CA") {
    return Status::ok();
  }
  if (ack_code == "AE" || ack_code == "CE") {
    return failure(ErrorCode::RemoteError, "receiver answered " + ack_code);
  }
  if (ack_code == "AR" || ack_code == "CR") {
    return failure(ErrorCode::RemoteRejected, "receiver answered " + ack_code);
  }
  keep_connection = false;
  return failure(ErrorCode::RemoteError, "reply has an unknown MSA-1 acknowledgment code");
}

void MllpSender::disconnect() {
  std::optional<Poco::Net::StreamSocket> old;
  {
    std::lock_guard lock(socket_mutex_);
    old.swap(socket_);
  }
  if (old) {
    try {
      old->close();
    } catch (const Poco::Exception&) {
      // Closing a broken connection may fail; it is gone either way.
    }
  }
}

Status MllpSender::failure(ErrorCode code, const std::string& condition) const {
  return Status(code, where_ + ": " + condition);
}

namespace {

std::unique_ptr<engine::pipeline::DestinationConnector> makeSender(
    const engine::config::ConfigNode& node, engine::config::ConfigErrors& errors) {
  auto config = parseSenderConfig(node, errors);
  if (!config) {
    return nullptr;
  }
  return std::make_unique<MllpSender>(std::move(*config));
}

}  // namespace

FERRY_REGISTER(engine::pipeline::registerDestinationType("mllp", &makeSender))

}  // namespace ferry::connectors::mllp
