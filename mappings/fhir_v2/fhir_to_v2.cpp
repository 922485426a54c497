#include "mappings/fhir_v2/fhir_to_v2.h"

#include <algorithm>
#include <ctime>
#include <map>
#include <mutex>
#include <utility>

#include "engine/fhir/json_writer.h"
#include "mappings/fhir_v2/segment_builders.h"
#include "mappings/v2_fhir/stable_id.h"

namespace ferry::mappings::fhirv2 {

using engine::ErrorCode;
using engine::Result;
using engine::Status;

namespace {

struct MessageType {
  std::string code;
  std::string trigger;
  std::string structure;

  std::string text() const { return code + "^" + trigger; }
};

std::string formatClock(std::chrono::system_clock::time_point now) {
  std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y%m%d%H%M%S", &utc);
  return std::string(buffer) + "+0000";
}

// Config text "APP^1.2.3^ISO" as HD components (written by an engineer, not taken from FHIR).
Composite hdFromConfig(const std::string& text) {
  Composite hd;
  std::size_t component = 1;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('^', start);
    hd.set(component++, text.substr(start, end == std::string::npos ? end : end - start));
    if (end == std::string::npos) {
      break;
    }
    start = end + 1;
  }
  return hd;
}

// MSH-10: "F" and 19 hex digits of a name-based UUID over the message type and the input, so
// the same input always gets the same control id (MSH-10 is at most 20 characters in 2.5.1).
std::string controlId(const MessageType& type, const JsonValue& input) {
  std::string uuid =
      v2fhir::nameBasedUuid("fhir-to-v2|" + type.text() + "|" + engine::fhir::writeJson(input));
  uuid.erase(std::remove(uuid.begin(), uuid.end(), '-'), uuid.end());
  return "F" + uuid.substr(0, 19);
}

bool hasNonAscii(const std::string& text) {
  return std::any_of(text.begin(), text.end(),
                     [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
}

// The patient's Encounter: the first whose subject is the patient, else the first without one.
const JsonValue* encounterOf(const ResourceIndex& index, const JsonValue* patient) {
  std::vector<const JsonValue*> encounters = index.ofType("Encounter");
  for (const JsonValue* encounter : encounters) {
    if (index.refersTo(member(encounter, "subject"), encounter, patient)) {
      return encounter;
    }
  }
  for (const JsonValue* encounter : encounters) {
    if (member(encounter, "subject") == nullptr) {
      return encounter;
    }
  }
  return nullptr;
}

// One mapping call.
class Build {
 public:
  Build(const JsonValue& input, const ReverseVocabularies& vocabularies,
        const FhirToV2Options& options)
      : input_(input),
        index_(input),
        context_{index_, coverage_, vocabularies, {}, {}},
        options_(options) {}

  Result<V2MapOutput> run() {
    std::vector<const JsonValue*> reports = index_.ofType("DiagnosticReport");
    std::vector<const JsonValue*> patients = index_.ofType("Patient");
    MessageChoice choice = options_.message;
    if (choice == MessageChoice::Auto) {
      if (!reports.empty()) {
        choice = MessageChoice::OruR01;
      } else if (!patients.empty()) {
        choice = MessageChoice::AdtA08;
      } else {
        return Status(ErrorCode::Unsupported, "fhir-to-v2: no return path for a " +
                                                  resourceTypeOf(&input_) +
                                                  " without a Patient or DiagnosticReport");
      }
    }
    std::string time = messageTime();
    std::vector<SegmentWriter> body;
    MessageType type;
    if (choice == MessageChoice::OruR01) {
      if (reports.empty()) {
        return Status(ErrorCode::InvalidMessage,
                      "fhir-to-v2: ORU^R01 needs a DiagnosticReport; the input has none");
      }
      type = {"ORU", "R01", "ORU_R01"};
      buildOru(reports, body);
    } else {
      if (patients.empty()) {
        return Status(ErrorCode::InvalidMessage,
                      "fhir-to-v2: ADT needs a Patient; the input has none");
      }
      type = {"ADT", choice == MessageChoice::AdtA04 ? "A04" : "A08", "ADT_A01"};
      buildAdt(patients, type, time, body);
    }

    V2MapOutput output;
    output.message_type = type.text();
    std::string encoded_body = encodeMessage(body);
    SegmentWriter msh = buildMsh(type, time, hasNonAscii(encoded_body));
    output.message = msh.encode() + "\r" + encoded_body;
    output.segments = body.size() + 1;
    collectCoverage(output.unmapped);
    output.unconverted = std::move(context_.unconverted);
    output.notes = std::move(context_.notes);
    return output;
  }

 private:
  // MSH-7: the Bundle's timestamp, else the resource's meta.lastUpdated, else the clock.
  std::string messageTime() {
    std::string time;
    if (index_.isBundle()) {
      time = useDtm(context_, &input_, "timestamp", "Bundle.timestamp");
    }
    if (time.empty()) {
      time = useDtm(context_, member(&input_, "meta"), "lastUpdated", "meta.lastUpdated");
    }
    if (time.empty()) {
      time = formatClock(options_.clock ? options_.clock() : std::chrono::system_clock::now());
    }
    return time;
  }

  SegmentWriter buildMsh(const MessageType& type, const std::string& time, bool unicode) {
    SegmentWriter msh("MSH");
    msh.set(3, hdFromConfig(options_.sending_application));
    msh.set(4, hdFromConfig(options_.sending_facility));
    msh.set(5, hdFromConfig(options_.receiving_application));
    msh.set(6, hdFromConfig(options_.receiving_facility));
    msh.set(7, time);
    Composite message_type;
    message_type.set(1, type.code);
    message_type.set(2, type.trigger);
    message_type.set(3, type.structure);
    msh.set(9, std::move(message_type));
    msh.set(10, controlId(type, input_));
    msh.set(11, options_.processing_id);
    msh.set(12, "2.5.1");
    if (unicode) {
      // FHIR JSON is UTF-8; say so when the text is not plain ASCII (table 0211).
      msh.set(18, "UNICODE UTF-8");
    }
    return msh;
  }

  void buildAdt(const std::vector<const JsonValue*>& patients, MessageType& type,
                const std::string& time, std::vector<SegmentWriter>& body) {
    const JsonValue* patient = patients.front();
    if (patients.size() > 1) {
      context_.notes.push_back("Patient: " + std::to_string(patients.size() - 1) +
                               " more Patient resources left out (an ADT message carries one)");
    }
    const JsonValue* encounter = encounterOf(index_, patient);
    if (options_.message == MessageChoice::Auto && encounter != nullptr) {
      std::string status = textOf(encounter, "status");
      if (status == "planned" || status == "arrived") {
        type.trigger = "A04";
      }
      // The event says what the status was (IG Event[EncounterStatus]).
      coverage_.use(member(encounter, "status"));
    }
    std::vector<const JsonValue*> provenances = index_.ofType("Provenance");
    body.push_back(buildEvn(context_, type.trigger,
                            provenances.empty() ? nullptr : provenances.front(), time));
    body.push_back(buildPid(context_, patient, 1));
    if (auto pd1 = buildPd1(context_, patient)) {
      body.push_back(std::move(*pd1));
    }
    for (SegmentWriter& nk1 : buildNk1s(context_, patient)) {
      body.push_back(std::move(nk1));
    }
    body.push_back(buildPv1(context_, encounter, patient));
    if (encounter != nullptr) {
      if (auto pv2 = buildPv2(context_, encounter)) {
        body.push_back(std::move(*pv2));
      }
    }
  }

  void buildOru(const std::vector<const JsonValue*>& reports, std::vector<SegmentWriter>& body) {
    // One PATIENT_RESULT group per patient, in the order the reports name them.
    std::vector<std::pair<const JsonValue*, std::vector<const JsonValue*>>> groups;
    for (const JsonValue* report : reports) {
      const JsonValue* subject = index_.resolve(member(report, "subject"), report);
      if (resourceTypeOf(subject) != "Patient") {
        subject = nullptr;
      }
      auto group = std::find_if(groups.begin(), groups.end(),
                                [&](const auto& entry) { return entry.first == subject; });
      if (group == groups.end()) {
        groups.push_back({subject, {}});
        group = groups.end() - 1;
      }
      group->second.push_back(report);
    }
    std::size_t pid_id = 1;
    std::size_t obr_id = 1;
    for (const auto& [patient, group_reports] : groups) {
      const JsonValue* encounter = nullptr;
      for (const JsonValue* report : group_reports) {
        const JsonValue* found = index_.resolve(member(report, "encounter"), report);
        if (encounter == nullptr && resourceTypeOf(found) == "Encounter") {
          encounter = found;
        }
      }
      if (patient != nullptr) {
        body.push_back(buildPid(context_, patient, pid_id++));
        if (encounter != nullptr) {
          body.push_back(buildPv1(context_, encounter, patient));
        }
      } else {
        context_.notes.push_back(
            "DiagnosticReport: subject is not a Patient in the input; no PID written");
      }
      for (const JsonValue* report : group_reports) {
        appendOrderGroup(context_, report, patient, encounter, obr_id++, body);
      }
    }
  }

  void useBookkeeping(const JsonValue* resource) {
    for (std::string_view name : {"resourceType", "id", "meta", "text"}) {
      coverage_.use(member(resource, name));
    }
  }

  // Every input element no rule used, by path; resources nothing used at all by type.
  void collectCoverage(std::vector<std::string>& unmapped) {
    auto report = [&](const JsonValue* resource) {
      std::string type = resourceTypeOf(resource);
      if (coverage_.touched(resource)) {
        useBookkeeping(resource);
        coverage_.collect(*resource, type, unmapped);
      } else if (std::find(unmapped.begin(), unmapped.end(), type) == unmapped.end()) {
        unmapped.push_back(type);
      }
      coverage_.use(resource);
    };
    for (const JsonValue* resource : index_.resources()) {
      for (const JsonValue* inner : index_.contained(resource)) {
        report(inner);
      }
      if (resource != &input_) {
        report(resource);
      }
    }
    if (!index_.isBundle()) {
      report(&input_);
      return;
    }
    for (std::string_view name : {"resourceType", "id", "meta", "type", "identifier"}) {
      coverage_.use(member(&input_, name));
    }
    for (const JsonValue* entry : elementsOf(&input_, "entry")) {
      // Transport of the entries, not content.
      for (std::string_view name : {"fullUrl", "request", "response", "search"}) {
        coverage_.use(member(entry, name));
      }
    }
    coverage_.collect(input_, "Bundle", unmapped);
  }

  const JsonValue& input_;
  ResourceIndex index_;
  Coverage coverage_;
  WriteContext context_;
  const FhirToV2Options& options_;
};

}  // namespace

FhirToV2Mapper::FhirToV2Mapper(std::shared_ptr<const ReverseVocabularies> vocabularies)
    : vocabularies_(std::move(vocabularies)) {}

Result<std::shared_ptr<const FhirToV2Mapper>> FhirToV2Mapper::shared(
    const std::string& override_dir) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const FhirToV2Mapper>> mappers;
  std::lock_guard<std::mutex> lock(mutex);
  if (auto found = mappers.find(override_dir); found != mappers.end()) {
    return found->second;
  }
  auto vocabularies = ReverseVocabularies::load(override_dir);
  if (!vocabularies.isOk()) {
    return vocabularies.status();
  }
  auto mapper = std::make_shared<const FhirToV2Mapper>(vocabularies.value());
  mappers.emplace(override_dir, mapper);
  return std::shared_ptr<const FhirToV2Mapper>(mapper);
}

Result<V2MapOutput> FhirToV2Mapper::map(const JsonValue& input,
                                        const FhirToV2Options& options) const {
  if (!input.isObject() || resourceTypeOf(&input).empty()) {
    return Status(ErrorCode::InvalidMessage,
                  "fhir-to-v2: the input is not a FHIR resource (no resourceType)");
  }
  Build build(input, *vocabularies_, options);
  return build.run();
}

}  // namespace ferry::mappings::fhirv2
