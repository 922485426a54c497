#include "mappings/v2_fhir/v2_to_fhir.h"

#include <algorithm>
#include <deque>
#include <map>
#include <mutex>
#include <unordered_map>
#include <unordered_set>

#include "mappings/v2_fhir/json_paths.h"
#include "mappings/v2_fhir/segment_view.h"
#include "mappings/v2_fhir/stable_id.h"
#include "mappings/v2_fhir/value_builders.h"

namespace ferry::mappings::v2fhir {

using engine::ErrorCode;
using engine::Result;
using engine::Status;
using engine::fhir::JsonValue;

namespace {

struct BuiltResource {
  std::string type;
  std::string id;
  JsonValue resource;
  std::vector<std::string_view> filled_by;  // segment ids that made or filled it
  bool dropped = false;
  const SegmentMap* map = nullptr;  // the map that made it (for "required"), if a segment did
};

struct PendingReference {
  std::size_t slot;
  const ReferenceRule* rule;
};

JsonValue referenceTo(const std::string& id) {
  JsonValue reference = JsonValue::makeObject();
  reference.add("reference", JsonValue::makeString("urn:uuid:" + id));
  return reference;
}

// One mapping call: the segment views, the resources made so far and the names given to them.
class MappingRun {
 public:
  MappingRun(const MappingSet& set, const MessageMap& map, const engine::hl7::Message& message,
             const MapOptions& options)
      : set_(set), map_(map), message_(message), options_(options) {
    leaf_.zone = options_.zone;
    leaf_.coding_systems = set_.findVocabulary("CodingSystem");
    event_ = message.messageCode() + "^" + message.triggerEvent();
  }

  Result<MapOutput> run() {
    std::size_t count = message_.segmentCount();
    std::unordered_map<std::string_view, std::size_t> occurrences;
    for (std::size_t index = 0; index < count; ++index) {
      std::string_view id = message_.segmentId(index);
      views_.emplace_back(message_, index, ++occurrences[id]);
    }
    message_key_ = std::string(views_.empty() ? std::string_view() : views_[0].rawField(3)) + "|" +
                   std::string(views_.empty() ? std::string_view() : views_[0].rawField(4)) + "|" +
                   std::string(views_.empty() ? std::string_view() : views_[0].rawField(7)) + "|" +
                   std::string(views_.empty() ? std::string_view() : views_[0].rawField(10));
    bundle_fields_ = JsonValue::makeObject();

    std::vector<bool> mapped(count, false);
    std::string_view last_other;
    for (std::size_t index = 0; index < count; ++index) {
      const SegmentView& view = views_[index];
      auto found = map_.by_segment.find(std::string(view.id()));
      if (found != map_.by_segment.end()) {
        for (const Entry* entry : found->second) {
          if (applies(*entry, last_other)) {
            mapped[index] = applyEntry(*entry, view) || mapped[index];
          }
        }
      }
      if (index + 1 < count && message_.segmentId(index + 1) != view.id()) {
        last_other = view.id();
      }
    }
    if (failed_) {
      return Status(ErrorCode::Internal, "resource ids could not be made (SHA-1 unavailable)");
    }
    resolvePending();
    checkRequired();

    MapOutput output;
    output.message_map = map_.name;
    collectCoverage(mapped, output.coverage);
    output.bundle = assemble(output.entries);
    output.coverage.notes = std::move(notes_);
    return output;
  }

 private:
  bool applies(const Entry& entry, std::string_view last_other) const {
    if (!entry.events.empty() &&
        std::find(entry.events.begin(), entry.events.end(), event_) == entry.events.end()) {
      return false;
    }
    if (!entry.after.empty() &&
        std::find(entry.after.begin(), entry.after.end(), last_other) == entry.after.end()) {
      return false;
    }
    return true;
  }

  // Applies one entry to one segment; false when it had nothing to fill.
  bool applyEntry(const Entry& entry, const SegmentView& view) {
    const SegmentMap& map = *entry.map;
    if (entry.bundle) {
      applySegmentRules(map, view, bundle_fields_);
      return true;
    }
    std::string fill_name = !entry.into.empty() ? entry.into : entry.merge;
    if (!fill_name.empty()) {
      auto named = named_.find(fill_name);
      bool can_fill = named != named_.end();
      if (can_fill && !entry.merge.empty()) {
        const auto& filled = resources_[named->second].filled_by;
        can_fill = std::find(filled.begin(), filled.end(), view.id()) == filled.end();
      }
      if (can_fill) {
        std::size_t slot = named->second;
        BuiltResource& target = resources_[slot];
        target.filled_by.push_back(view.id());
        applySegmentRules(map, view, target.resource);
        applyFixed(entry.fixed, target.resource);
        applyReferences(entry.references, slot);
        return true;
      }
      if (!entry.into.empty()) {
        notes_.push_back(std::string(view.id()) + ": nothing to fill (no " + entry.into + ")");
        return false;
      }
    }
    createResource(entry, view);
    return true;
  }

