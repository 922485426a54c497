#include "connectors/fhir_http/fhir_http_connection.h"

#include <memory>

#include <Poco/Net/HTTPServerConnection.h>

namespace ferry::connectors::fhir_http {
namespace {

class WatchedConnection final : public Poco::Net::HTTPServerConnection {
 public:
  WatchedConnection(const Poco::Net::StreamSocket& socket, Poco::Net::HTTPServerParams::Ptr params,
                    Poco::Net::HTTPRequestHandlerFactory::Ptr handlers,
                    ConnectionWatchdog& watchdog, std::chrono::milliseconds first_request)
      : HTTPServerConnection(socket, std::move(params), std::move(handlers)),
        watchdog_(watchdog),
        first_request_(first_request) {}

  void run() override {
    ConnectionWatchdog::Key key =
        watchdog_.watch(socket(), ConnectionWatchdog::Clock::now() + first_request_);
    try {
      HTTPServerConnection::run();
    } catch (...) {
      watchdog_.forget(key);
      throw;
    }
    watchdog_.forget(key);
  }

 private:
  ConnectionWatchdog& watchdog_;
  std::chrono::milliseconds first_request_;
};

}  // namespace

WatchedConnectionFactory::WatchedConnectionFactory(
    Poco::Net::HTTPServerParams::Ptr params, Poco::Net::HTTPRequestHandlerFactory::Ptr handlers,
    ConnectionWatchdog& watchdog, std::chrono::milliseconds first_request)
    : params_(std::move(params)),
      handlers_(std::move(handlers)),
      watchdog_(watchdog),
      first_request_(first_request) {}

Poco::Net::TCPServerConnection* WatchedConnectionFactory::createConnection(
    const Poco::Net::StreamSocket& socket) {
  // POCO's TCPServer takes ownership of the raw pointer.
  return std::make_unique<WatchedConnection>(socket, params_, handlers_, watchdog_, first_request_)
      .release();
}

}  // namespace ferry::connectors::fhir_http
