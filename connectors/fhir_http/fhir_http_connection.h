#pragma once

// POCO's HTTP connection, watched: each connection registers with the listener's
// ConnectionWatchdog for as long as it runs (see fhir_http_watchdog.h for the deadlines).
// The factory takes the place of the one POCO's HTTPServer makes for itself.

#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/TCPServerConnectionFactory.h>

#include "connectors/fhir_http/fhir_http_watchdog.h"

namespace ferry::connectors::fhir_http {

class WatchedConnectionFactory final : public Poco::Net::TCPServerConnectionFactory {
 public:
  // `watchdog` must outlive every connection (the listener joins them first). The first
  // request of a connection must arrive within `first_request`.
  WatchedConnectionFactory(Poco::Net::HTTPServerParams::Ptr params,
                           Poco::Net::HTTPRequestHandlerFactory::Ptr handlers,
                           ConnectionWatchdog& watchdog, std::chrono::milliseconds first_request);

  Poco::Net::TCPServerConnection* createConnection(const Poco::Net::StreamSocket& socket) override;

 private:
  Poco::Net::HTTPServerParams::Ptr params_;
  Poco::Net::HTTPRequestHandlerFactory::Ptr handlers_;
  ConnectionWatchdog& watchdog_;
  std::chrono::milliseconds first_request_;
};

}  // namespace ferry::connectors::fhir_http
