#include "connectors/fhir_http/fhir_http_listener.h"

#include <array>
#include <chrono>
#include <ctime>
#include <thread>

#include <Poco/Exception.h>
#include <Poco/Logger.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/TCPServer.h>
#include <Poco/ThreadPool.h>

#include "connectors/fhir_http/fhir_http_connection.h"
#include "connectors/fhir_http/fhir_http_dev_certificate.h"
#include "connectors/fhir_http/fhir_http_request_handler.h"
#include "connectors/fhir_http/fhir_http_responses.h"
#include "connectors/mllp/mllp_io.h"
#include "connectors/mllp/mllp_tls.h"
#include "engine/pipeline/registry.h"

namespace ferry::connectors::fhir_http {
namespace {

using engine::ErrorCode;
using engine::Status;
using std::chrono::steady_clock;

constexpr int kListenBacklog = 64;
// Requests on one connection before it is closed: bounds what one client holds.
constexpr int kMaxRequestsPerConnection = 1000;
// How long an idle pool thread lives before it is let go.
constexpr int kThreadIdleSeconds = 60;
constexpr std::chrono::milliseconds kStopPoll(10);

Poco::Logger& logger() { return Poco::Logger::get("connectors.fhir_http"); }

}  // namespace

std::chrono::milliseconds nextRequestAllowance(const ListenerConfig& config) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(config.idle_timeout) +
         config.request_timeout;
}

namespace {

// A FHIR dateTime for now, in UTC.
std::string nowDateTime() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  std::array<char, 32> text{};
  std::strftime(text.data(), text.size(), "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text.data();
}

}  // namespace

FhirHttpListener::FhirHttpListener(ListenerConfig config, engine::pipeline::MessageSink& sink)
    : config_(std::move(config)),
      sink_(sink),
      state_(std::make_unique<ListenerState>(config_, sink_)) {}

FhirHttpListener::~FhirHttpListener() { stop(); }

Status FhirHttpListener::start() {
  if (started_) {
    return Status(ErrorCode::Internal, describe() + ": already started");
  }
  // Every thread the server makes descends from this one and inherits a signal mask with
  // SIGPIPE blocked: OpenSSL writes with plain write(), and a client that hangs up before its
  // answer is written must not kill the process.
  mllp::ScopedSigpipeBlock sigpipe;

  Poco::Net::Context::Ptr context;
  if (!config_.insecure) {
    mllp::ListenerTlsConfig tls{config_.tls.certificate, config_.tls.private_key, config_.tls.ca,
                                config_.tls.require_client_certificate};
    if (tls.certificate.empty()) {
      auto made = ensureDevCertificate(config_.tls.dev_directory);
      if (!made.isOk()) {
        return Status(made.status().code(), describe() + ": " + made.status().context());
      }
      const DevCertificate& dev = made.value();
      tls.certificate = dev.certificate_path;
      tls.private_key = dev.private_key_path;
      logger().warning(describe() + " serves the self-signed development certificate " +
                       dev.certificate_path + " (SHA-256 " + dev.fingerprint + ", " +
                       (dev.created ? "made now" : "made earlier") +
                       (dev.note.empty() ? "" : "; " + dev.note) +
                       "): clients must trust it explicitly; configure tls.certificate and "
                       "tls.private_key for anything but development");
    }
    auto made = mllp::makeServerContext(tls);
    if (!made.isOk()) {
      return Status(ErrorCode::ConfigError, describe() + ": " + made.status().context());
    }
    context = made.value();
    auto fingerprint = fhir_http::certificateFingerprint(tls.certificate);
    std::lock_guard lock(mutex_);
    certificate_path_ = tls.certificate;
    fingerprint_ = fingerprint.isOk() ? fingerprint.value() : std::string();
  }

  std::string where = config_.host + ":" + std::to_string(config_.port);
  try {
    Poco::Net::SocketAddress address(config_.host, static_cast<Poco::UInt16>(config_.port));
    std::unique_ptr<Poco::Net::ServerSocket> socket;
    if (context) {
      socket = std::make_unique<Poco::Net::SecureServerSocket>(context);
    } else {
      socket = std::make_unique<Poco::Net::ServerSocket>();
    }
    // SO_REUSEADDR for quick restarts, but not SO_REUSEPORT: a second process must not be
    // able to share the port silently.
    socket->bind(address, true, false);
    socket->listen(kListenBacklog);

    auto params = Poco::makeAuto<Poco::Net::HTTPServerParams>();
    params->setTimeout(mllp::toTimespan(config_.request_timeout));
    params->setKeepAlive(true);
    params->setKeepAliveTimeout(Poco::Timespan(config_.idle_timeout.count(), 0));
    params->setMaxKeepAliveRequests(kMaxRequestsPerConnection);
    params->setMaxThreads(config_.max_connections);
    params->setMaxQueued(config_.max_connections);
    params->setThreadIdleTime(Poco::Timespan(kThreadIdleSeconds, 0));
    params->setSoftwareVersion("");  // no Server header: nothing to fingerprint

    state_->capability_statement = capabilityStatementJson(nowDateTime());
    state_->stopping.store(false);
    pool_ = std::make_unique<Poco::ThreadPool>(1, config_.max_connections, kThreadIdleSeconds);
    watchdog_ = std::make_unique<ConnectionWatchdog>();
    state_->watchdog = watchdog_.get();
    handlers_ = Poco::makeShared<HandlerFactory>(*state_);
    // What POCO's HTTPServer does, with connections that the watchdog bounds.
    auto connections = Poco::makeShared<WatchedConnectionFactory>(params, handlers_, *watchdog_,
                                                                  nextRequestAllowance(config_));
    server_ = std::make_unique<Poco::Net::TCPServer>(connections, *pool_, *socket, params);
    server_->start();
    bound_port_.store(socket->address().port());
    socket_ = std::move(socket);
  } catch (const Poco::Exception& e) {
    server_.reset();
    handlers_.reset();
    state_->watchdog = nullptr;
    watchdog_.reset();
    pool_.reset();
    return Status(ErrorCode::ConnectionError,
                  describe() + ": cannot listen on " + where + ": " + e.displayText());
  }

  started_ = true;
  if (config_.insecure) {
    logger().warning(describe() + " on port " + std::to_string(bound_port_.load()) +
                     " is insecure: plain HTTP without TLS");
  }
  logger().information(describe() + " listening on " + config_.host + ":" +
                       std::to_string(bound_port_.load()) + config_.base_path +
                       (config_.insecure ? "" : " (TLS)"));
  return Status::ok();
}

