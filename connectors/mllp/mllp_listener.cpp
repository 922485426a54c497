#include "connectors/mllp/mllp_listener.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <ctime>
#include <iomanip>
#include <random>
#include <sstream>
#include <string>
#include <typeinfo>
#include <utility>
#include <vector>

#include <Poco/Exception.h>
#include <Poco/Logger.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/SocketAddress.h>

#include "connectors/mllp/mllp_enhanced_ack.h"
#include "connectors/mllp/mllp_frame_decoder.h"
#include "connectors/mllp/mllp_io.h"
#include "engine/error_table.h"
#include "engine/hl7/ack_builder.h"
#include "engine/pipeline/registry.h"

namespace ferry::connectors::mllp {
namespace {

using engine::ErrorCode;
using engine::Status;
using std::chrono::steady_clock;

// How often blocked reads and the accept loop look at the stop flag and the idle clock.
constexpr std::chrono::milliseconds kPollSlice(200);
// Bound on one ACK write to a peer that does not read; the idle timeout applies if shorter.
constexpr std::chrono::milliseconds kMaxSendTimeout(30000);
// After an oversized frame: how long, and how much, to read and discard before closing, so
// that the peer receives our AR instead of a connection reset.
constexpr std::chrono::milliseconds kLingerTime(2000);
constexpr std::size_t kLingerBytes = 64 * 1024 * 1024;
constexpr int kListenBacklog = 64;
constexpr std::size_t kReadBufferBytes = 64 * 1024;

Poco::Logger& logger() { return Poco::Logger::get("connectors.mllp"); }

// Logging must not throw out of a catch-all.
void logSafely(Poco::Message::Priority priority, const std::string& text) noexcept {
  try {
    logger().log(Poco::Message("connectors.mllp", text, priority));
  } catch (...) {
  }
}

// HL7 DTM in UTC.
std::string hl7Timestamp() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  std::array<char, 32> text{};
  std::strftime(text.data(), text.size(), "%Y%m%d%H%M%S+0000", &utc);
  return text.data();
}

// MSH-10 for ACKs the listener builds itself: unique enough to trace, 19 characters (MSH-10
// is at most 20 in v2.3 to v2.5).
std::string newAckControlId() {
  thread_local std::mt19937_64 generator{std::random_device{}()};
  std::ostringstream id;
  id << "FRY" << std::hex << std::setw(16) << std::setfill('0') << generator();
  return id.str();
}

std::string describe(const ListenerConfig& config) { return "mllp listener '" + config.name + "'"; }

}  // namespace

struct MllpListener::Connection {
  explicit Connection(Poco::Net::StreamSocket accepted)
      : socket(std::move(accepted)), peer(peerName(socket)) {}

  Poco::Net::StreamSocket socket;
  const std::string peer;
  std::atomic<bool> finished{false};
  std::jthread thread;
};

// The protocol on one connection: read, decode, hand to the sink, answer.
class MllpListener::Session {
 public:
  Session(MllpListener& listener, Connection& connection)
      : listener_(listener),
        config_(listener.config_),
        connection_(connection),
        socket_(connection.socket),
        decoder_(config_.max_message_bytes) {}

  void run() {
    socket_.setNoDelay(true);
    socket_.setReceiveTimeout(toTimespan(kPollSlice));
    socket_.setSendTimeout(toTimespan(std::min(config_.idle_timeout, kMaxSendTimeout)));
    std::vector<char> buffer(kReadBufferBytes);
    last_activity_ = steady_clock::now();

    while (dispatchReady()) {
      auto now = steady_clock::now();
      if (listener_.stopping() && (!decoder_.inFrame() || now >= listener_.stopDeadline())) {
        return;
      }
      if (!decoder_.inFrame() && now - last_activity_ >= config_.idle_timeout) {
        logSafely(Poco::Message::PRIO_DEBUG,
                  describe(config_) + ": closing idle connection from " + connection_.peer);
        return;
      }
      if (decoder_.inFrame() && now - frame_started_ >= config_.frame_timeout) {
        logSafely(Poco::Message::PRIO_WARNING,
                  describe(config_) + ": message from " + connection_.peer +
                      " not complete within frame_timeout; closing the connection");
        return;
      }

      int received = 0;
      try {
        received = socket_.receiveBytes(buffer.data(), static_cast<int>(buffer.size()));
      } catch (const Poco::TimeoutException&) {
        continue;
      }
      if (received <= 0) {
        return;  // the peer closed the connection
      }
      bool was_in_frame = decoder_.inFrame();
      decoder_.feed(std::string_view(buffer.data(), static_cast<std::size_t>(received)));
      if (!was_in_frame && decoder_.inFrame()) {
        frame_started_ = last_activity_ = steady_clock::now();
      }
    }
  }

