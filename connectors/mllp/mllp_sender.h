#pragma once

// MLLP sender: destination connector type "mllp", also used standalone by `ferry send`.
//
// deliver() writes one framed message and reads one framed reply on a connection kept open
// between calls. Outcomes:
//   AA or CA                          -> Ok
//   AE or CE                          -> RemoteError
//   AR or CR                          -> RemoteRejected
//   MSA-2 differs from the sent MSH-10 -> RemoteError ("ack control id mismatch")
//   reply that does not parse / no MSA -> RemoteError
//   no complete reply in ack_timeout  -> Timeout
//   cannot connect or TLS refused     -> ConnectionError
// The reply bytes (without framing) go in DeliveryResult::response whenever one was read.
//
// Connection handling: the connection is dropped after a timeout, a mismatch, an unreadable
// reply or any I/O error, because a late or extra reply would otherwise be read as the
// answer to the next message. Before reusing an idle connection, bytes or an EOF waiting on
// it mark it stale and a new one is opened. If a reused connection fails before any reply
// byte arrives (the peer closed it meanwhile), the message is sent once more on a fresh
// connection; delivery is at-least-once, so a receiver may see it twice.
//
// Status contexts name host:port and the condition, never message content.
//
// Thread-safety: deliver() is called by one thread at a time. stop() may be called from
// another thread; it aborts a deliver() in progress, which returns ShuttingDown.

#include <atomic>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include <Poco/Net/Context.h>
#include <Poco/Net/StreamSocket.h>

#include "connectors/mllp/mllp_config.h"
#include "engine/pipeline/connector.h"

namespace ferry::connectors::mllp {

class MllpSender final : public engine::pipeline::DestinationConnector {
 public:
  // Opens nothing; the first deliver() connects.
  explicit MllpSender(SenderConfig config);
  ~MllpSender() override;

  MllpSender(const MllpSender&) = delete;
  MllpSender& operator=(const MllpSender&) = delete;

  engine::pipeline::DeliveryResult deliver(
      std::string_view payload, const engine::pipeline::DeliveryContext& context) override;

  // Closes the connection; later deliver() calls return ShuttingDown.
  void stop() override;

  const SenderConfig& config() const { return config_; }
  // True while a connection is held open between deliveries.
  bool connected() const;

 private:
  enum class Attempt { Done, RetryOnFreshConnection };

  engine::Status ensureConnected(bool& reused);
  engine::Status connect();
  bool isStale();
  Attempt exchange(std::string_view frame, bool reused, const std::string& expected_control_id,
                   engine::pipeline::DeliveryResult& result);
  // The outcome named by the reply; keep_connection turns false when the connection can no
  // longer be trusted to carry the next exchange.
  engine::Status interpretReply(const std::string& reply, const std::string& expected_control_id,
                                bool& keep_connection);
  void disconnect();
  engine::Status failure(engine::ErrorCode code, const std::string& condition) const;

  const SenderConfig config_;
  const std::string where_;  // "mllp host:port", prefix of every status context

  Poco::Net::Context::Ptr tls_context_;  // built on first connect
  // Guards socket_ against stop() from another thread; I/O happens on a copy (POCO sockets
  // are shared handles) without holding the lock.
  mutable std::mutex socket_mutex_;
  std::optional<Poco::Net::StreamSocket> socket_;
  std::atomic<bool> stopped_{false};
  bool warned_insecure_ = false;  // the insecure warning was logged
};

}  // namespace ferry::connectors::mllp
