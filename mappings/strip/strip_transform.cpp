// The "strip" transform: a destination's minimum-necessary profile, defined once under the
// config's top-level "strip_profiles" and named by destinations:
//
//   "strip_profiles": {
//     "lab-minimum": {
//       "mode": "allow",                         // or "deny"
//       "hl7v2": ["PID-3", "PID-5.1", "OBR", "OBX[*]-3", "OBX-5"],
//       "fhir": ["Patient.identifier", "Observation.status", "Observation.code",
//                "Observation.value[x]", "Bundle.type", "Bundle.entry.resource"]
//     }
//   }
//   "transforms": [{"type": "strip", "profile": "lab-minimum"}]
//
// Path rules: hl7_strip.h and fhir_strip.h. A payload of a format the profile has no list for
// passes unchanged through a deny-list and is refused by an allow-list (it would keep nothing).

#include <memory>
#include <string>
#include <utility>

#include "engine/fhir/definitions.h"
#include "engine/fhir/json_parser.h"
#include "engine/fhir/json_writer.h"
#include "engine/hl7/message.h"
#include "engine/pipeline/registry.h"
#include "engine/pipeline/transform.h"
#include "mappings/strip/fhir_strip.h"
#include "mappings/strip/hl7_strip.h"

namespace ferry::mappings::strip {

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

class StripTransform : public PayloadTransform {
 public:
  StripTransform(std::string profile, StripMode mode, std::optional<Hl7StripProfile> hl7,
                 std::optional<FhirStripProfile> fhir)
      : name_("strip:" + profile), mode_(mode), hl7_(std::move(hl7)), fhir_(std::move(fhir)) {}

  const std::string& name() const override { return name_; }

