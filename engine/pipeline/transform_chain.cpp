#include "engine/pipeline/transform_chain.h"

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
                 "agreement covers the receiver, or a {\"type\": \"deidentify\"} transform");
}

}  // namespace ferry::engine::pipeline
