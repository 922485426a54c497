// The "deidentify" transform: HIPAA Safe Harbor de-identification of HL7 v2 and FHIR payloads.
//
//   "transforms": [{
//     "type": "deidentify",
//     "profile": "safe-harbor",          // the only profile; the default
//     "pseudonyms": false,               // true: PID-3 / Patient.identifier become a keyed
//                                        //   pseudonym (same patient, same pseudonym)
//     "date_shift": false,               // true: dates move by a per-patient offset instead
//     "date_shift_days": 30,             //   of keeping only the year (NOT Safe Harbor)
//     "allow_free_text": ["OBX-5", "NTE-3", "Observation.note"]
//   }]
//
// Pseudonyms and date shifts use a key derived from the key file's index key
// (pseudonymizer.h). `ferry check` builds the transform without keys; the running engine has
// them. With "date_shift" the destination's output is not Safe Harbor de-identified, so
// deidentifies() is false and the Business Associate gate treats it as PHI. "allow_free_text"
// keeps the named free-text fields (OBX-5 text values, NTE-3, OBR-13, AL1-5; FHIR string,
// markdown and Annotation elements): the engineer states that they hold no identifier for this
// destination; the output still counts as de-identified.

#include <chrono>
#include <memory>
#include <string>
#include <utility>

#include "engine/fhir/definitions.h"
#include "engine/fhir/json_parser.h"
#include "engine/fhir/json_writer.h"
#include "engine/hl7/message.h"
#include "engine/hl7/path.h"
#include "engine/pipeline/registry.h"
#include "engine/pipeline/transform.h"
#include "mappings/deid/fhir_deidentifier.h"
#include "mappings/deid/hl7_deidentifier.h"
#include "mappings/deid/pseudonymizer.h"

namespace ferry::mappings::deid {

namespace {

using engine::ErrorCode;
using engine::Result;
using engine::Status;
using engine::config::ConfigErrors;
using engine::config::ConfigNode;
using engine::pipeline::PayloadFormat;
using engine::pipeline::PayloadTransform;
using engine::pipeline::TransformContext;
using engine::pipeline::TransformEnvironment;
using engine::pipeline::TransformResult;

constexpr int kDefaultShiftDays = 30;
constexpr int kMaxShiftDays = 3650;

int currentYear() {
  const auto today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  return static_cast<int>(std::chrono::year_month_day(today).year());
}

class DeidTransform : public PayloadTransform {
 public:
  DeidTransform(DeidOptions options, std::unique_ptr<Pseudonymizer> pseudonymizer,
                std::shared_ptr<const engine::fhir::Definitions> definitions)
      : name_("deidentify:safe-harbor"),
        needs_keys_(options.pseudonyms || options.date_shift_days > 0),
        pseudonymizer_(std::move(pseudonymizer)),
        hl7_(options, pseudonymizer_.get()),
        fhir_(options, pseudonymizer_.get(), std::move(definitions)),
        safe_harbor_(options.date_shift_days == 0) {}

  const std::string& name() const override { return name_; }
  bool deidentifies() const override { return safe_harbor_; }

  Result<TransformResult> apply(std::string_view payload,
                                const TransformContext& /*context*/) const override {
    if (needs_keys_ && !pseudonymizer_) {
      return Status(ErrorCode::KeyError,
                    "pseudonyms and date shifts need the key file, which is not loaded");
    }
    TransformResult result;
    strip::ActionList actions;
    const int year = currentYear();
    switch (engine::pipeline::detectPayloadFormat(payload)) {
      case PayloadFormat::Hl7v2: {
        auto message = engine::hl7::Message::parse(payload);
        if (!message.isOk()) {
          return message.status();
        }
        result.payload = hl7_.apply(message.value(), year, actions);
        break;
      }
      case PayloadFormat::FhirJson: {
        auto parsed = engine::fhir::parseFhirJson(payload);
        if (!parsed.isOk()) {
          return parsed.status();
        }
        engine::fhir::JsonValue& root = parsed.value().root;
        Status status = fhir_.apply(root, year, actions);
        if (!status.isOk()) {
          return status;
        }
        result.payload = engine::fhir::writeJson(root);
        break;
      }
      case PayloadFormat::Unknown:
        return Status(ErrorCode::Unsupported, "the payload is neither HL7 v2 nor FHIR JSON");
    }
    result.actions = actions.take();
    return result;
  }

