#pragma once

// The route table: every configured route with its source, filter and destination names.
// Matching fans a message out to every destination of every route that accepts it.
//
// Thread-safety: immutable after construction; match() may run on many threads.

#include <memory>
#include <string>
#include <vector>

#include "engine/config/config_node.h"
#include "engine/pipeline/router.h"
#include "routes/message_filter.h"

namespace ferry::routes {

class RouteTable : public engine::pipeline::Router {
 public:
  // Reads the "routes" array; reports problems (missing names, duplicate route names, empty
  // destination lists, bad filters) into `errors`.
  static std::unique_ptr<RouteTable> fromConfig(const engine::config::ConfigNode& routes,
                                                engine::config::ConfigErrors& errors);

  std::vector<engine::pipeline::RouteTarget> match(
      const engine::pipeline::MessageFacts& facts) const override;
  std::string explainNoMatch(const engine::pipeline::MessageFacts& facts) const override;

 private:
  struct Route {
    std::string name;
    std::vector<std::string> sources;  // empty: any source
    MessageFilter filter;
    std::vector<std::string> destinations;
  };

  std::vector<Route> routes_;
};

}  // namespace ferry::routes
