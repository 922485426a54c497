#pragma once

// A downstream MLLP system for end-to-end tests: listens on 127.0.0.1 (port 0), keeps every
// message it receives, and answers each with an AA whose MSA-2 is the message's MSH-10.

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ferry::testing {

class MllpPeer {
 public:
  // Listens on `port` (0 picks a free one).
  explicit MllpPeer(int port = 0);
  ~MllpPeer();
  MllpPeer(const MllpPeer&) = delete;
  MllpPeer& operator=(const MllpPeer&) = delete;

  int port() const { return port_; }
  std::vector<std::string> received() const;
  std::size_t count() const;

  // Sends one framed message to host:port and returns the ACK's bytes (empty on failure).
  static std::string sendOne(int port, const std::string& message);

 private:
  void acceptLoop();
  void serve(int fd);

  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  std::vector<std::string> received_;
  std::vector<int> client_fds_;
  std::vector<std::thread> threads_;
  std::thread acceptor_;
};

}  // namespace ferry::testing