 private:
  std::string name_;
  bool needs_keys_;
  std::unique_ptr<Pseudonymizer> pseudonymizer_;
  Hl7Deidentifier hl7_;
  FhirDeidentifier fhir_;
  bool safe_harbor_;
};

bool isHl7Path(std::string_view text) {
  return text.size() > 4 && text[3] == '-' && text[0] >= 'A' && text[0] <= 'Z';
}

void readFreeText(const ConfigNode& list, const engine::fhir::Definitions& definitions,
                  DeidOptions& options, ConfigErrors& errors) {
  if (!list.isArray()) {
    errors.add(list,
               "\"allow_free_text\" must be an array of paths (\"OBX-5\", "
               "\"Observation.note\")");
    return;
  }
  for (const ConfigNode& node : list.elements()) {
    if (!node.isString()) {
      errors.add(node, "expected a path string, found " + std::string(node.typeName()));
      continue;
    }
    const std::string& text = node.asString();
    if (!isHl7Path(text)) {
      std::string problem = checkFhirFreeTextPath(definitions, text);
      if (!problem.empty()) {
        errors.add(node, problem);
      } else {
        options.fhir_free_text.push_back(text);
      }
      continue;
    }
    auto path = engine::hl7::parsePath(text);
    if (!path.isOk()) {
      errors.add(node, path.status().context());
      continue;
    }
    const engine::hl7::Path& p = path.value();
    if (p.component > 0 || text.find('[') != std::string::npos) {
      errors.add(node, "allow_free_text names whole fields (\"OBX-5\"), every occurrence");
      continue;
    }
    if (!isHl7FreeTextField(p.segment, p.field)) {
      errors.add(node, "'" + text +
                           "' is not a free-text field of the Safe Harbor profile "
                           "(allowed: OBX-5, NTE-3, OBR-13, AL1-5); identifier fields cannot be "
                           "let through");
      continue;
    }
    options.hl7_free_text.push_back({p.segment, p.field});
  }
}

std::unique_ptr<PayloadTransform> createDeidentify(const ConfigNode& node, ConfigErrors& errors,
                                                   const TransformEnvironment& environment) {
  const std::size_t errors_before = errors.all().size();
  node.rejectUnknownKeys(
      {"type", "profile", "pseudonyms", "date_shift", "date_shift_days", "allow_free_text"},
      errors);
  const std::string profile = node.getString("profile", errors, "safe-harbor");
  if (profile != "safe-harbor") {
    errors.add(*node.member("profile"),
               "unknown de-identification profile '" + profile + "' (available: safe-harbor)");
  }
  DeidOptions options;
  options.pseudonyms = node.getBool("pseudonyms", errors, false);
  const bool date_shift = node.getBool("date_shift", errors, false);
  const auto days = node.getInt("date_shift_days", errors, kDefaultShiftDays, 1, kMaxShiftDays);
  if (!date_shift && node.member("date_shift_days")) {
    errors.add(*node.member("date_shift_days"),
               "\"date_shift_days\" has no effect without \"date_shift\": true");
  }
  options.date_shift_days = date_shift ? static_cast<int>(days) : 0;

  auto definitions = engine::fhir::Definitions::builtIn();
  if (!definitions.isOk()) {
    errors.add(node, "FHIR definitions unavailable: " + definitions.status().context());
    return nullptr;
  }
  if (auto list = node.member("allow_free_text")) {
    readFreeText(*list, *definitions.value(), options, errors);
  }
  if (errors.all().size() != errors_before) {
    return nullptr;
  }

  // With the key file loaded, control ids are replaced by keyed codes even without
  // pseudonyms.
  std::unique_ptr<Pseudonymizer> pseudonymizer;
  if (environment.keys) {
    pseudonymizer = std::make_unique<Pseudonymizer>(*environment.keys);
  }
  return std::make_unique<DeidTransform>(std::move(options), std::move(pseudonymizer),
                                         definitions.value());
}

}  // namespace

}  // namespace ferry::mappings::deid

FERRY_REGISTER(ferry::engine::pipeline::registerTransformType(
    "deidentify", &ferry::mappings::deid::createDeidentify))
