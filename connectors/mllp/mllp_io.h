#pragma once

// Small socket helpers shared by the MLLP listener and sender.

#include <chrono>
#include <string>
#include <string_view>

#include <signal.h>

#include <Poco/Net/StreamSocket.h>
#include <Poco/Timespan.h>

namespace ferry::connectors::mllp {

// Keeps SIGPIPE from killing the process while the current thread writes to a socket whose
// peer has gone. OpenSSL writes through plain write(), so MSG_NOSIGNAL cannot be used for TLS.
// Blocks SIGPIPE in this thread; on destruction discards a SIGPIPE raised meanwhile (the
// write itself reports EPIPE) and restores the previous mask. Process-wide disposition is
// left alone. Not copyable; lives on one thread's stack.
class ScopedSigpipeBlock {
 public:
  ScopedSigpipeBlock();
  ~ScopedSigpipeBlock();
  ScopedSigpipeBlock(const ScopedSigpipeBlock&) = delete;
  ScopedSigpipeBlock& operator=(const ScopedSigpipeBlock&) = delete;

 private:
  sigset_t previous_mask_;
  bool was_pending_ = false;
};

// Writes all of `bytes`; throws Poco::Exception (Poco::Net::NetException, TimeoutException,
// SSLException) on failure. Callers hold a ScopedSigpipeBlock.
void sendAll(Poco::Net::StreamSocket& socket, std::string_view bytes);

// "host:port" of the peer, or "unknown" when the socket has none.
std::string peerName(const Poco::Net::StreamSocket& socket);

// POCO's timeouts are microsecond Timespans.
Poco::Timespan toTimespan(std::chrono::milliseconds duration);

}  // namespace ferry::connectors::mllp
