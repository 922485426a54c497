#pragma once

// MLLP listener: source connector type "mllp". Accepts TCP (or TLS) connections, decodes MLLP
// frames, hands each message to the engine's MessageSink and writes back the acknowledgment
// the sink returns, framed. See mllp_config.h for its settings and mllp_enhanced_ack.h for
// what "enhanced" ack mode does.
//
// Connections are independent: each has its own thread, so a sink call that waits for a
// durable commit holds up only its own connection. At most max_connections are served at
// once; further clients wait in the kernel's accept backlog until a slot frees.
//
// Per connection:
// - Frames are answered in the order they arrive; several frames in one read are answered
//   one after the other.
// - A frame larger than max_message_bytes is answered with an AR (built from what was
//   received, ERR naming the limit) and the connection is closed.
// - A connection that starts no message for idle_timeout is closed (bytes outside frames do
//   not count), and so is one whose message is not complete frame_timeout after it began: a
//   peer dripping bytes cannot hold a connection slot for ever.
// - No exception leaves a connection thread: it is logged (without payload), the connection
//   is closed and the listener keeps serving the others.
//
// Thread-safety: start() and stop() are called by one owner thread; boundPort() and
// openConnections() may be called from any thread.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <thread>

#include <Poco/Net/ServerSocket.h>

#include "connectors/mllp/mllp_config.h"
#include "engine/pipeline/connector.h"

namespace ferry::connectors::mllp {

class MllpListener final : public engine::pipeline::SourceConnector {
 public:
  // Keeps `sink` by reference: it must outlive the listener. Opens nothing.
  MllpListener(ListenerConfig config, engine::pipeline::MessageSink& sink);
  // Stops if still running.
  ~MllpListener() override;

  MllpListener(const MllpListener&) = delete;
  MllpListener& operator=(const MllpListener&) = delete;

  // Builds the TLS context (if any), binds and starts accepting. ConfigError for TLS material
  // that does not load or a plain listener not marked insecure; ConnectionError when the
  // address cannot be bound. Logs a warning naming the listener and port when it is plain.
  engine::Status start() override;

  // Stops accepting, lets messages already handed to the sink finish and their ACKs be
  // written, gives partly received frames up to config.stop_grace to complete, closes every
  // connection and joins all threads. Returns only when no sink call of this listener is in
  // progress. Idempotent.
  void stop() override;

  int boundPort() const override { return bound_port_.load(); }

  // Connections being served now.
  std::size_t openConnections() const;

  const ListenerConfig& config() const { return config_; }

 private:
  struct Connection;
  class Session;

  void acceptLoop();
  void waitForFreeSlot();
  void spawnConnection(Poco::Net::StreamSocket socket);
  void serveConnection(Connection& connection);
  void reapFinished();
  bool stopping() const { return stopping_.load(); }
  // steady_clock time after which stop() wants partly received frames abandoned.
  std::chrono::steady_clock::time_point stopDeadline() const;

  const ListenerConfig config_;
  engine::pipeline::MessageSink& sink_;

  // A ServerSocket, or a SecureServerSocket when TLS is configured.
  std::unique_ptr<Poco::Net::ServerSocket> server_socket_;
  std::atomic<int> bound_port_{0};
  std::atomic<bool> stopping_{false};
  std::atomic<std::chrono::steady_clock::rep> stop_deadline_{0};
  bool started_ = false;

  mutable std::mutex mutex_;  // guards connections_ and active_
  std::condition_variable slot_freed_;
  std::list<std::unique_ptr<Connection>> connections_;
  std::size_t active_ = 0;
  bool saturated_ = false;  // accept thread only

  std::jthread accept_thread_;  // last: joins before the members it uses go away
};

}  // namespace ferry::connectors::mllp
