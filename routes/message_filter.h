#pragma once

// A route's filter: which messages it takes, by message type and trigger event, sending
// application and sending facility. An absent list accepts anything; a present list accepts a
// message matching any entry. Type patterns are "ADT", "ADT^A01" or "ADT^*".

#include <optional>
#include <string>
#include <vector>

#include "engine/config/config_node.h"
#include "engine/pipeline/router.h"

namespace ferry::routes {

class MessageFilter {
 public:
  // Reads a "filter" object: {"message_types": [...], "sending_applications": [...],
  // "sending_facilities": [...]}. Problems go to `errors`.
  static MessageFilter fromConfig(const engine::config::ConfigNode& node,
                                  engine::config::ConfigErrors& errors);

  bool accepts(const engine::pipeline::MessageFacts& facts) const;
  // Which rule refused the message ("message type not in filter"), never values.
  std::string explainRefusal(const engine::pipeline::MessageFacts& facts) const;

 private:
  struct TypePattern {
    std::string message_type;
    std::string trigger_event;  // empty or "*" means any
  };

  bool typeMatches(const engine::pipeline::MessageFacts& facts) const;

  std::vector<TypePattern> types_;
  std::vector<std::string> sending_applications_;
  std::vector<std::string> sending_facilities_;
};

}  // namespace ferry::routes