 private:
  // Handles every complete frame; false when the connection must close.
  bool dispatchReady() {
    while (auto frame = decoder_.next()) {
      // After stop() no new message is started; its sender gets no ACK and sends again.
      if (listener_.stopping()) {
        return false;
      }
      if (frame->kind == DecodedFrame::Kind::Oversized) {
        rejectOversized(frame->bytes);
        return false;
      }
      if (!handleMessage(frame->bytes)) {
        return false;
      }
    }
    return true;
  }

  bool handleMessage(const std::string& payload) {
    std::optional<AckPreference> preference;
    if (config_.ack_mode == AckMode::Enhanced) {
      preference = requestedAckPreference(payload, config_.max_message_bytes);
    }

    engine::pipeline::InboundContext context{config_.name, connection_.peer};
    std::string ack = listener_.sink_.onHl7Message(payload, context);
    if (ack.empty()) {
      logSafely(Poco::Message::PRIO_ERROR, describe(config_) +
                                               ": sink returned no acknowledgment; closing "
                                               "connection from " +
                                               connection_.peer);
      return false;
    }

    std::vector<std::string> replies;
    if (preference) {
      replies = enhancedReplies(ack, *preference);
    } else {
      replies.push_back(std::move(ack));
    }
    for (const auto& reply : replies) {
      sendAll(socket_, encodeFrame(reply));
    }
    // A frame the decoder holds already began no later than now.
    frame_started_ = last_activity_ = steady_clock::now();
    return true;
  }

  void rejectOversized(const std::string& received) {
    engine::ErrorMapping mapping = engine::mapError(ErrorCode::LimitExceeded);
    std::string limit = std::to_string(config_.max_message_bytes);
    engine::hl7::AckErrorDetail detail;
    detail.hl7_error_code = std::string(mapping.hl7_error_code);
    detail.text = "message exceeds max_message_bytes (" + limit + " bytes)";
    engine::hl7::AckRequest request;
    request.msa_code = std::string(engine::ackCodeText(mapping.ack));
    request.ack_control_id = newAckControlId();
    request.timestamp = hl7Timestamp();
    request.text = "message too large";
    request.errors.push_back(detail);

    logSafely(Poco::Message::PRIO_WARNING, describe(config_) + ": rejected a message over " +
                                               limit + " bytes from " + connection_.peer +
                                               "; closing the connection");
    sendAll(socket_, encodeFrame(engine::hl7::buildAckForUnparsed(received, request)));
    lingeringClose();
  }

  // Half-closes and discards what the peer still sends (the rest of its oversized frame):
  // closing with unread data would reset the connection, and the peer could lose our AR.
  void lingeringClose() {
    socket_.shutdownSend();
    std::vector<char> sink(kReadBufferBytes);
    std::size_t discarded = 0;
    auto deadline = steady_clock::now() + kLingerTime;
    while (steady_clock::now() < deadline && discarded < kLingerBytes) {
      int received = 0;
      try {
        received = socket_.receiveBytes(sink.data(), static_cast<int>(sink.size()));
      } catch (const Poco::TimeoutException&) {
        continue;
      }
      if (received <= 0) {
        return;
      }
      discarded += static_cast<std::size_t>(received);
    }
  }

  MllpListener& listener_;
  const ListenerConfig& config_;
  Connection& connection_;
  Poco::Net::StreamSocket& socket_;
  FrameDecoder decoder_;
  steady_clock::time_point last_activity_;  // last message begun or answered
  steady_clock::time_point frame_started_;  // when the frame being received began
};

