#pragma once

// Bounds how long a client may take to send a whole request. POCO's timeout bounds each read
// only, so a client that sends a byte just before every read would time out could hold a
// connection, and one of the listener's max_connections threads, for as long as it likes
// ("slowloris"); enough such clients and nobody else is served. The watchdog gives each
// connection a deadline and shuts down the socket of any connection past it, which ends the
// blocked read at once:
//   - accepted, or answered and kept alive: the next request (TLS handshake, headers and body)
//     must arrive within idle_timeout + request_timeout;
//   - headers read: the body must arrive within request_timeout;
//   - body read: no deadline while the engine stores the message and the answer is written
//     (POCO's send timeout bounds a client that does not read).
//
// Connections are known by their socket object (POCO's SocketImpl), of which the watchdog keeps
// a reference until the connection is forgotten, so that no other connection can get the same
// key meanwhile. (Descriptor numbers would not do: POCO closes the socket before the connection
// is forgotten, and a new connection may get the number at once.) The descriptor to shut down is
// read from the socket object when a deadline passes; a closed socket has none.
//
// Thread-safety: every method from any thread.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <Poco/Net/StreamSocket.h>

namespace ferry::connectors::fhir_http {

class ConnectionWatchdog {
 public:
  using Clock = std::chrono::steady_clock;

  // Checks deadlines every `period` on a thread of its own, until destroyed.
  explicit ConnectionWatchdog(std::chrono::milliseconds period = kDefaultPeriod);
  ~ConnectionWatchdog();
  ConnectionWatchdog(const ConnectionWatchdog&) = delete;
  ConnectionWatchdog& operator=(const ConnectionWatchdog&) = delete;

  using Key = const Poco::Net::SocketImpl*;

  // Starts watching `socket` with `deadline`; returns the key for the other calls.
  Key watch(const Poco::Net::StreamSocket& socket, Clock::time_point deadline);
  // A new deadline, or none (nullopt), for a watched connection; unknown keys are ignored.
  void setDeadline(Key key, std::optional<Clock::time_point> deadline);
  void forget(Key key);

  // Connections shut down for missing their deadline since construction.
  std::uint64_t expired() const;

  static constexpr std::chrono::milliseconds kDefaultPeriod{250};

 private:
  struct Watched {
    Poco::Net::StreamSocket socket;
    std::optional<Clock::time_point> deadline;
    std::string peer;  // for the log line
  };

  void run();

  const std::chrono::milliseconds period_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::map<Key, Watched> watched_;
  std::uint64_t expired_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace ferry::connectors::fhir_http