void FhirHttpListener::stop() {
  if (!started_) {
    return;
  }
  started_ = false;
  state_->stopping.store(true);
  server_->stop();  // no new connections; those waiting in the queue are closed
  try {
    // POCO leaves the socket listening, so the kernel would go on completing handshakes
    // nobody serves; closing it makes new clients see a refusal at once.
    socket_->close();
  } catch (const Poco::Exception&) {
  }

  auto deadline = steady_clock::now() + config_.stop_grace;
  while (state_->requests_in_progress.load() > 0 && steady_clock::now() < deadline) {
    std::this_thread::sleep_for(kStopPoll);
  }
  // Shuts every connection down: idle keep-alive waits end at once, requests past the grace
  // lose their connection. A sink call in progress still runs to its end; joinAll waits.
  server_->stop();
  handlers_->stopConnections(true);
  pool_->joinAll();
  server_.reset();
  handlers_.reset();
  socket_.reset();
  state_->watchdog = nullptr;
  watchdog_.reset();
  pool_.reset();
  bound_port_.store(0);
  logger().information(describe() + " stopped");
}

std::string FhirHttpListener::certificateFingerprint() const {
  std::lock_guard lock(mutex_);
  return fingerprint_;
}

std::string FhirHttpListener::certificatePath() const {
  std::lock_guard lock(mutex_);
  return certificate_path_;
}

int FhirHttpListener::requestsInProgress() const { return state_->requests_in_progress.load(); }

namespace {

std::unique_ptr<engine::pipeline::SourceConnector> makeListener(
    const engine::config::ConfigNode& node, engine::config::ConfigErrors& errors,
    engine::pipeline::MessageSink& sink) {
  auto config = parseListenerConfig(node, errors);
  if (!config) {
    return nullptr;
  }
  return std::make_unique<FhirHttpListener>(std::move(*config), sink);
}

}  // namespace

FERRY_REGISTER(engine::pipeline::registerSourceType("fhir_http", &makeListener))

}  // namespace ferry::connectors::fhir_http