  void createResource(const Entry& entry, const SegmentView& view) {
    const SegmentMap& map = *entry.map;
    std::size_t slot = resources_.size();
    resources_.emplace_back();
    BuiltResource& built = resources_.back();
    built.type = map.resource;
    built.id = segmentId(map, view);
    built.filled_by.push_back(view.id());
    built.map = &map;
    built.resource = JsonValue::makeObject();
    built.resource.add("resourceType", JsonValue::makeString(map.resource));
    built.resource.add("id", JsonValue::makeString(built.id));

    // The entry's fixed values (the event's Encounter.status) come before the segment's own
    // fields and win; the segment map's fixed values are defaults applied after them.
    applyFixed(entry.fixed, built.resource);
    applySegmentRules(map, view, built.resource);
    applyFixed(map.fixed, built.resource);
    applyReferences(entry.references, slot);

    std::string identity = built.type + "/" + built.id;
    auto [existing, added] = by_identity_.emplace(identity, slot);
    if (!added) {
      // The same thing twice in one message (one patient in PID and MRG, say): keep the first.
      built.dropped = true;
      slot = existing->second;
    }
    if (!entry.as.empty()) {
      named_[entry.as] = slot;
    }
    for (const ReferenceRule& rule : entry.add_to) {
      auto named = named_.find(rule.name);
      if (named != named_.end() && named->second != slot) {
        placeValue(resources_[named->second].resource, rule.to, "", rule.with,
                   referenceTo(resources_[slot].id));
      }
    }
  }

  void applySegmentRules(const SegmentMap& map, const SegmentView& view, JsonValue& target) {
    for (const Rule& rule : map.rules) {
      std::size_t repetitions = view.repetitionCount(rule.position);
      auto node = [&](std::size_t rep) {
        Node field = view.field(rule.position, rep);
        return rule.component != 0 ? field.child(rule.component) : field;
      };
      if (rule.kind == ValueKind::Ignore) {
        for (std::size_t rep = 1; rep <= repetitions; ++rep) {
          node(rep).markUsed();
        }
        continue;
      }
      std::size_t last =
          rule.every_repetition ? repetitions : std::min<std::size_t>(1, repetitions);
      for (std::size_t rep = 1; rep <= last; ++rep) {
        applyRule(rule, node(rep), target);
      }
    }
  }

  void applyDatatype(const DatatypeMap& map, const Node& node, JsonValue& target) {
    for (const Rule& rule : map.rules) {
      Node child = rule.position == 0 ? node : node.child(rule.position);
      if (rule.kind == ValueKind::Ignore) {
        child.markUsed();
        continue;
      }
      applyRule(rule, child, target);
    }
    pruneEmpty(target);
    if (!isEmptyValue(target)) {
      applyFixed(map.fixed, target);
    }
  }

  void applyRule(const Rule& rule, const Node& node, JsonValue& target) {
    if (node.empty()) {
      return;
    }
    if (node.isNull() || (!rule.unless.empty() && pathExists(target, rule.unless))) {
      // "" asks the receiver to delete the value, which a new resource has nothing to delete;
      // an "unless" element already says what this part would.
      node.markUsed();
      return;
    }
    std::optional<BuiltValue> value;
    if (rule.kind == ValueKind::Datatype) {
      JsonValue element = JsonValue::makeObject();
      applyDatatype(*rule.datatype, node, element);
      if (!isEmptyValue(element)) {
        value = BuiltValue{std::string(), std::move(element)};
      }
    } else if (rule.kind == ValueKind::Resource) {
      std::string id = datatypeResource(*rule.datatype, node);
      if (!id.empty()) {
        value = BuiltValue{std::string(), referenceTo(id)};
      }
    } else {
      value = buildLeaf(rule, node, leaf_);
    }
    if (value) {
      placeValue(target, rule.to, value->suffix, rule.with, std::move(value->value));
    }
  }

