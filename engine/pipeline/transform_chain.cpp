#include "engine/pipeline/transform_chain.h"

#include <algorithm>

namespace ferry::engine::pipeline {

TransformChain TransformChain::build(const config::DestinationSettings& destination,
                                     const TransformEnvironment& environment,
                                     config::ConfigErrors& errors) {
  std::vector<std::unique_ptr<PayloadTransform>> transforms;
  if (!destination.transforms) {
    return TransformChain();
  }
  for (const config::ConfigNode& node : destination.transforms->elements()) {
    if (!node.requireObject(errors)) {
      continue;
    }
    std::string type = node.getString("type", errors);
    if (type.empty()) {
      continue;
    }
    const TransformFactory* factory = findTransformType(type);
    if (factory == nullptr) {
      std::string known;
      for (const std::string& name : transformTypeNames()) {
        known += (known.empty() ? "" : ", ") + name;
      }
      errors.add(*node.member("type"), "unknown transform type '" + type + "' (available: " +
                                           (known.empty() ? "none" : known) + ")");
      continue;
    }
    auto transform = (*factory)(node, errors, environment);
    if (transform) {
      transforms.push_back(std::move(transform));
    }
  }
  return TransformChain(std::move(transforms));
}

bool TransformChain::deidentifies() const {
  for (const auto& transform : transforms_) {
    if (transform->deidentifies()) {
      return true;
    }
  }
  return false;
}

std::string TransformChain::describe() const {
  std::string text;
  for (const auto& transform : transforms_) {
    text += (text.empty() ? "" : ", ") + transform->name();
  }
  return text;
}

Result<TransformResult> TransformChain::apply(std::string_view payload,
                                              const TransformContext& context) const {
  TransformResult combined;
  combined.payload = std::string(payload);
  for (const auto& transform : transforms_) {
    auto step = transform->apply(combined.payload, context);
    if (!step.isOk()) {
      return Status(step.status().code(), transform->name() + ": " + step.status().context());
    }
    combined.payload = std::move(step.value().payload);
    for (std::string& action : step.value().actions) {
      combined.actions.push_back(transform->name() + ": " + std::move(action));
    }
  }
  return combined;
}

// The transforms' actions as one audit detail: paths only (the transforms never put values in
// them), grouped by transform and verb so that a record stays short ("deidentify:safe-harbor:
// removed PID-5, PID-13; generalised PID-7 to year"), and capped so that one message cannot
// swell the audit table. Each action reads "<transform>: <verb> <what>".
std::string summarizeTransformActions(const std::vector<std::string>& actions) {
  constexpr std::size_t kMaxDetail = 4000;
  struct Group {
    std::string transform;
    std::string verb;
    std::string objects;
  };
  std::vector<Group> groups;
  for (const std::string& action : actions) {
    std::size_t colon = action.find(": ");
    std::string transform = colon == std::string::npos ? "" : action.substr(0, colon);
    std::string rest = colon == std::string::npos ? action : action.substr(colon + 2);
    std::size_t space = rest.find(' ');
    std::string verb = space == std::string::npos ? rest : rest.substr(0, space);
    std::string object = space == std::string::npos ? "" : rest.substr(space + 1);
    auto group = std::find_if(groups.begin(), groups.end(), [&](const Group& candidate) {
      return candidate.transform == transform && candidate.verb == verb;
    });
    if (group == groups.end()) {
      groups.push_back({transform, verb, object});
    } else if (!object.empty()) {
      group->objects += (group->objects.empty() ? "" : ", ") + object;
    }
  }

  std::string detail;
  std::string current_transform;
  for (std::size_t index = 0; index < groups.size(); ++index) {
    const Group& group = groups[index];
    std::string part = group.verb + (group.objects.empty() ? "" : " " + group.objects);
    if (index == 0 || group.transform != current_transform) {
      part = (index == 0 ? "" : " | ") + (group.transform.empty() ? "" : group.transform + ": ") +
             part;
      current_transform = group.transform;
    } else {
      part = "; " + part;
    }
    detail += part;
  }
  if (detail.size() > kMaxDetail) {
    detail = detail.substr(0, kMaxDetail - 16) + " ... (truncated)";
  }
  return detail;
}

void checkBusinessAssociateGate(const config::DestinationSettings& destination,
                                const TransformChain& chain, config::ConfigErrors& errors) {
  if (destination.baa_covered || chain.deidentifies()) {
    return;
  }
  errors.add(destination.node,
             "route '" + destination.route + "' would send PHI to destination '" +
                 destination.name +
                 "', which is not declared covered by a Business Associate Agreement: add "
                 "\"business_associate\": {\"covered\": true, \"agreement\": \"...\"} if an "
                 "agreement covers the receiver, or a {\"type\": \"deidentify\"} transform "
                 "without \"date_shift\" (shifted dates are not Safe Harbor)");
}

}  // namespace ferry::engine::pipeline
