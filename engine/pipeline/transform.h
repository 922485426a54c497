#pragma once

// Per-destination transforms: what turns the message as received into the bytes one
// destination may see. Mapping (HL7v2 <-> FHIR, mappings/) and stripping (minimum necessary
// and de-identification, mappings/strip and mappings/deid) implement this interface and
// register a factory by type name, like connectors. The delivery worker applies a
// destination's transforms in order just before delivering, and audits a "transformed" hop
// whose detail lists what was done (mapping name, paths removed or generalised), never values.
//
// Transforms are pure functions of (payload, config, keys): applying one again after a restart
// gives the same bytes, so nothing transformed needs storing.

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/config/config_node.h"
#include "engine/crypto/key_ring.h"
#include "engine/status.h"

namespace ferry::engine::pipeline {

enum class PayloadFormat { Hl7v2, FhirJson, Unknown };

// Sniffs the format: "MSH" / batch headers (after an optional BOM and white space) is HL7v2,
// '{' is FHIR JSON.
PayloadFormat detectPayloadFormat(std::string_view payload);

struct TransformContext {
  std::string message_id;
  std::string route;
  std::string destination;
};

struct TransformResult {
  std::string payload;
  // For the audit record and dry runs: what was done, by path, never values. One entry a
  // path: "removed PID-5", "generalised PID-7 to year", "mapped ADT_A01 -> Bundle (3 entries)".
  std::vector<std::string> actions;
};

class PayloadTransform {
 public:
  virtual ~PayloadTransform() = default;
  // "mapping:adt-to-fhir", "strip:lab-minimum", "deidentify:safe-harbor"; for logs and audit.
  virtual const std::string& name() const = 0;
  // True when every output of this transform is de-identified (HIPAA Safe Harbor), which is what
  // the Business Associate gate of `ferry check` asks of a destination not covered by a BAA.
  virtual bool deidentifies() const { return false; }
  // Transforms one message. Failures (a payload the transform cannot handle) are returned, and
  // the delivery worker parks that message dead for that destination with the status text.
  virtual Result<TransformResult> apply(std::string_view payload,
                                        const TransformContext& context) const = 0;
};

// What a transform factory may use besides its own config node.
struct TransformEnvironment {
  // Keys for keyed pseudonyms; nullptr during `ferry check` (factories must not need keys to
  // validate config).
  std::shared_ptr<const crypto::KeyRing> keys;
  // The config's top-level "strip_profiles" / "mappings" objects, when present, so that a
  // destination can name a profile defined once.
  const config::ConfigNode* root = nullptr;
};

// Builds a transform from one element of a destination's "transforms" array (an object with
// "type" and the transform's own keys). Reports every problem into `errors`; returns nullptr
// when errors were added.
using TransformFactory = std::function<std::unique_ptr<PayloadTransform>(
    const config::ConfigNode& node, config::ConfigErrors& errors,
    const TransformEnvironment& environment)>;

void registerTransformType(const std::string& type, TransformFactory factory);
const TransformFactory* findTransformType(const std::string& type);
std::vector<std::string> transformTypeNames();

}  // namespace ferry::engine::pipeline
