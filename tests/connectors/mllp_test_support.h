#pragma once

// Helpers shared by the MLLP test suites: synthetic messages, a recording MessageSink, a raw
// socket client and a scriptable MLLP server. Loopback only; every socket read has a guard
// timeout so that a broken test fails instead of hanging.

#include <atomic>
#include <chrono>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>

#include "connectors/mllp/mllp_frame_decoder.h"
#include "connectors/mllp/mllp_io.h"
#include "engine/config/config_node.h"
#include "engine/pipeline/connector.h"

namespace ferry::testing::mllp {

// Whether `errors` holds one at JSON path `path` whose message contains `text`.
inline bool hasError(const ferry::engine::config::ConfigErrors& errors, const std::string& path,
                     const std::string& text) {
  for (const auto& error : errors.all()) {
    if (error.json_path == path && error.message.find(text) != std::string::npos) {
      return true;
    }
  }
  return false;
}

using connectors::mllp::DecodedFrame;
using connectors::mllp::encodeFrame;
using connectors::mllp::FrameDecoder;

// Generous bound on any single wait in these tests; reaching it is a failure, not a result.
inline constexpr std::chrono::milliseconds kGuardTimeout(10000);

// A synthetic ADT^A01 with control id `control_id` and made-up patient data.
inline std::string makeMessage(const std::string& control_id, const std::string& msh15 = "",
                               const std::string& msh16 = "") {
  std::string msh = "MSH|^~\\&|SENDAPP|SENDFAC|RECVAPP|RECVFAC|20240101120000||ADT^A01^ADT_A01|" +
                    control_id + "|P|2.5";
  if (!msh15.empty() || !msh16.empty()) {
    msh += "|||" + msh15 + "|" + msh16;
  }
  return msh + "\rEVN|A01|20240101120000\rPID|1||MRN0001^^^TESTHOSP^MR||TESTPATIENT^ALPHA||" +
         "19800101|F\r";
}

// Field `index` (as numbered in HL7, MSH-1 being the separator) of the first segment; enough
// for the synthetic messages used here, which is why tests do not need the HL7 parser.
inline std::string mshField(const std::string& message, std::size_t index) {
  std::string segment = message.substr(0, message.find('\r'));
  std::vector<std::string> fields;
  std::size_t start = 0;
  while (true) {
    auto bar = segment.find('|', start);
    fields.push_back(segment.substr(start, bar - start));
    if (bar == std::string::npos) {
      break;
    }
    start = bar + 1;
  }
  // fields[0] is "MSH", fields[1] is MSH-2; MSH-n is fields[n - 1].
  return index >= 2 && index - 1 < fields.size() ? fields[index - 1] : std::string();
}

// The value of MSA-`index` in `ack`, or empty.
inline std::string msaField(const std::string& ack, std::size_t index) {
  auto start = ack.find("MSA|");
  if (start == std::string::npos) {
    return {};
  }
  std::string segment = ack.substr(start, ack.find('\r', start) - start);
  std::size_t position = 0;
  for (std::size_t i = 0; i < index; ++i) {
    position = segment.find('|', position);
    if (position == std::string::npos) {
      return {};
    }
    ++position;
  }
  return segment.substr(position, segment.find('|', position) - position);
}

// An original-mode ACK for `message`, written by hand.
inline std::string makeAck(const std::string& message, const std::string& code,
                           std::optional<std::string> acked_control_id = std::nullopt) {
  std::string control_id = acked_control_id.value_or(mshField(message, 10));
  return "MSH|^~\\&|RECVAPP|RECVFAC|SENDAPP|SENDFAC|20240101120001||ACK^A01^ACK|ACK" + control_id +
         "|P|2.5\rMSA|" + code + "|" + control_id + "\r";
}

// Records what it receives and answers AA (or what `answer` returns). `on_message` runs
// before answering, e.g. to block or to throw.
class RecordingSink : public engine::pipeline::MessageSink {
 public:
  std::function<void(const std::string&)> on_message;
  std::function<std::string(const std::string&)> answer;

  std::string onHl7Message(std::string_view bytes,
                           const engine::pipeline::InboundContext& context) override {
    std::string message(bytes);
    {
      std::lock_guard lock(mutex_);
      messages_.push_back(message);
      contexts_.push_back(context);
    }
    if (on_message) {
      on_message(message);
    }
    return answer ? answer(message) : makeAck(message, "AA");
  }

