#include "routes/message_filter.h"

#include <algorithm>

namespace ferry::routes {

using engine::config::ConfigErrors;
using engine::config::ConfigNode;
using engine::pipeline::MessageFacts;

MessageFilter MessageFilter::fromConfig(const ConfigNode& node, ConfigErrors& errors) {
  MessageFilter filter;
  if (!node.requireObject(errors)) {
    return filter;
  }
  node.rejectUnknownKeys({"message_types", "sending_applications", "sending_facilities"}, errors);

  for (const std::string& pattern : node.getStringList("message_types", errors)) {
    auto caret = pattern.find('^');
    TypePattern parsed;
    parsed.message_type = pattern.substr(0, caret);
    if (caret != std::string::npos) {
      parsed.trigger_event = pattern.substr(caret + 1);
    }
    if (parsed.message_type.empty() || parsed.trigger_event.find('^') != std::string::npos) {
      errors.add(
          *node.member("message_types"),
          "message type pattern must look like ADT, ADT^A01 or ADT^*, found '" + pattern + "'");
      continue;
    }
    filter.types_.push_back(std::move(parsed));
  }
  filter.sending_applications_ = node.getStringList("sending_applications", errors);
  filter.sending_facilities_ = node.getStringList("sending_facilities", errors);
  return filter;
}

bool MessageFilter::typeMatches(const MessageFacts& facts) const {
  if (types_.empty()) {
    return true;
  }
  return std::any_of(types_.begin(), types_.end(), [&](const TypePattern& pattern) {
    bool any_trigger = pattern.trigger_event.empty() || pattern.trigger_event == "*";
    return pattern.message_type == facts.message_type &&
           (any_trigger || pattern.trigger_event == facts.trigger_event);
  });
}

namespace {

bool listAccepts(const std::vector<std::string>& allowed, const std::string& value) {
  return allowed.empty() || std::find(allowed.begin(), allowed.end(), value) != allowed.end();
}

}  // namespace

bool MessageFilter::accepts(const MessageFacts& facts) const {
  return typeMatches(facts) && listAccepts(sending_applications_, facts.sending_application) &&
         listAccepts(sending_facilities_, facts.sending_facility);
}

std::string MessageFilter::explainRefusal(const MessageFacts& facts) const {
  if (!typeMatches(facts)) {
    return "message type not in filter";
  }
  if (!listAccepts(sending_applications_, facts.sending_application)) {
    return "sending application not in filter";
  }
  if (!listAccepts(sending_facilities_, facts.sending_facility)) {
    return "sending facility not in filter";
  }
  return "accepted";
}

}  // namespace ferry::routes