  Result<TransformResult> apply(std::string_view payload,
                                const TransformContext& /*context*/) const override {
    TransformResult result;
    ActionList actions;
    switch (engine::pipeline::detectPayloadFormat(payload)) {
      case PayloadFormat::Hl7v2: {
        if (!hl7_) {
          return unlisted(payload, "hl7v2");
        }
        auto message = engine::hl7::Message::parse(payload);
        if (!message.isOk()) {
          return message.status();
        }
        result.payload = hl7_->apply(message.value(), actions);
        break;
      }
      case PayloadFormat::FhirJson: {
        if (!fhir_) {
          return unlisted(payload, "fhir");
        }
        auto parsed = engine::fhir::parseFhirJson(payload);
        if (!parsed.isOk()) {
          return parsed.status();
        }
        engine::fhir::JsonValue& root = parsed.value().root;
        Status status = fhir_->apply(root, actions);
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
  Result<TransformResult> unlisted(std::string_view payload, std::string_view list) const {
    if (mode_ == StripMode::Deny) {
      TransformResult unchanged;
      unchanged.payload = std::string(payload);
      return unchanged;
    }
    return Status(ErrorCode::Unsupported, "the allow-list has no \"" + std::string(list) +
                                              "\" entries, so it would keep nothing of this "
                                              "payload");
  }

  std::string name_;
  StripMode mode_;
  std::optional<Hl7StripProfile> hl7_;
  std::optional<FhirStripProfile> fhir_;
};

std::optional<Hl7StripProfile> readHl7List(const ConfigNode& list, StripMode mode,
                                           ConfigErrors& errors) {
  if (!list.isArray()) {
    errors.add(list, "\"hl7v2\" must be an array of HL7 v2 paths (\"PID-3\", \"OBX[*]-5\")");
    return std::nullopt;
  }
  std::vector<Hl7StripPath> paths;
  std::vector<ConfigNode> nodes = list.elements();
  bool ok = true;
  for (const ConfigNode& node : nodes) {
    if (!node.isString()) {
      errors.add(node, "expected an HL7 v2 path string, found " + std::string(node.typeName()));
      ok = false;
      continue;
    }
    auto path = parseHl7StripPath(node.asString());
    if (!path.isOk()) {
      errors.add(node, path.status().context());
      ok = false;
      continue;
    }
    paths.push_back(std::move(path).value());
  }
  if (!ok) {
    return std::nullopt;
  }
  auto profile = Hl7StripProfile::create(mode, std::move(paths));
  if (!profile.isOk()) {
    errors.add(list, profile.status().context());
    return std::nullopt;
  }
  return std::move(profile).value();
}

std::optional<FhirStripProfile> readFhirList(const ConfigNode& list, StripMode mode,
                                             ConfigErrors& errors) {
  if (!list.isArray()) {
    errors.add(list, "\"fhir\" must be an array of FHIR element paths (\"Patient.name\")");
    return std::nullopt;
  }
  auto definitions = engine::fhir::Definitions::builtIn();
  if (!definitions.isOk()) {
    errors.add(list, "FHIR definitions unavailable: " + definitions.status().context());
    return std::nullopt;
  }
  std::vector<FhirStripPath> paths;
  std::vector<ConfigNode> nodes = list.elements();
  std::vector<const ConfigNode*> origin;
  bool ok = true;
  for (const ConfigNode& node : nodes) {
    if (!node.isString()) {
      errors.add(node,
                 "expected a FHIR element path string, found " + std::string(node.typeName()));
      ok = false;
      continue;
    }
    auto path = parseFhirStripPath(node.asString());
    if (!path.isOk()) {
      errors.add(node, path.status().context());
      ok = false;
      continue;
    }
    paths.push_back(std::move(path).value());
    origin.push_back(&node);
  }
  if (!ok) {
    return std::nullopt;
  }
  std::vector<FhirProfileProblem> problems;
  auto profile = FhirStripProfile::create(mode, std::move(paths), definitions.value(), problems);
  for (const FhirProfileProblem& problem : problems) {
    const ConfigNode& at = problem.entry < origin.size() ? *origin[problem.entry] : list;
    errors.add(at, problem.message);
  }
  return profile;
}

std::string knownProfiles(const ConfigNode& profiles) {
  std::string names;
  for (const auto& [name, unused] : profiles.members()) {
    names += (names.empty() ? "" : ", ") + name;
  }
  return names.empty() ? "none" : names;
}

std::unique_ptr<PayloadTransform> createStrip(const ConfigNode& node, ConfigErrors& errors,
                                              const TransformEnvironment& environment) {
  const std::size_t errors_before = errors.all().size();
  node.rejectUnknownKeys({"type", "profile"}, errors);
  const std::string name = node.getString("profile", errors);
  if (name.empty()) {
    return nullptr;
  }
  // A copy: member() returns an optional by value, so a reference into it would dangle.
  const ConfigNode name_node = *node.member("profile");
  std::optional<ConfigNode> profiles =
      environment.root != nullptr ? environment.root->member("strip_profiles") : std::nullopt;
  if (!profiles || !profiles->isObject()) {
    errors.add(name_node, "strip profile '" + name +
                              "' is not defined: the config has no \"strip_profiles\" object");
    return nullptr;
  }
  std::optional<ConfigNode> profile = profiles->member(name);
  if (!profile) {
    errors.add(name_node, "strip profile '" + name +
                              "' is not defined under \"strip_profiles\" "
                              "(defined: " +
                              knownProfiles(*profiles) + ")");
    return nullptr;
  }
  if (!profile->requireObject(errors)) {
    return nullptr;
  }
  profile->rejectUnknownKeys({"mode", "hl7v2", "fhir", "description"}, errors);
  const std::string mode_text = profile->getString("mode", errors);
  StripMode mode = StripMode::Allow;
  if (mode_text == "deny") {
    mode = StripMode::Deny;
  } else if (mode_text != "allow" && !mode_text.empty()) {
    errors.add(*profile->member("mode"), "\"mode\" must be \"allow\" or \"deny\"");
  }
  if (auto description = profile->member("description"); description && !description->isString()) {
    errors.add(*description, "\"description\" must be a string");
  }

  std::optional<Hl7StripProfile> hl7;
  std::optional<FhirStripProfile> fhir;
  auto hl7_list = profile->member("hl7v2");
  auto fhir_list = profile->member("fhir");
  if (!hl7_list && !fhir_list) {
    errors.add(*profile, "strip profile '" + name +
                             "' lists nothing: give \"hl7v2\" and/or "
                             "\"fhir\" paths");
  }
  if (hl7_list) {
    hl7 = readHl7List(*hl7_list, mode, errors);
  }
  if (fhir_list) {
    fhir = readFhirList(*fhir_list, mode, errors);
  }
  if (errors.all().size() != errors_before) {
    return nullptr;
  }
  return std::make_unique<StripTransform>(name, mode, std::move(hl7), std::move(fhir));
}

}  // namespace

}  // namespace ferry::mappings::strip

FERRY_REGISTER(ferry::engine::pipeline::registerTransformType("strip",
                                                              &ferry::mappings::strip::createStrip))
