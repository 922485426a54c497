#pragma once

// Deciding which destinations receive a message. The route table itself lives in routes/ and
// registers a RouterFactory; the engine sees only this interface.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/config/config_node.h"

namespace ferry::engine::pipeline {

// What routing may look at: header facts, no PHI.
struct MessageFacts {
  std::string source;  // listener name
  std::string message_type;
  std::string trigger_event;
  std::string sending_application;
  std::string sending_facility;
};

struct RouteTarget {
  std::string route;
  std::string destination;
};

class Router {
 public:
  virtual ~Router() = default;
  // Every (route, destination) pair that should receive the message, in config order. Empty
  // when no route accepts it. Thread-safe (const, immutable).
  virtual std::vector<RouteTarget> match(const MessageFacts& facts) const = 0;
  // Why no route matched, for the audit detail and the NAK text (names routes and rules).
  virtual std::string explainNoMatch(const MessageFacts& facts) const = 0;
};

// Builds a router from the config's "routes" array. Reads each route's "name", "source",
// "filter" and the "name" of each destination; the engine reads the rest of each destination.
using RouterFactory = std::function<std::unique_ptr<Router>(const config::ConfigNode& routes,
                                                            config::ConfigErrors& errors)>;

void registerRouterFactory(RouterFactory factory);
const RouterFactory* findRouterFactory();

}  // namespace ferry::engine::pipeline
