#include "connectors/mllp/mllp_io.h"

#include <cerrno>
#include <ctime>

#include <pthread.h>

#include <Poco/Exception.h>
#include <Poco/Net/NetException.h>

namespace ferry::connectors::mllp {

ScopedSigpipeBlock::ScopedSigpipeBlock() {
  sigset_t pending;
  sigemptyset(&pending);
  sigpending(&pending);
  was_pending_ = sigismember(&pending, SIGPIPE) == 1;

  sigset_t block;
  sigemptyset(&block);
  sigaddset(&block, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &block, &previous_mask_);
}

ScopedSigpipeBlock::~ScopedSigpipeBlock() {
  // A SIGPIPE caused by our own write is directed at this thread and now pending; take it
  // before unblocking so that it is never delivered. One that was already pending before we
  // started belongs to someone else and is left alone.
  if (!was_pending_) {
    sigset_t pending;
    sigemptyset(&pending);
    sigpending(&pending);
    if (sigismember(&pending, SIGPIPE) == 1) {
      sigset_t pipe_only;
      sigemptyset(&pipe_only);
      sigaddset(&pipe_only, SIGPIPE);
      timespec zero{0, 0};
      while (sigtimedwait(&pipe_only, nullptr, &zero) == -1 && errno == EINTR) {
      }
    }
  }
  pthread_sigmask(SIG_SETMASK, &previous_mask_, nullptr);
}

void sendAll(Poco::Net::StreamSocket& socket, std::string_view bytes) {
  while (!bytes.empty()) {
    int chunk = bytes.size() > 1 << 20 ? 1 << 20 : static_cast<int>(bytes.size());
    int sent = socket.sendBytes(bytes.data(), chunk);
    if (sent <= 0) {
      throw Poco::Net::NetException("connection closed while writing");
    }
    bytes.remove_prefix(static_cast<std::size_t>(sent));
  }
}

std::string peerName(const Poco::Net::StreamSocket& socket) {
  try {
    return socket.peerAddress().toString();
  } catch (const Poco::Exception&) {
    return "unknown";
  }
}

Poco::Timespan toTimespan(std::chrono::milliseconds duration) {
  return Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(duration.count()) * 1000);
}

}  // namespace ferry::connectors::mllp
