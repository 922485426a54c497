#include "connectors/fhir_http/fhir_http_watchdog.h"

#include <sys/socket.h>

#include <Poco/Exception.h>
#include <Poco/Logger.h>

namespace ferry::connectors::fhir_http {

ConnectionWatchdog::ConnectionWatchdog(std::chrono::milliseconds period)
    : period_(period), thread_([this] { run(); }) {}

ConnectionWatchdog::~ConnectionWatchdog() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

ConnectionWatchdog::Key ConnectionWatchdog::watch(const Poco::Net::StreamSocket& socket,
                                                  Clock::time_point deadline) {
  Key key = socket.impl();
  std::string peer = "unknown";
  try {
    peer = socket.peerAddress().toString();
  } catch (const Poco::Exception&) {
    // Already gone; the connection ends on its own.
  }
  std::lock_guard lock(mutex_);
  watched_[key] = Watched{socket, deadline, std::move(peer)};
  return key;
}

void ConnectionWatchdog::setDeadline(Key key, std::optional<Clock::time_point> deadline) {
  std::lock_guard lock(mutex_);
  auto found = watched_.find(key);
  if (found != watched_.end()) {
    found->second.deadline = deadline;
  }
}

void ConnectionWatchdog::forget(Key key) {
  Poco::Net::StreamSocket released;  // closes (if last) outside the lock
  std::lock_guard lock(mutex_);
  auto found = watched_.find(key);
  if (found != watched_.end()) {
    released = found->second.socket;
    watched_.erase(found);
  }
}

std::uint64_t ConnectionWatchdog::expired() const {
  std::lock_guard lock(mutex_);
  return expired_;
}

void ConnectionWatchdog::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, period_);
    Clock::time_point now = Clock::now();
    for (auto& [key, watched] : watched_) {
      if (watched.deadline && *watched.deadline <= now) {
        // The kernel-level shutdown wakes the connection's blocked read, whatever TLS state
        // the socket is in; the connection thread then closes it as usual. A socket POCO has
        // closed already has no descriptor left to shut down.
        if (int fd = watched.socket.impl()->sockfd(); fd >= 0) {
          ::shutdown(fd, SHUT_RDWR);
        }
        watched.deadline.reset();
        ++expired_;
        Poco::Logger::get("connectors.fhir_http")
            .warning("client " + watched.peer +
                     " took longer than allowed to send its request; connection closed");
      }
    }
  }
}

}  // namespace ferry::connectors::fhir_http