MllpListener::MllpListener(ListenerConfig config, engine::pipeline::MessageSink& sink)
    : config_(std::move(config)), sink_(sink) {}

MllpListener::~MllpListener() { stop(); }

Status MllpListener::start() {
  if (started_) {
    return Status(ErrorCode::Internal, describe(config_) + ": already started");
  }
  if (!config_.tls && !config_.insecure) {
    return Status(ErrorCode::ConfigError,
                  describe(config_) + ": plain MLLP listener must be marked insecure");
  }

  std::string where = config_.host + ":" + std::to_string(config_.port);
  try {
    Poco::Net::SocketAddress address(config_.host, static_cast<Poco::UInt16>(config_.port));
    std::unique_ptr<Poco::Net::ServerSocket> socket;
    if (config_.tls) {
      auto context = makeServerContext(*config_.tls);
      if (!context.isOk()) {
        return Status(ErrorCode::ConfigError,
                      describe(config_) + ": " + context.status().context());
      }
      socket = std::make_unique<Poco::Net::SecureServerSocket>(context.value());
    } else {
      socket = std::make_unique<Poco::Net::ServerSocket>();
    }
    // SO_REUSEADDR for quick restarts, but not SO_REUSEPORT: a second process must not be
    // able to share the port silently.
    socket->bind(address, true, false);
    socket->listen(kListenBacklog);
    bound_port_.store(socket->address().port());
    server_socket_ = std::move(socket);
  } catch (const Poco::Exception& e) {
    return Status(ErrorCode::ConnectionError,
                  describe(config_) + ": cannot listen on " + where + ": " + e.displayText());
  }

  if (!config_.tls) {
    logger().warning(describe(config_) + " on port " + std::to_string(bound_port_.load()) +
                     " is insecure: plain MLLP without TLS");
  }
  logger().information(describe(config_) + " listening on " + config_.host + ":" +
                       std::to_string(bound_port_.load()) + (config_.tls ? " (TLS)" : ""));

  stopping_.store(false);
  started_ = true;
  accept_thread_ = std::jthread([this] { acceptLoop(); });
  return Status::ok();
}

void MllpListener::stop() {
  if (!started_) {
    return;
  }
  started_ = false;
  {
    std::lock_guard lock(mutex_);
    auto deadline = steady_clock::now() + config_.stop_grace;
    stop_deadline_.store(deadline.time_since_epoch().count());
    stopping_.store(true);
  }
  slot_freed_.notify_all();
  if (accept_thread_.joinable()) {
    accept_thread_.join();
  }
  try {
    server_socket_->close();
  } catch (const Poco::Exception&) {
  }
  server_socket_.reset();

  // Destroying a Connection joins its thread; every thread sees the stop flag within one
  // poll slice, or once its sink call returns and its ACK is written.
  std::list<std::unique_ptr<Connection>> remaining;
  {
    std::lock_guard lock(mutex_);
    remaining.swap(connections_);
  }
  remaining.clear();
  bound_port_.store(0);
  logger().information(describe(config_) + " stopped");
}

std::size_t MllpListener::openConnections() const {
  std::lock_guard lock(mutex_);
  return active_;
}

steady_clock::time_point MllpListener::stopDeadline() const {
  return steady_clock::time_point(steady_clock::duration(stop_deadline_.load()));
}

void MllpListener::acceptLoop() {
  while (!stopping()) {
    try {
      reapFinished();
      waitForFreeSlot();
      if (stopping()) {
        break;
      }
      if (!server_socket_->poll(toTimespan(kPollSlice), Poco::Net::Socket::SELECT_READ)) {
        continue;
      }
      spawnConnection(server_socket_->acceptConnection());
    } catch (const Poco::Exception& e) {
      // Typically EMFILE or a connection aborted before accept(); pause so as not to spin.
      logSafely(Poco::Message::PRIO_WARNING,
                describe(config_) + ": accept failed: " + e.displayText());
      std::unique_lock lock(mutex_);
      slot_freed_.wait_for(lock, kPollSlice, [this] { return stopping(); });
    } catch (const std::exception& e) {
      logSafely(Poco::Message::PRIO_ERROR,
                describe(config_) + ": unexpected " + typeid(e).name() + " in accept loop");
      std::unique_lock lock(mutex_);
      slot_freed_.wait_for(lock, kPollSlice, [this] { return stopping(); });
    }
  }
}

