#include "integration/mllp_peer.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>
#include <vector>

#include "engine/hl7/ack_builder.h"
#include "engine/hl7/message.h"

namespace ferry::testing {

namespace {

constexpr char kStart = 0x0b;
constexpr char kEnd = 0x1c;
constexpr char kCarriageReturn = 0x0d;

bool writeAll(int fd, const std::string& bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    ssize_t written = ::send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (written <= 0) {
      return false;
    }
    done += static_cast<std::size_t>(written);
  }
  return true;
}

std::string frame(const std::string& message) {
  return std::string(1, kStart) + message + std::string(1, kEnd) + kCarriageReturn;
}

// Reads one frame; empty on close or error.
std::string readFrame(int fd, std::string& buffer) {
  for (;;) {
    auto start = buffer.find(kStart);
    if (start != std::string::npos) {
      auto end = buffer.find(std::string{kEnd, kCarriageReturn}, start);
      if (end != std::string::npos) {
        std::string message = buffer.substr(start + 1, end - start - 1);
        buffer.erase(0, end + 2);
        return message;
      }
    }
    char chunk[65536];
    ssize_t got = ::recv(fd, chunk, sizeof(chunk), 0);
    if (got <= 0) {
      return {};
    }
    buffer.append(chunk, static_cast<std::size_t>(got));
  }
}

}  // namespace

MllpPeer::MllpPeer(int port) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  int yes = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      ::listen(listen_fd_, 64) != 0) {
    ::close(listen_fd_);
    throw std::runtime_error("test MLLP peer cannot listen");
  }
  socklen_t length = sizeof(address);
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length);
  port_ = ntohs(address.sin_port);
  acceptor_ = std::thread([this] { acceptLoop(); });
}

MllpPeer::~MllpPeer() {
  stopping_ = true;
  ::shutdown(listen_fd_, SHUT_RDWR);
  ::close(listen_fd_);
  acceptor_.join();
  {
    std::lock_guard lock(mutex_);
    for (int fd : client_fds_) {
      ::shutdown(fd, SHUT_RDWR);
    }
  }
  for (auto& thread : threads_) {
    thread.join();
  }
}

std::vector<std::string> MllpPeer::received() const {
  std::lock_guard lock(mutex_);
  return received_;
}

std::size_t MllpPeer::count() const {
  std::lock_guard lock(mutex_);
  return received_.size();
}

void MllpPeer::acceptLoop() {
  while (!stopping_) {
    pollfd waiting{listen_fd_, POLLIN, 0};
    if (::poll(&waiting, 1, 100) <= 0) {
      continue;
    }
    int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) {
      continue;
    }
    std::lock_guard lock(mutex_);
    client_fds_.push_back(fd);
    threads_.emplace_back([this, fd] { serve(fd); });
  }
}

void MllpPeer::serve(int fd) {
  std::string buffer;
  for (;;) {
    std::string message = readFrame(fd, buffer);
    if (message.empty()) {
      break;
    }
    auto parsed = engine::hl7::Message::parse(message);
    engine::hl7::AckRequest request;
    request.ack_control_id = "PEERACK";
    request.timestamp = "20260101000000+0000";
    request.msa_code = parsed.isOk() ? "AA" : "AR";
    std::string ack = parsed.isOk() ? engine::hl7::buildAck(parsed.value(), request)
                                    : engine::hl7::buildAckForUnparsed(message, request);
    {
      std::lock_guard lock(mutex_);
      received_.push_back(message);
    }
    if (!writeAll(fd, frame(ack))) {
      break;
    }
  }
  std::lock_guard lock(mutex_);
  std::erase(client_fds_, fd);
  ::close(fd);
}

std::string MllpPeer::sendOne(int port, const std::string& message) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  std::string ack;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
      writeAll(fd, frame(message))) {
    std::string buffer;
    ack = readFrame(fd, buffer);
  }
  ::close(fd);
  return ack;
}

}  // namespace ferry::testing