  // Builds the resource a datatype map makes (Practitioner from XCN, Location from PL) and
  // returns its id; the same thing twice in a message is one resource.
  std::string datatypeResource(const DatatypeMap& map, const Node& node) {
    std::string name = map.resource;
    bool have_part = false;
    for (std::size_t index = 0; index < map.id.size(); ++index) {
      Node part = node.child(map.id[index].component);
      if (map.id[index].subcomponent != 0) {
        part = part.child(map.id[index].subcomponent);
      }
      have_part = have_part || (index == 0 && !part.empty());
      name += "|" + std::string(part.raw());
    }
    if (!have_part) {
      name = map.resource + "|value|" + std::string(node.raw());
    }
    std::string id = makeId(name);
    JsonValue resource = JsonValue::makeObject();
    resource.add("resourceType", JsonValue::makeString(map.resource));
    resource.add("id", JsonValue::makeString(id));
    applyDatatype(map, node, resource);
    if (resource.members().size() <= 2) {
      return {};
    }
    if (by_identity_.emplace(map.resource + "/" + id, resources_.size()).second) {
      resources_.push_back(
          BuiltResource{map.resource, id, std::move(resource), {}, false, nullptr});
    }
    return id;
  }

  std::string segmentId(const SegmentMap& map, const SegmentView& view) {
    std::string name = map.resource;
    bool have_part = false;
    for (std::size_t index = 0; index < map.id.size(); ++index) {
      const IdPart& id_part = map.id[index];
      Node part = view.field(id_part.field, 1);
      if (id_part.component != 0) {
        part = part.child(id_part.component);
      }
      if (id_part.subcomponent != 0) {
        part = part.child(id_part.subcomponent);
      }
      have_part = have_part || (index == 0 && !part.empty() && !part.isNull());
      name += "|" + std::string(part.raw());
    }
    if (!have_part) {
      // Nothing identifies it beyond this message: the id is stable for this message only
      // (a resend of the same message maps to the same ids).
      name = map.resource + "|message|" + message_key_ + "|" + std::to_string(view.index()) + "|" +
             map.name;
    }
    return makeId(name);
  }

  std::string makeId(const std::string& name) {
    std::string id = nameBasedUuid(name);
    if (id.empty()) {
      failed_ = true;
      id = "00000000-0000-0000-0000-000000000000";
    }
    return id;
  }

  void applyFixed(const std::vector<FixedValue>& fixed, JsonValue& target) {
    for (const FixedValue& value : fixed) {
      if ((!value.unless.empty() && pathExists(target, value.unless)) ||
          (!value.when.empty() && !pathExists(target, value.when))) {
        continue;
      }
      if (!pathExists(target, value.to)) {
        placeValue(target, value.to, "", JsonValue(), JsonValue(value.value));
      }
    }
  }

  // References to resources named so far; names not yet seen are resolved once the whole
  // message is read (SIU has SCH before PID), to the last resource of that name.
  void applyReferences(const std::vector<ReferenceRule>& references, std::size_t slot) {
    for (const ReferenceRule& rule : references) {
      auto named = named_.find(rule.name);
      if (named == named_.end()) {
        pending_.push_back({slot, &rule});
        continue;
      }
      placeReference(slot, rule, named->second);
    }
  }

  void placeReference(std::size_t slot, const ReferenceRule& rule, std::size_t referenced) {
    if (referenced == slot || resources_[referenced].dropped) {
      return;
    }
    JsonValue& target = resources_[slot].resource;
    if (rule.to.appends() || !pathExists(target, rule.to)) {
      placeValue(target, rule.to, "", rule.with, referenceTo(resources_[referenced].id));
    }
  }

  void resolvePending() {
    for (const PendingReference& pending : pending_) {
      auto named = named_.find(pending.rule->name);
      if (named != named_.end()) {
        placeReference(pending.slot, *pending.rule, named->second);
      }
    }
  }

  // Elements FHIR requires that the message did not supply: such a resource is left out (and
  // noted) rather than sent invalid.
  void checkRequired() {
    for (BuiltResource& built : resources_) {
      if (built.dropped || built.map == nullptr) {
        continue;
      }
      for (const TargetPath& required : built.map->required) {
        if (!pathExists(built.resource, required)) {
          built.dropped = true;
          notes_.push_back(built.map->segment + ": " + built.type + " left out: " + required.text +
                           " missing");
          break;
        }
      }
    }
  }

