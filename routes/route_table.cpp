#include "routes/route_table.h"

#include <algorithm>
#include <set>

#include "engine/pipeline/registry.h"

namespace ferry::routes {

using engine::config::ConfigErrors;
using engine::config::ConfigNode;
using engine::pipeline::MessageFacts;
using engine::pipeline::RouteTarget;

namespace {

// "source" may be one listener name or a list of them.
std::vector<std::string> readSources(const ConfigNode& route, ConfigErrors& errors) {
  auto node = route.member("source");
  if (!node) {
    errors.add(route, "required key 'source' is missing (a listener name or a list of them)");
    return {};
  }
  if (node->isString()) {
    return {node->asString()};
  }
  return route.getStringList("source", errors);
}

}  // namespace

std::unique_ptr<RouteTable> RouteTable::fromConfig(const ConfigNode& routes, ConfigErrors& errors) {
  auto table = std::make_unique<RouteTable>();
  if (!routes.isArray()) {
    errors.add(routes, "expected an array of routes, found " + std::string(routes.typeName()));
    return table;
  }

  std::set<std::string> route_names;
  for (const ConfigNode& node : routes.elements()) {
    if (!node.requireObject(errors)) {
      continue;
    }
    node.rejectUnknownKeys({"name", "source", "filter", "destinations", "description"}, errors);

    Route route;
    route.name = node.getString("name", errors);
    if (!route.name.empty() && !route_names.insert(route.name).second) {
      errors.add(*node.member("name"), "duplicate route name '" + route.name + "'");
    }
    route.sources = readSources(node, errors);
    if (auto filter = node.member("filter")) {
      route.filter = MessageFilter::fromConfig(*filter, errors);
    }

    auto destinations = node.member("destinations");
    if (!destinations || !destinations->isArray() || destinations->elements().empty()) {
      errors.add(destinations ? *destinations : node,
                 "a route needs a non-empty 'destinations' array");
    } else {
      for (const ConfigNode& destination : destinations->elements()) {
        if (destination.isObject()) {
          route.destinations.push_back(destination.getString("name", errors));
        }
      }
    }
    table->routes_.push_back(std::move(route));
  }
  return table;
}

std::vector<RouteTarget> RouteTable::match(const MessageFacts& facts) const {
  std::vector<RouteTarget> targets;
  for (const Route& route : routes_) {
    bool source_ok = route.sources.empty() || std::find(route.sources.begin(), route.sources.end(),
                                                        facts.source) != route.sources.end();
    if (!source_ok || !route.filter.accepts(facts)) {
      continue;
    }
    for (const std::string& destination : route.destinations) {
      targets.push_back(RouteTarget{route.name, destination});
    }
  }
  return targets;
}

std::string RouteTable::explainNoMatch(const MessageFacts& facts) const {
  if (routes_.empty()) {
    return "no routes configured";
  }
  std::string explanation;
  for (const Route& route : routes_) {
    bool source_ok = route.sources.empty() || std::find(route.sources.begin(), route.sources.end(),
                                                        facts.source) != route.sources.end();
    if (!explanation.empty()) {
      explanation += "; ";
    }
    explanation += "route '" + route.name +
                   "': " + (source_ok ? route.filter.explainRefusal(facts) : "source not listed");
  }
  return explanation;
}

}  // namespace ferry::routes

FERRY_REGISTER(ferry::engine::pipeline::registerRouterFactory(
    [](const ferry::engine::config::ConfigNode& routes, ferry::engine::config::ConfigErrors& errors)
        -> std::unique_ptr<ferry::engine::pipeline::Router> {
      return ferry::routes::RouteTable::fromConfig(routes, errors);
    }))