  std::vector<std::string> messages() const {
    std::lock_guard lock(mutex_);
    return messages_;
  }
  std::vector<engine::pipeline::InboundContext> contexts() const {
    std::lock_guard lock(mutex_);
    return contexts_;
  }
  std::size_t count() const {
    std::lock_guard lock(mutex_);
    return messages_.size();
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> messages_;
  std::vector<engine::pipeline::InboundContext> contexts_;
};

// A plain TCP client speaking raw bytes.
class RawClient {
 public:
  explicit RawClient(int port) {
    socket_.connect(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port)));
    socket_.setNoDelay(true);
    socket_.setReceiveTimeout(connectors::mllp::toTimespan(kGuardTimeout));
  }

  void send(const std::string& bytes) {
    connectors::mllp::ScopedSigpipeBlock sigpipe;
    connectors::mllp::sendAll(socket_, bytes);
  }

  // The next frame's payload; std::nullopt when the connection closes (or errors) first.
  std::optional<std::string> readFrame() {
    while (true) {
      if (auto frame = decoder_.next()) {
        return frame->bytes;
      }
      char buffer[4096];
      int received = 0;
      try {
        received = socket_.receiveBytes(buffer, sizeof(buffer));
      } catch (const Poco::TimeoutException&) {
        throw;  // the guard expired: fail loudly
      } catch (const Poco::Exception&) {
        return std::nullopt;
      }
      if (received <= 0) {
        return std::nullopt;
      }
      decoder_.feed(std::string_view(buffer, static_cast<std::size_t>(received)));
    }
  }

  // True when the server closes the connection (EOF or reset) before sending another frame.
  bool closedByPeer() { return !readFrame().has_value(); }

  Poco::Net::StreamSocket& socket() { return socket_; }

 private:
  Poco::Net::StreamSocket socket_;
  FrameDecoder decoder_;
};

// A scriptable MLLP server for sender tests. For each frame, `respond` returns the reply
// payload, or std::nullopt to stay silent. With close_after_reply, it closes the connection
// after each reply. Given a server context, it speaks TLS.
class ScriptedServer {
 public:
  std::function<std::optional<std::string>(const std::string&)> respond;
  std::atomic<bool> close_after_reply{false};

  explicit ScriptedServer(Poco::Net::Context::Ptr tls = {}) {
    if (tls) {
      server_ = std::make_unique<Poco::Net::SecureServerSocket>(tls);
    } else {
      server_ = std::make_unique<Poco::Net::ServerSocket>();
    }
    server_->bind(Poco::Net::SocketAddress("127.0.0.1", 0), true, false);
    server_->listen(16);
    port_ = server_->address().port();
    accept_thread_ = std::thread([this] { acceptLoop(); });
  }

  ~ScriptedServer() {
    stopping_.store(true);
    accept_thread_.join();
    std::lock_guard lock(mutex_);
    for (auto& thread : connections_) {
      thread.join();
    }
  }

  int port() const { return port_; }
  int connectionsAccepted() const { return accepted_.load(); }
  std::vector<std::string> received() const {
    std::lock_guard lock(mutex_);
    return received_;
  }

 private:
  void acceptLoop() {
    while (!stopping_.load()) {
      if (!server_->poll(Poco::Timespan(0, 50000), Poco::Net::Socket::SELECT_READ)) {
        continue;
      }
      Poco::Net::StreamSocket socket = server_->acceptConnection();
      ++accepted_;
      std::lock_guard lock(mutex_);
      connections_.emplace_back([this, socket]() mutable { serve(socket); });
    }
  }

  void serve(Poco::Net::StreamSocket socket) {
    connectors::mllp::ScopedSigpipeBlock sigpipe;
    try {
      socket.setReceiveTimeout(Poco::Timespan(0, 50000));
      FrameDecoder decoder;
      char buffer[4096];
      while (!stopping_.load()) {
        while (auto frame = decoder.next()) {
          {
            std::lock_guard lock(mutex_);
            received_.push_back(frame->bytes);
          }
          auto reply = respond ? respond(frame->bytes) : std::optional<std::string>();
          if (reply) {
            connectors::mllp::sendAll(socket, encodeFrame(*reply));
            if (close_after_reply.load()) {
              socket.close();
              return;
            }
          }
        }
        int received = 0;
        try {
          received = socket.receiveBytes(buffer, sizeof(buffer));
        } catch (const Poco::TimeoutException&) {
          continue;
        }
        if (received <= 0) {
          return;
        }
        decoder.feed(std::string_view(buffer, static_cast<std::size_t>(received)));
      }
    } catch (const Poco::Exception&) {
      // The client went away; nothing to do in a test server.
    }
  }

  std::unique_ptr<Poco::Net::ServerSocket> server_;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> accepted_{0};
  mutable std::mutex mutex_;
  std::vector<std::string> received_;
  std::list<std::thread> connections_;
  std::thread accept_thread_;
};

}  // namespace ferry::testing::mllp