  void collectCoverage(const std::vector<bool>& mapped, CoverageReport& coverage) const {
    std::vector<std::string> unmapped;
    std::vector<std::string> unconverted;
    for (std::size_t index = 0; index < views_.size(); ++index) {
      views_[index].collectUnread(!mapped[index], unmapped, unconverted);
    }
    auto unique = [](std::vector<std::string>& paths, std::vector<std::string>& out) {
      std::unordered_set<std::string> seen;
      for (std::string& path : paths) {
        if (seen.insert(path).second) {
          out.push_back(std::move(path));
        }
      }
    };
    unique(unmapped, coverage.unmapped);
    unique(unconverted, coverage.unconverted);
  }

  JsonValue assemble(std::size_t& entries) {
    JsonValue bundle = JsonValue::makeObject();
    bundle.add("resourceType", JsonValue::makeString("Bundle"));
    bundle.add("id", JsonValue::makeString(makeId("Bundle|" + message_key_)));
    pruneEmpty(bundle_fields_);
    for (auto& member : bundle_fields_.members()) {
      if (member.first == "identifier" || member.first == "meta") {
        bundle.add(member.first, std::move(member.second));
      }
    }
    bool transaction = options_.bundle_type == BundleType::Transaction;
    bundle.add("type", JsonValue::makeString(transaction ? "transaction" : "collection"));
    if (JsonValue* timestamp = bundle_fields_.find("timestamp")) {
      bundle.add("timestamp", std::move(*timestamp));
    }
    JsonValue& list = bundle.add("entry", JsonValue::makeArray());
    for (BuiltResource& built : resources_) {
      if (built.dropped) {
        continue;
      }
      pruneEmpty(built.resource);
      JsonValue entry = JsonValue::makeObject();
      entry.add("fullUrl", JsonValue::makeString("urn:uuid:" + built.id));
      entry.add("resource", std::move(built.resource));
      if (transaction) {
        JsonValue request = JsonValue::makeObject();
        request.add("method", JsonValue::makeString("PUT"));
        request.add("url", JsonValue::makeString(built.type + "/" + built.id));
        entry.add("request", std::move(request));
      }
      list.push(std::move(entry));
    }
    entries = list.elements().size();
    if (entries == 0) {
      bundle.remove("entry");
    }
    return bundle;
  }

  const MappingSet& set_;
  const MessageMap& map_;
  const engine::hl7::Message& message_;
  const MapOptions& options_;
  LeafContext leaf_;
  std::string event_;
  std::string message_key_;
  std::deque<SegmentView> views_;
  std::deque<BuiltResource> resources_;
  std::unordered_map<std::string, std::size_t> by_identity_;
  std::unordered_map<std::string, std::size_t> named_;
  std::vector<PendingReference> pending_;
  JsonValue bundle_fields_;
  std::vector<std::string> notes_;
  bool failed_ = false;
};

}  // namespace

V2ToFhirMapper::V2ToFhirMapper(std::shared_ptr<const MappingSet> mappings)
    : mappings_(std::move(mappings)) {}

Result<std::shared_ptr<const V2ToFhirMapper>> V2ToFhirMapper::shared(
    const std::string& override_dir) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const V2ToFhirMapper>> loaded;
  std::lock_guard lock(mutex);
  auto found = loaded.find(override_dir);
  if (found != loaded.end()) {
    return found->second;
  }
  auto set = MappingSet::load(override_dir);
  if (!set.isOk()) {
    return set.status();
  }
  auto mapper = std::make_shared<const V2ToFhirMapper>(std::move(set).value());
  loaded.emplace(override_dir, mapper);
  return std::shared_ptr<const V2ToFhirMapper>(mapper);
}

Result<MapOutput> V2ToFhirMapper::map(const engine::hl7::Message& message,
                                      const MapOptions& options) const {
  std::string event = message.messageCode() + "^" + message.triggerEvent();
  const MessageMap* map = mappings_->findMessage(event, message.messageStructure());
  if (map == nullptr) {
    return Status(ErrorCode::Unsupported, "MSH-9: no mapping for message type " + event +
                                              " (structure " + message.messageStructure() + ")");
  }
  MappingRun run(*mappings_, *map, message, options);
  return run.run();
}

}  // namespace ferry::mappings::v2fhir
