#pragma once

// A destination's transforms, built from its "transforms" array and applied in order, and the
// Business Associate gate that decides whether a destination may receive PHI at all.

#include <memory>
#include <string_view>
#include <vector>

#include "engine/config/engine_config.h"
#include "engine/pipeline/transform.h"

namespace ferry::engine::pipeline {

class TransformChain {
 public:
  TransformChain() = default;
  explicit TransformChain(std::vector<std::unique_ptr<PayloadTransform>> transforms)
      : transforms_(std::move(transforms)) {}

  // Every factory's problems go to `errors` (unknown types included); the chain holds the
  // transforms that could be built.
  static TransformChain build(const config::DestinationSettings& destination,
                              const TransformEnvironment& environment,
                              config::ConfigErrors& errors);

  bool empty() const { return transforms_.empty(); }
  // True when some transform in the chain de-identifies everything it outputs.
  bool deidentifies() const;
  // "mapping:v2-to-fhir, strip:lab-minimum": for logs and the audit.
  std::string describe() const;

  // Runs every transform in order; actions of all of them, each prefixed with its name. The
  // first failure stops the chain and is returned with the transform's name in its context.
  Result<TransformResult> apply(std::string_view payload, const TransformContext& context) const;

 private:
  std::vector<std::unique_ptr<PayloadTransform>> transforms_;
};

// The actions of TransformChain::apply ("<transform>: <verb> <what>") as one short audit detail,
// grouped by transform and verb: "strip:x: removed PID-5, PID-13; generalised PID-7 to year".
// Paths only, as the transforms give them; capped at 4000 characters.
std::string summarizeTransformActions(const std::vector<std::string>& actions);

// The Business Associate gate: a destination not declared covered by an agreement must
// receive only de-identified output. Adds an error naming the route and the destination.
void checkBusinessAssociateGate(const config::DestinationSettings& destination,
                                const TransformChain& chain, config::ConfigErrors& errors);

}  // namespace ferry::engine::pipeline
