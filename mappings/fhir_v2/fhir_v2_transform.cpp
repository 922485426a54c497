#include "mappings/fhir_v2/fhir_v2_transform.h"

#include "engine/fhir/json_parser.h"
#include "mappings/fhir_v2/resource_index.h"
#include "mappings/v2_fhir/mapping_metrics.h"

namespace ferry::mappings::fhirv2 {

using engine::ErrorCode;
using engine::Result;
using engine::Status;
using engine::pipeline::PayloadTransform;
using engine::pipeline::TransformContext;
using engine::pipeline::TransformResult;

namespace {

constexpr const char* kMappingName = "fhir-to-v2";

class FhirToV2Transform : public PayloadTransform {
 public:
  FhirToV2Transform(std::shared_ptr<const FhirToV2Mapper> mapper, FhirToV2Options options)
      : name_(std::string("mapping:") + kMappingName),
        mapper_(std::move(mapper)),
        options_(std::move(options)) {}

  const std::string& name() const override { return name_; }

  Result<TransformResult> apply(std::string_view payload,
                                const TransformContext& /*context*/) const override {
    std::string input_type;
    auto output = mapFhirText(*mapper_, payload, options_, &input_type);
    if (!output.isOk()) {
      v2fhir::recordMapping(kMappingName, false, 0, 0);
      return output.status();
    }
    const V2MapOutput& mapped = output.value();
    v2fhir::recordMapping(kMappingName, true, mapped.unmapped.size(), mapped.unconverted.size());
    TransformResult result;
    result.payload = mapped.message;
    result.actions = coverageActions(input_type, mapped);
    return result;
  }

 private:
  std::string name_;
  std::shared_ptr<const FhirToV2Mapper> mapper_;
  FhirToV2Options options_;
};

}  // namespace

std::vector<std::string> coverageActions(const std::string& input_type, const V2MapOutput& output) {
  std::vector<std::string> actions;
  actions.push_back("mapped " + input_type + " -> " + output.message_type + " (" +
                    std::to_string(output.segments) + " segments)");
  for (const std::string& path : output.unmapped) {
    actions.push_back("unmapped " + path);
  }
  for (const std::string& path : output.unconverted) {
    actions.push_back("unconverted " + path);
  }
  for (const std::string& note : output.notes) {
    actions.push_back("note " + note);
  }
  return actions;
}

Result<V2MapOutput> mapFhirText(const FhirToV2Mapper& mapper, std::string_view bytes,
                                const FhirToV2Options& options, std::string* input_type) {
  if (engine::pipeline::detectPayloadFormat(bytes) != engine::pipeline::PayloadFormat::FhirJson) {
    return Status(ErrorCode::Unsupported, "mapping fhir-to-v2 takes FHIR JSON only");
  }
  auto parsed = engine::fhir::parseFhirJson(bytes);
  if (!parsed.isOk()) {
    return parsed.status();
  }
  for (const engine::fhir::Issue& issue : parsed.value().issues) {
    if (issue.severity == engine::fhir::IssueSeverity::Error ||
        issue.severity == engine::fhir::IssueSeverity::Fatal) {
      return Status(ErrorCode::InvalidMessage,
                    "fhir-to-v2: " + (issue.expression.empty() ? "input" : issue.expression) +
                        " (line " + std::to_string(issue.line) + "): " + issue.diagnostics);
    }
  }
  const engine::fhir::JsonValue& root = parsed.value().root;
  if (input_type != nullptr) {
    *input_type = resourceTypeOf(&root);
  }
  return mapper.map(root, options);
}

std::unique_ptr<PayloadTransform> makeFhirToV2Transform(const engine::config::ConfigNode& node,
                                                        engine::config::ConfigErrors& errors) {
  node.rejectUnknownKeys(
      {"type", "mapping", "message", "sending_application", "sending_facility",
       "receiving_application", "receiving_facility", "processing_id", "mapping_dir"},
      errors);
  FhirToV2Options options;
  std::string message = node.getString("message", errors, std::string("auto"));
  if (message == "ADT^A08") {
    options.message = MessageChoice::AdtA08;
  } else if (message == "ADT^A04") {
    options.message = MessageChoice::AdtA04;
  } else if (message == "ORU^R01") {
    options.message = MessageChoice::OruR01;
  } else if (message != "auto") {
    errors.add(*node.member("message"),
               "must be \"auto\", \"ADT^A08\", \"ADT^A04\" or \"ORU^R01\"");
  }
  struct HeaderKey {
    std::string_view key;
    std::string* target;
  };
  const HeaderKey header_keys[] = {{"sending_application", &options.sending_application},
                                   {"sending_facility", &options.sending_facility},
                                   {"receiving_application", &options.receiving_application},
                                   {"receiving_facility", &options.receiving_facility},
                                   {"processing_id", &options.processing_id}};
  for (const HeaderKey& header : header_keys) {
    *header.target = node.getString(header.key, errors, *header.target);
    if (header.target->empty() || header.target->find_first_of("|~\\&\r\n") != std::string::npos) {
      errors.add(node.member(header.key) ? *node.member(header.key) : node,
                 "must be non-empty, without | ~ \\ & or line breaks (^ separates HD parts)");
    }
  }
  std::string directory = node.getString("mapping_dir", errors, std::string());
  if (!errors.empty()) {
    return nullptr;
  }
  auto mapper = FhirToV2Mapper::shared(directory);
  if (!mapper.isOk()) {
    errors.add(node, mapper.status().context());
    return nullptr;
  }
  return std::make_unique<FhirToV2Transform>(mapper.value(), std::move(options));
}

}  // namespace ferry::mappings::fhirv2
