#include "mappings/v2_fhir/mapping_transform.h"

#include "engine/fhir/json_writer.h"
#include "engine/fhir/validator.h"
#include "engine/hl7/message.h"
#include "engine/pipeline/registry.h"
#include "mappings/fhir_v2/fhir_v2_transform.h"
#include "mappings/v2_fhir/hl7_time.h"
#include "mappings/v2_fhir/mapping_metrics.h"

namespace ferry::mappings::v2fhir {

using engine::ErrorCode;
using engine::Result;
using engine::Status;
using engine::pipeline::PayloadTransform;
using engine::pipeline::TransformContext;
using engine::pipeline::TransformResult;

std::vector<std::string> coverageActions(const MapOutput& output) {
  std::vector<std::string> actions;
  actions.push_back("mapped " + output.message_map + " -> Bundle (" +
                    std::to_string(output.entries) + " entries)");
  for (const std::string& path : output.coverage.unmapped) {
    actions.push_back("unmapped " + path);
  }
  for (const std::string& path : output.coverage.unconverted) {
    actions.push_back("unconverted " + path);
  }
  for (const std::string& note : output.coverage.notes) {
    actions.push_back("note " + note);
  }
  return actions;
}

Result<MapOutput> mapHl7Text(const V2ToFhirMapper& mapper, std::string_view bytes,
                             const MapOptions& options) {
  if (engine::pipeline::detectPayloadFormat(bytes) != engine::pipeline::PayloadFormat::Hl7v2) {
    return Status(ErrorCode::Unsupported, "mapping v2-to-fhir takes HL7 v2 messages only");
  }
  auto message = engine::hl7::Message::parse(bytes);
  if (!message.isOk()) {
    return message.status();
  }
  return mapper.map(message.value(), options);
}

namespace {

class MappingTransform : public PayloadTransform {
 public:
  MappingTransform(std::string mapping, std::shared_ptr<const V2ToFhirMapper> mapper,
                   MapOptions options, std::shared_ptr<const engine::fhir::Validator> validator)
      : name_("mapping:" + mapping),
        mapping_(std::move(mapping)),
        mapper_(std::move(mapper)),
        options_(std::move(options)),
        validator_(std::move(validator)) {}

  const std::string& name() const override { return name_; }

  Result<TransformResult> apply(std::string_view payload,
                                const TransformContext& /*context*/) const override {
    auto output = mapHl7Text(*mapper_, payload, options_);
    if (!output.isOk()) {
      recordMapping(mapping_, false, 0, 0);
      return output.status();
    }
    const MapOutput& mapped = output.value();
    TransformResult result;
    result.payload = engine::fhir::writeJson(mapped.bundle);
    // What leaves must be valid FHIR that a receiver can parse: odd input (a 400-digit number,
    // a megabyte name) can make the mapping write what the base specification or a JSON
    // parser refuses; such a message is parked instead. The verdict is the one on the text;
    // the text is parsed again only when the tree holds something the parser might not take
    // back as it is (validateWritten).
    if (Status valid = checkValid(mapped.bundle, result.payload); !valid.isOk()) {
      recordMapping(mapping_, false, 0, 0);
      return valid;
    }
    recordMapping(mapping_, true, mapped.coverage.unmapped.size(),
                  mapped.coverage.unconverted.size());
    result.actions = coverageActions(mapped);
    return result;
  }

 private:
  Status checkValid(const engine::fhir::JsonValue& bundle, std::string_view json) const {
    std::vector<engine::fhir::Issue> issues = validator_->validateWritten(bundle, json);
    for (const engine::fhir::Issue& issue : issues) {
      if (issue.severity == engine::fhir::IssueSeverity::Error ||
          issue.severity == engine::fhir::IssueSeverity::Fatal) {
        // Locations in our own output and the rule: no values.
        return Status(ErrorCode::InvalidMessage,
                      "mapped Bundle is not valid FHIR at " +
                          (issue.expression.empty() ? "line " + std::to_string(issue.line)
                                                    : issue.expression) +
                          ": " + issue.diagnostics);
      }
    }
    return Status::ok();
  }

  std::string name_;
  std::string mapping_;
  std::shared_ptr<const V2ToFhirMapper> mapper_;
  MapOptions options_;
  std::shared_ptr<const engine::fhir::Validator> validator_;
};

std::unique_ptr<PayloadTransform> makeMappingTransform(
    const engine::config::ConfigNode& node, engine::config::ConfigErrors& errors,
    const engine::pipeline::TransformEnvironment& /*environment*/) {
  // The FHIR -> HL7 v2 direction has its own keys (mappings/fhir_v2/fhir_v2_transform.h).
  if (auto kind = node.member("mapping");
      kind && kind->isString() && kind->asString() == "fhir-to-v2") {
    return fhirv2::makeFhirToV2Transform(node, errors);
  }
  node.rejectUnknownKeys({"type", "mapping", "bundle_type", "timezone", "mapping_dir"}, errors);
  std::string mapping = node.getString("mapping", errors);
  MapOptions options;
  std::string bundle_type = node.getString("bundle_type", errors, std::string("transaction"));
  if (bundle_type == "collection") {
    options.bundle_type = BundleType::Collection;
  } else if (bundle_type != "transaction") {
    errors.add(*node.member("bundle_type"), "must be \"transaction\" or \"collection\"");
  }
  std::string zone = node.getString("timezone", errors, std::string("Z"));
  if (auto parsed = TimeZone::parse(zone); parsed.isOk()) {
    options.zone = parsed.value();
  } else if (auto member = node.member("timezone")) {
    errors.add(*member, parsed.status().context() +
                            " (a fixed offset such as \"+05:00\", or an IANA name such as "
                            "\"America/New_York\")");
  }
  if (!mapping.empty() && mapping != "v2-to-fhir") {
    errors.add(*node.member("mapping"),
               "unknown mapping '" + mapping + "' (available: v2-to-fhir, fhir-to-v2)");
  }
  std::string directory = node.getString("mapping_dir", errors, std::string());
  if (!errors.empty()) {
    return nullptr;
  }
  auto mapper = V2ToFhirMapper::shared(directory);
  if (!mapper.isOk()) {
    errors.add(node, mapper.status().context());
    return nullptr;
  }
  auto definitions = engine::fhir::Definitions::builtIn();
  if (!definitions.isOk()) {
    errors.add(node, definitions.status().context());
    return nullptr;
  }
  return std::make_unique<MappingTransform>(
      mapping, mapper.value(), options,
      std::make_shared<const engine::fhir::Validator>(definitions.value()));
}

}  // namespace

FERRY_REGISTER(engine::pipeline::registerTransformType("mapping", makeMappingTransform))

}  // namespace ferry::mappings::v2fhir