void MllpListener::waitForFreeSlot() {
  std::unique_lock lock(mutex_);
  auto limit = static_cast<std::size_t>(config_.max_connections);
  // One warning each time the listener becomes saturated, not one per waiting client.
  if (active_ < limit) {
    saturated_ = false;
  } else if (!saturated_) {
    saturated_ = true;
    logSafely(Poco::Message::PRIO_WARNING, describe(config_) + ": max_connections (" +
                                               std::to_string(limit) +
                                               ") reached; new connections wait");
  }
  slot_freed_.wait(lock, [&] { return stopping() || active_ < limit; });
}

void MllpListener::spawnConnection(Poco::Net::StreamSocket socket) {
  auto connection = std::make_unique<Connection>(std::move(socket));
  Connection& added = *connection;
  {
    std::lock_guard lock(mutex_);
    connections_.push_back(std::move(connection));
    ++active_;
  }
  try {
    added.thread = std::jthread([this, &added] { serveConnection(added); });
  } catch (const std::system_error&) {
    // No thread could be made: give the slot back and let the reaper drop the connection.
    logSafely(Poco::Message::PRIO_ERROR,
              describe(config_) + ": cannot start a connection thread; closing " + added.peer);
    try {
      added.socket.close();
    } catch (const Poco::Exception&) {
    }
    std::lock_guard lock(mutex_);
    --active_;
    added.finished.store(true);
  }
}

void MllpListener::serveConnection(Connection& connection) {
  {
    ScopedSigpipeBlock sigpipe;
    try {
      logSafely(Poco::Message::PRIO_DEBUG,
                describe(config_) + ": connection from " + connection.peer);
      Session(*this, connection).run();
    } catch (const Poco::Net::SSLException& e) {
      logSafely(Poco::Message::PRIO_WARNING, describe(config_) + ": TLS failure with " +
                                                 connection.peer + ": " + e.displayText());
    } catch (const Poco::Exception& e) {
      logSafely(Poco::Message::PRIO_INFORMATION, describe(config_) + ": connection from " +
                                                     connection.peer +
                                                     " ended: " + e.displayText());
    } catch (const std::exception& e) {
      // Text of a foreign exception could carry anything; only its type is logged.
      logSafely(Poco::Message::PRIO_ERROR, describe(config_) + ": unexpected " + typeid(e).name() +
                                               " on connection from " + connection.peer);
    } catch (...) {
      logSafely(Poco::Message::PRIO_ERROR,
                describe(config_) + ": unknown exception on connection from " + connection.peer);
    }
    try {
      connection.socket.close();
    } catch (...) {
    }
  }
  {
    std::lock_guard lock(mutex_);
    --active_;
    // Last touch of `connection`: once set, the reaper may destroy it (joining this thread).
    connection.finished.store(true);
  }
  slot_freed_.notify_all();
}

void MllpListener::reapFinished() {
  std::list<std::unique_ptr<Connection>> done;
  {
    std::lock_guard lock(mutex_);
    for (auto it = connections_.begin(); it != connections_.end();) {
      auto current = it++;
      if ((*current)->finished.load()) {
        done.splice(done.end(), connections_, current);
      }
    }
  }
  // Joins outside the lock; the threads have finished their work.
}

namespace {

std::unique_ptr<engine::pipeline::SourceConnector> makeListener(
    const engine::config::ConfigNode& node, engine::config::ConfigErrors& errors,
    engine::pipeline::MessageSink& sink) {
  auto config = parseListenerConfig(node, errors);
  if (!config) {
    return nullptr;
  }
  return std::make_unique<MllpListener>(std::move(*config), sink);
}

}  // namespace

FERRY_REGISTER(engine::pipeline::registerSourceType("mllp", &makeListener))

}  // namespace ferry::connectors::mllp
