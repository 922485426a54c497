#pragma once

// Typed settings of MLLP listeners (source type "mllp") and senders (destination type
// "mllp"), and their parsing from configuration. Parsing opens nothing but the TLS files it
// checks for readability and loads to catch a bad certificate or key before start-up.
//
// Listener keys: name, type, host ("127.0.0.1"), port (0..65535, 0 picks a free port),
// insecure (bool, false), tls {certificate, private_key, ca, require_client_certificate},
// max_message_bytes (16 MiB), idle_timeout_seconds (300), frame_timeout_seconds (60: a message
// begun must be complete within it), max_connections (64), ack_mode ("original" or
// "enhanced").
//
// Sender keys: name, type, host, port (1..65535), insecure (bool, false),
// tls {ca, certificate, private_key, verify_host (true), server_name}, connect_timeout_ms
// (5000), ack_timeout_ms (30000); "retry", "ordered", "strip" and "mapping" belong to the
// engine and are only let through.
//
// Without "tls", "insecure": true is required: plain MLLP carries PHI in clear text, so it
// must be a visible decision in the config. "insecure": true together with "tls" is an
// error too, since one of the two is a mistake.

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include "connectors/mllp/mllp_frame_decoder.h"
#include "connectors/mllp/mllp_tls.h"
#include "engine/config/config_node.h"

namespace ferry::connectors::mllp {

enum class AckMode { Original, Enhanced };

struct ListenerConfig {
  std::string name;
  std::string host = "127.0.0.1";
  int port = 0;
  bool insecure = false;
  std::optional<ListenerTlsConfig> tls;
  std::size_t max_message_bytes = kDefaultMaxMessageBytes;
  std::chrono::milliseconds idle_timeout = std::chrono::seconds(300);
  std::chrono::milliseconds frame_timeout = std::chrono::seconds(60);
  int max_connections = 64;
  AckMode ack_mode = AckMode::Original;
  // Not a config key: how long stop() lets partly received messages complete before it
  // closes their connections. Messages already handed to the sink always finish.
  std::chrono::milliseconds stop_grace = std::chrono::seconds(5);
};

struct SenderConfig {
  std::string name;
  std::string host;
  int port = 0;
  bool insecure = false;
  std::optional<SenderTlsConfig> tls;
  std::chrono::milliseconds connect_timeout = std::chrono::milliseconds(5000);
  std::chrono::milliseconds ack_timeout = std::chrono::milliseconds(30000);
};

// Read settings from `node`, reporting every problem (with its JSON path) into `errors`.
// std::nullopt when anything was reported.
std::optional<ListenerConfig> parseListenerConfig(const engine::config::ConfigNode& node,
                                                  engine::config::ConfigErrors& errors);
std::optional<SenderConfig> parseSenderConfig(const engine::config::ConfigNode& node,
                                              engine::config::ConfigErrors& errors);

}  // namespace ferry::connectors::mllp
